import type { z } from "zod";
import type { ImportJobSchema } from "../../src/lib/api/import-job.ts";
import { introspectWorkflowInstance, type WorkflowInstanceIntrospector } from "cloudflare:test";
import { env as workerEnv } from "cloudflare:workers";
import { expect } from "vitest";
import { createSyntheticRows, SYNTHETIC_CSV_HEADER, syntheticCodeInsee, toCsvLine, toNdjsonLine, type RealCommune, type SyntheticRow } from "../../scripts/lib/synthetic-communes.ts";
import { STATS_VIEWS } from "../../src/lib/db/stats-tables.ts";
import { HEAVY_PREFIX_THRESHOLD, HEAVY_PREFIX_TOP_K } from "../../src/lib/search/heavy-prefixes.ts";
import { TYPO_DICTIONARY_SIZE } from "../../src/lib/search/typo-dictionary.ts";
import { freshCaches, VILLE_NAMESPACES } from "./cache.ts";
import { forgetInSearchIndex } from "./search-index.ts";
import { primaryUrl, replicaUrl, sqlOn, untilReplicaCounts } from "./sql.ts";
import { callWorker, testEnv } from "./worker.ts";

export const adminToken = () => testEnv.ADMIN_TOKEN!.split(",")[0]!.trim();
export const authorization = (token = adminToken()) => ({ Authorization: `Bearer ${token}` });

/** Exactly what the admin routes answer: the route's own response schema. */
export type JobBody = z.infer<typeof ImportJobSchema>;

export interface ErrorResponseBody {
  error: { code: string; message: string; details?: any; requestId: string };
}

export async function admin(path: string, init: RequestInit = {}, envOverrides: Record<string, string | undefined> = {}): Promise<Response> {
  return callWorker(`/v1/admin${path}`, { ...init, headers: { ...authorization(), ...(init.headers as Record<string, string>) } }, envOverrides);
}

export async function createJob(options: { format?: "csv" | "ndjson"; mode?: "lenient" | "strict"; source?: string } = {}): Promise<JobBody> {
  const response = await admin("/imports", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ format: "csv", ...options }) });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as JobBody;
}

export function putChunk(jobId: string, n: number, body: BodyInit, contentType = "text/csv", query = ""): Promise<Response> {
  return admin(`/imports/${jobId}/chunks/${n}${query}`, { method: "PUT", headers: { "Content-Type": contentType }, body });
}

export async function putChunkOk(jobId: string, n: number, body: BodyInit, contentType = "text/csv", query = "") {
  const response = await putChunk(jobId, n, body, contentType, query);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as { rows_received: number; rows_upserted: number; rows_staged: number; rows_rejected: number; errors: JobBody["errors"]; sha256: string };
}

export const commit = (jobId: string) => admin(`/imports/${jobId}/commit`, { method: "POST" });

export type WorkflowModifier = Parameters<Parameters<WorkflowInstanceIntrospector["modify"]>[0]>[0];

/**
 * Commits (202) and follows the commit Workflow to its end through the test pool's
 * introspector, which is set up before the instance exists (its id is the job id and the
 * commit run): `modify` may make steps fail. Retry delays are off, so retries run at once.
 * Resolves with the 202 body and the job as the Workflow left it.
 */
export async function commitAndFollow(jobId: string, modify?: (m: WorkflowModifier) => Promise<void>) {
  const run = Number((await getJob(jobId)).timings.commit_runs ?? 0) + 1;
  const instance = await introspectWorkflowInstance((workerEnv as unknown as { IMPORT_COMMIT: Workflow }).IMPORT_COMMIT, `${jobId}-${run}`);
  try {
    await instance.modify(async (m) => {
      await m.disableRetryDelays();
      await modify?.(m);
    });
    const response = await commit(jobId);
    expect(response.status, await response.clone().text()).toBe(202);
    expect(response.headers.get("Location")).toBe(`/v1/admin/imports/${jobId}`);
    const accepted = (await response.json()) as JobBody;
    const outcome = await firstReached(instance, ["complete", "errored"]);
    return { accepted, outcome, job: await getJob(jobId), error: outcome === "errored" ? await instance.getError() : undefined };
  } finally {
    await instance.dispose();
  }
}

/**
 * The first of `statuses` the instance reaches. Each waiter rejects once the instance reaches
 * another finite status ("errored" makes the "complete" waiter throw, possibly before the
 * "errored" waiter resolves), so a rejection counts only when every waiter has rejected.
 */
