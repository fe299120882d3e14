import { drizzle } from "drizzle-orm/node-postgres";
import { Meilisearch } from "meilisearch";
import type pg from "pg";
import { reindexVilles } from "../../src/lib/search/meilisearch-reindex.ts";
import { villesForIndexSql, type IndexedVilleRow } from "../../src/lib/search/villes-for-index.ts";
import type { VilleSeedRow } from "../data/communes.ts";
import { log } from "./measure.ts";
import { benchRelevance, type RelevanceFigures } from "./relevance.ts";

/**
 * Issue 16: the same relevance measures on both engines in one run, through the same
 * Worker route, and where they disagree. The communes one engine finds in the first 10
 * for their own complete name and the other does not are listed by name, so a settings
 * change shows which places it wins or loses.
 */
export interface EngineRelevance {
  postgres: RelevanceFigures;
  meilisearch: RelevanceFigures;
  /** Sampled communes missed at 10 by one engine only ("Nom (dep)"). */
  missedAt10Only: { postgres: string[]; meilisearch: string[] };
  /** Sampled communes with no larger homonym that one engine only did not put first. */
  missedAt1Only: { postgres: string[]; meilisearch: string[] };
  /** Communes ≥ 20,000 never first on one engine only. */
  neverFirstOnly: { postgres: string[]; meilisearch: string[] };
}

export interface RelevanceEnginesOptions {
  client: pg.Client;
  vars: Record<string, string>;
  /** Restarts the Worker under test with these vars and returns its base URL. */
  restart: (vars: Record<string, string>) => Promise<string>;
  villes: readonly VilleSeedRow[];
  sample: number;
  seed: number;
  meilisearch: { host: string; apiKey: string | undefined };
}

const onlyIn = (mine: readonly string[], theirs: readonly string[]) => mine.filter((name) => !theirs.includes(name));

export async function benchRelevanceOnBothEngines(options: RelevanceEnginesOptions): Promise<EngineRelevance> {
  const { MEILISEARCH_HOST: _host, MEILISEARCH_API_KEY: _key, ...postgresVars } = options.vars;
  const postgres = await benchRelevance(await options.restart(postgresVars), options.villes, options);
  log(`relevance on ${postgres.backend}: ${JSON.stringify(postgres.recall)}, typing ${postgres.typing.meanFraction}`);

  // The index holds exactly this run's villes, built by the project's own reindex.
  const meili = new Meilisearch({ host: options.meilisearch.host, apiKey: options.meilisearch.apiKey });
  const db = drizzle(options.client);
  const readPage = async (afterId: number, limit: number) => (await db.execute(villesForIndexSql({ afterId, limit }))).rows as unknown as IndexedVilleRow[];
  const { documents } = await reindexVilles(meili, readPage);
  log(`relevance: ${documents} villes indexed on ${options.meilisearch.host}`);

  const meilisearchVars = { ...postgresVars, MEILISEARCH_HOST: options.meilisearch.host, ...(options.meilisearch.apiKey ? { MEILISEARCH_API_KEY: options.meilisearch.apiKey } : {}) };
  const meilisearch = await benchRelevance(await options.restart(meilisearchVars), options.villes, options);
  log(`relevance on ${meilisearch.backend}: ${JSON.stringify(meilisearch.recall)}, typing ${meilisearch.typing.meanFraction}`);
  if (postgres.backend !== "postgres" || meilisearch.backend !== "meilisearch") {
    throw new Error(`relevance: expected postgres then meilisearch to answer, got ${postgres.backend} then ${meilisearch.backend}`);
  }
  return {
    postgres,
    meilisearch,
    missedAt10Only: { postgres: onlyIn(postgres.missedAt10, meilisearch.missedAt10), meilisearch: onlyIn(meilisearch.missedAt10, postgres.missedAt10) },
    missedAt1Only: { postgres: onlyIn(postgres.missedAt1, meilisearch.missedAt1), meilisearch: onlyIn(meilisearch.missedAt1, postgres.missedAt1) },
    neverFirstOnly: { postgres: onlyIn(postgres.typing.neverFirst, meilisearch.typing.neverFirst), meilisearch: onlyIn(meilisearch.typing.neverFirst, postgres.typing.neverFirst) },
  };
}
