import type { AppConfig } from "../../env.ts";
import type { Databases } from "../db/client.ts";
import { describeError, type Logger } from "../logger.ts";
import { CircuitBreaker } from "./circuit-breaker.ts";
import { meilisearchClient, MeilisearchSearchEngine } from "./meilisearch.ts";
import { PostgresSearchEngine } from "./postgres.ts";
import type { AutocompleteRequest, AutocompleteResult, SearchEngine } from "./types.ts";

// Per isolate and per server, on purpose: one request's failures protect the next ones.
const circuits = new Map<string, CircuitBreaker>();

/** The circuit guarding one Meilisearch host (3 consecutive failures open it for 30 s). */
export function meilisearchCircuit(host: string): CircuitBreaker {
  let circuit = circuits.get(host);
  if (!circuit) {
    circuit = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 30_000 });
    circuits.set(host, circuit);
  }
  return circuit;
}

/**
 * Meilisearch behind a circuit breaker, with Postgres answering whenever Meilisearch
 * may not be asked (open circuit) or fails for this very request (error or timeout).
 * The result then says `backend: "postgres"`, and its time includes the failed attempt.
 */
export class FallbackSearchEngine implements SearchEngine {
  readonly name = "meilisearch" as const;

  constructor(
    private readonly primary: SearchEngine,
    private readonly fallback: SearchEngine,
    private readonly circuit: CircuitBreaker,
    private readonly logger?: Logger,
  ) {}

  async autocomplete(request: AutocompleteRequest): Promise<AutocompleteResult> {
    if (!this.circuit.tryAcquire()) return this.fallback.autocomplete(request);
    const started = performance.now();
    try {
      const result = await this.primary.autocomplete(request);
      this.circuit.recordSuccess();
      return result;
    } catch (error) {
      this.circuit.recordFailure();
      this.logger?.log("warn", "meilisearch failed, answering from postgres", { circuit: this.circuit.state(), ...describeError(error) });
      const failedMs = performance.now() - started;
      const result = await this.fallback.autocomplete(request);
      return { ...result, engineMs: result.engineMs + failedMs };
    }
  }
}

/** Postgres alone without MEILISEARCH_HOST; otherwise Meilisearch with Postgres as the fallback. */
export function selectSearchEngine(config: AppConfig, databases: Databases, logger?: Logger): SearchEngine {
  const postgres = new PostgresSearchEngine(databases);
  const host = config.MEILISEARCH_HOST;
  if (!host) return postgres;
  const meilisearch = new MeilisearchSearchEngine(meilisearchClient({ host, apiKey: config.MEILISEARCH_API_KEY }));
  return new FallbackSearchEngine(meilisearch, postgres, meilisearchCircuit(host), logger);
}
