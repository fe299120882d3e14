/**
 * Debounced autocomplete requests in which only the latest query can ever reach the page.
 * Two guards, because an abort can lose the race with a response already being read:
 * the previous request is aborted as soon as the input changes, and every answer carries
 * its sequence number, dropped unless it is still the latest.
 */
export function createSearchClient({ debounceMs = 120, onSettled }) {
  let timer = 0;
  let inFlight = null;
  let latest = 0;
  const counts = { sent: 0, aborted: 0 };

  function cancelPending() {
    clearTimeout(timer);
    if (inFlight) {
      inFlight.abort();
      inFlight = null;
      counts.aborted += 1;
    }
  }

  async function send(params, sequence) {
    const controller = new AbortController();
    inFlight = controller;
    counts.sent += 1;
    const url = `/v1/villes/autocomplete?${new URLSearchParams(params)}`;
    const startedAt = performance.now();
    try {
      // Default cache mode on purpose: the browser honours Cache-Control and revalidates with the ETag.
      const response = await fetch(url, { signal: controller.signal });
      const body = await response.json().catch(() => null);
      if (sequence !== latest) return;
      onSettled({ url, response, body, roundTripMs: performance.now() - startedAt, counts: { ...counts } });
    } catch (error) {
      if (controller.signal.aborted || sequence !== latest) return;
      onSettled({ url, error, roundTripMs: performance.now() - startedAt, counts: { ...counts } });
    } finally {
      if (inFlight === controller) inFlight = null;
    }
  }

  return {
    /** After the debounce delay, unless another keystroke comes first. */
    search(params) {
      cancelPending();
      const sequence = ++latest;
      timer = setTimeout(() => send(params, sequence), debounceMs);
    },
    /** At once: a retry or a filter change is a deliberate action, not typing. */
    searchNow(params) {
      cancelPending();
      send(params, ++latest);
    },
    /** Forgets everything under way, e.g. when the input is emptied. */
    clear() {
      cancelPending();
      latest += 1;
    },
  };
}
