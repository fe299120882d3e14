export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitBreakerOptions {
  /**
   * Consecutive failures (errors or timeouts) that open the circuit.
   * @default 3
   */
  failureThreshold?: number;
  /**
   * How long an open circuit sends everything to the fallback before one probe is allowed.
   * @default 30_000
   */
  coolDownMs?: number;
  /**
   * The clock, in milliseconds.
   * @default () => Date.now()
   */
  now?: () => number;
}

/**
 * A per-isolate circuit breaker: closed → (N consecutive failures) → open for a
 * cool-down → half-open, where exactly one probe is let through; its success closes
 * the circuit and its failure re-opens it for another cool-down.
 *
 * @example
 * const circuit = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 30_000 });
 * if (circuit.tryAcquire()) { try { await call(); circuit.recordSuccess(); } catch { circuit.recordFailure(); } }
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly coolDownMs: number;
  readonly #now: () => number;
  #consecutiveFailures = 0;
  #openedAt: number | null = null;
  #probeStartedAt: number | null = null;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 3;
    this.coolDownMs = options.coolDownMs ?? 30_000;
    this.#now = options.now ?? (() => Date.now());
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) throw new RangeError("failureThreshold must be a positive integer");
    if (!(this.coolDownMs >= 0)) throw new RangeError("coolDownMs must be >= 0");
  }

  state(): CircuitState {
    if (this.#openedAt === null) return "closed";
    return this.#now() - this.#openedAt < this.coolDownMs ? "open" : "half_open";
  }

  /** Whether this call may go to the protected service; in half-open, only the one probe may. */
  tryAcquire(): boolean {
    const state = this.state();
    if (state === "closed") return true;
    if (state === "open") return false;
    // A probe whose request was cancelled never reports back: its slot expires after a cool-down.
    const probeInFlight = this.#probeStartedAt !== null && this.#now() - this.#probeStartedAt < this.coolDownMs;
    if (probeInFlight) return false;
    this.#probeStartedAt = this.#now();
    return true;
  }

  recordSuccess(): void {
    this.#consecutiveFailures = 0;
    this.#openedAt = null;
    this.#probeStartedAt = null;
  }

  recordFailure(): void {
    this.#consecutiveFailures += 1;
    const probeFailed = this.#openedAt !== null;
    if (probeFailed || this.#consecutiveFailures >= this.failureThreshold) {
      this.#openedAt = this.#now();
      this.#probeStartedAt = null;
    }
  }
}
