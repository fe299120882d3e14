import pg from "pg";
import { runMigrations } from "../../scripts/migrate.ts";
import { indexFromPostgres } from "./index-from-postgres.ts";
import { startMeilisearchReplay } from "./replay-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Meilisearch double (test/meilisearch/replay-server.ts), for useMeilisearchReplay. */
    meilisearchReplay: { url: string; apiKey: string; mode: "replay" | "record" };
    /**
     * A database of its own (same server as the primary, migrated, empty) for the tests
     * whose recorded traffic carries whole tables: they fill it with fixed rows.
     */
    searchFixtureDatabaseUrl: string;
  }
}

export const SEARCH_FIXTURE_DATABASE = "lieux_search_fixture";

/** Creates (afresh) and migrates a database of its own next to the primary's, with no replica nor publication. */
export async function createFixtureDatabase(primaryUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: primaryUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(primaryUrl);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return url.toString();
}

export interface MeilisearchTestServices {
  provided: { meilisearchReplay: ProvidedReplay; searchFixtureDatabaseUrl: string };
  /** Stops the replay server; returns the replay misses no test checked (each one fails the run). */
  close(): Promise<string[]>;
}
type ProvidedReplay = { url: string; apiKey: string; mode: "replay" | "record" };

/**
 * Everything Meilisearch the suite needs: the replay server (RECORD mode when
 * MEILISEARCH_RECORD_UPSTREAM names a real server, with MEILISEARCH_API_KEY as its key),
 * the fixture database, and, with MEILISEARCH_HOST, that real server's index.
 */
export async function startMeilisearchTestServices(primaryUrl: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<MeilisearchTestServices> {
  const upstream = env.MEILISEARCH_RECORD_UPSTREAM;
  const replay = await startMeilisearchReplay(upstream ? { upstream: { host: upstream, apiKey: env.MEILISEARCH_API_KEY || undefined } } : {});
  try {
    log(`[meilisearch] replay server on ${replay.url}, ${replay.mode === "record" ? `RECORDING from ${upstream}` : "replaying test/fixtures/meilisearch"}`);
    const searchFixtureDatabaseUrl = await createFixtureDatabase(primaryUrl, SEARCH_FIXTURE_DATABASE);
    if (env.MEILISEARCH_HOST) {
      // The whole suite's autocomplete then runs on that server: its index holds this run's villes before any test.
      const started = Date.now();
      const { documents } = await indexFromPostgres(primaryUrl, { host: env.MEILISEARCH_HOST, apiKey: env.MEILISEARCH_API_KEY || undefined });
      log(`[meilisearch] ${documents} villes indexed on ${env.MEILISEARCH_HOST} in ${Date.now() - started} ms`);
    }
    return {
      provided: { meilisearchReplay: { url: replay.url, apiKey: replay.apiKey, mode: replay.mode }, searchFixtureDatabaseUrl },
      close: () => replay.close(),
    };
  } catch (error) {
    await replay.close();
    throw error;
  }
}
