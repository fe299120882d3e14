export interface RetryOptions {
  /**
   * Attempts in all, the first included.
   * @default 6
   */
  attempts?: number;
  /**
   * Gives up on one attempt after this long; a commit gets `longTimeoutMs`.
   * @default 300_000
   */
  timeoutMs?: number;
  /**
   * Called before each retry, e.g. to say why a CLI is waiting.
   * @example onRetry: (what, attempt, reason, waitMs) => console.warn(`${what}: ${reason}, retry ${attempt} in ${waitMs} ms`)
   */
  onRetry?: (what: string, attempt: number, reason: string, waitMs: number) => void;
}

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** A commit runs every post-import step (search sync, rebuilds, stats refresh) in one request. */
const COMMIT_TIMEOUT_MS = 30 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function backoffMs(attempt: number, response?: Response): number {
  const retryAfter = Number(response?.headers.get("Retry-After"));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.min(retryAfter * 1000, MAX_BACKOFF_MS);
  const exponential = Math.min(FIRST_BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS);
  return exponential / 2 + Math.random() * (exponential / 2);
}

function describe(request: Request): string {
  const path = new URL(request.url).pathname;
  const chunk = path.match(/\/chunks\/(\d+)$/);
  if (chunk) return `chunk ${chunk[1]}`;
  if (path.endsWith("/commit")) return "commit";
  return `${request.method} ${path}`;
}

/**
 * A fetch that retries network errors, timeouts, 429 and 5xx with exponential backoff
 * (honouring Retry-After), and hands any other answer back at once. Safe for the admin
 * import calls because each one is idempotent on the server (Idempotency-Key, chunk n,
 * commit).
 */
export function retryingFetch(fetchImpl: (request: Request) => Promise<Response>, options: RetryOptions = {}) {
  const attempts = options.attempts ?? 6;
  return async (request: Request): Promise<Response> => {
    const timeoutMs = request.method === "POST" && request.url.endsWith("/commit") ? COMMIT_TIMEOUT_MS : (options.timeoutMs ?? 300_000);
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      let reason: string;
      try {
        const signal = AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
        response = await fetchImpl(new Request(request.clone(), { signal }));
        if (response.status !== 429 && response.status < 500) return response;
        reason = `HTTP ${response.status}`;
        if (attempt >= attempts) return response;
        await response.body?.cancel();
      } catch (error) {
        if (request.signal.aborted) throw error;
        reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        if (attempt >= attempts) throw new Error(`${describe(request)} failed after ${attempt} attempts: ${reason}`, { cause: error });
      }
      const waitMs = backoffMs(attempt, response);
      options.onRetry?.(describe(request), attempt, reason, waitMs);
      await sleep(waitMs);
    }
  };
}
