import type { AutocompleteBody, LieuxRequestDetail } from "./types.js";

export type SearchOutcome = LieuxRequestDetail & { q: string };

/**
 * Debounced autocomplete requests in which only the latest query can reach the page. Two
 * guards, because an abort can lose the race with a response already being read: the
 * previous request is aborted as soon as a new one is asked for, and every answer carries
 * its sequence number, dropped unless it is still the latest. Plain GETs with no extra
 * header, so the browser's HTTP cache (Cache-Control, ETag) and CORS without preflight work.
 */
export function createSearch(onSettled: (outcome: SearchOutcome) => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | null = null;
  let latest = 0;
  const requests = { sent: 0, aborted: 0 };

  function cancel() {
    clearTimeout(timer);
    if (inFlight) {
      inFlight.abort();
      inFlight = null;
      requests.aborted += 1;
    }
    return ++latest;
  }

  async function send(url: string, q: string, sequence: number) {
    const controller = new AbortController();
    inFlight = controller;
    requests.sent += 1;
    const started = performance.now();
    const settle = (fields: Partial<SearchOutcome>) => onSettled({ url, q, durationMs: performance.now() - started, requests: { ...requests }, ...fields });
    try {
      const response = await fetch(url, { signal: controller.signal });
      const body = response.ok ? ((await response.json()) as AutocompleteBody) : undefined;
      if (sequence === latest) settle({ response, ...(body ? { body } : {}) });
    } catch (error) {
      if (!controller.signal.aborted && sequence === latest) settle({ error });
    } finally {
      if (inFlight === controller) inFlight = null;
    }
  }

  return {
    /** After `delayMs`, unless another call comes first; 0 sends at once. */
    search(url: string, q: string, delayMs: number) {
      const sequence = cancel();
      if (delayMs > 0) timer = setTimeout(() => send(url, q, sequence), delayMs);
      else void send(url, q, sequence);
    },
    /** Forgets everything under way. */
    cancel,
    requests,
  };
}