function firstReached<S extends "complete" | "errored">(instance: WorkflowInstanceIntrospector, statuses: readonly S[]): Promise<S> {
  return new Promise((resolve, reject) => {
    let rejected = 0;
    for (const status of statuses) {
      instance.waitForStatus(status).then(
        () => resolve(status),
        (error: unknown) => {
          if (++rejected === statuses.length) reject(error);
        },
      );
    }
  });
}

/** The introspector of a job's commit run, set up before the commit starts it; the caller disposes it. */
export const introspectCommitRun = (jobId: string, run: number) =>
  introspectWorkflowInstance((workerEnv as unknown as { IMPORT_COMMIT: Workflow }).IMPORT_COMMIT, `${jobId}-${run}`);

/** Chunks only stage rows: they reach villes when the commit Workflow merges them. */
export async function commitOk(jobId: string): Promise<JobBody> {
  const { accepted, outcome, job } = await commitAndFollow(jobId);
  expect(accepted.status).toBe("committing");
  expect(outcome, job.failure ?? "").toBe("complete");
  expect(job.status).toBe("done");
  return job;
}

export async function getJob(jobId: string): Promise<JobBody> {
  const response = await admin(`/imports/${jobId}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as JobBody;
}

/** Each test file draws its synthetic codes from its own letter, so files running side by side never share rows. */
export const codeSpace = (letter: string) => (letter.charCodeAt(0) - 65) * 36 ** 4;

export const csv = (rows: SyntheticRow[], header = SYNTHETIC_CSV_HEADER) => `${header}\n${rows.map(toCsvLine).join("\n")}\n`;
export const ndjson = (rows: SyntheticRow[]) => `${rows.map(toNdjsonLine).join("\n")}\n`;

let realCommunes: Promise<RealCommune[]> | undefined;

/** The seeded communes actuelles, read back from the database: the generator's input inside workerd. */
export function loadRealCommunes(): Promise<RealCommune[]> {
  return (realCommunes ??= sqlOn(primaryUrl())
    .query(
      `select nom, departement_code as "departementCode", region_code as "regionCode", codes_postaux as "codesPostaux", population
       from villes where type = 'commune-actuelle' and code_insee ~ '^[0-9]' order by code_insee, type`,
    )
    .then((rows) => rows as RealCommune[]));
}

export async function syntheticRows(letter: string, count: number, seed = 42, start = 0): Promise<SyntheticRow[]> {
  const rowAt = createSyntheticRows(await loadRealCommunes(), seed);
  return Array.from({ length: count }, (_, index) => rowAt(codeSpace(letter) + start + index));
}

export const countVilles = async (codes: string[]) =>
  Number((await sqlOn(primaryUrl()).query("select count(*)::int as n from villes where code_insee = any($1)", [codes]))[0]!.n);

export const countLetter = async (letter: string) =>
  Number((await sqlOn(primaryUrl()).query("select count(*)::int as n from villes where code_insee like $1", [`${letter}%`]))[0]!.n);

/** After the letter's rows were written outside a commit: waits until the replica has them all, then forgets the cached answers they change. */
export async function settleSyntheticRows(letter: string): Promise<void> {
  await untilReplicaCounts("select count(*)::int as n from villes where code_insee like $1", [`${letter}%`], await countLetter(letter));
  await freshCaches(VILLE_NAMESPACES);
}

/** Leaves the shared database as the seed made it: the letter's rows gone, derived tables rebuilt, caches forgotten. */
export async function removeSyntheticRows(letter: string): Promise<void> {
  const primary = sqlOn(primaryUrl());
  const removed = (await primary.query("delete from villes where code_insee like $1 returning id", [`${letter}%`])) as Array<{ id: string }>;
  if (removed.length === 0) return;
  await forgetInSearchIndex(removed.map((row) => row.id));
  // Another file's commit may be rebuilding at the same moment: the later rebuild then collides and is retried.
  for (let attempt = 1; ; attempt++) {
    try {
      await primary.query("select lieux_rebuild_heavy_prefixes($1, $2)", [HEAVY_PREFIX_THRESHOLD, HEAVY_PREFIX_TOP_K]);
      await primary.query("select lieux_rebuild_typo_dictionary($1)", [TYPO_DICTIONARY_SIZE]);
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  for (const view of STATS_VIEWS) await primary.query(`refresh materialized view concurrently ${view}`);
  // The logical replica refreshes its own views from its own rows: only once the delete has reached it.
  await untilReplicaCounts("select count(*)::int as n from villes where code_insee like $1", [`${letter}%`], 0);
  for (const view of STATS_VIEWS) await sqlOn(replicaUrl()).query(`refresh materialized view concurrently ${view}`);
  await freshCaches();
}

export { syntheticCodeInsee };
