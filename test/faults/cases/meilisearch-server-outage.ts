import assert from "node:assert/strict";
import { join } from "node:path";
import { countVilles, queryPostgres } from "../../../scripts/resilience/primary-reads.ts";
import { meilisearchClient, MEILISEARCH_SEARCH_TIMEOUT_MS } from "../../../src/lib/search/meilisearch.ts";
import { meilisearchErrorCode } from "../../../src/lib/search/meilisearch-tasks.ts";
import { CRON_SCHEDULE } from "../../../src/cron/schedule.ts";
import { WATERMARK_LOOKBACK_MS } from "../../../src/lib/search/reconcile.ts";
import { indexFromPostgres } from "../../meilisearch/index-from-postgres.ts";
import { warmUp } from "./baseline.ts";
import { faultRecord, logsSince, waitFor, type FaultContext } from "../harness/fault-record.ts";
import { startMeilisearchServer, type MeilisearchServer } from "../harness/meilisearch-server.ts";
import { autocompletePath, freshQueries } from "../harness/observe.ts";
import { runRequestLoop, summarize, type LoopResponse, type LoopSummary } from "../../../scripts/lib/request-loop.ts";

/** The Meilisearch binary this case runs; without it the case is skipped (and says so). */
export const MEILISEARCH_BIN = process.env.MEILISEARCH_BIN?.trim() || undefined;

const RATE_PER_SECOND = 20;
const PHASE_MS = 8_000;
/** The circuit's cool-down (select-engine.ts): after it, one probe may close the circuit. */
const COOL_DOWN_MS = 30_000;
/**
 * Meilisearch's own budget plus the Postgres answer, on a loaded 2-core CI machine: far
 * below what a hanging search server would cost (the client's 30 s timeout).
 */
const ANSWER_BUDGET_MS = MEILISEARCH_SEARCH_TIMEOUT_MS + 850;

const backendsOf = (summary: LoopSummary) => summary.responses.map((response) => response.headers?.get("X-Search-Backend") ?? "none");
const count = (values: string[], value: string) => values.filter((item) => item === value).length;
/** How many responses each backend answered, e.g. { postgres: 160 }. */
const countBackends = (summary: LoopSummary) => Object.fromEntries([...new Set(backendsOf(summary))].map((backend) => [backend, count(backendsOf(summary), backend)]));

function freshLoop(ctx: FaultContext, durationMs: number): Promise<LoopSummary> {
  const queries = freshQueries((RATE_PER_SECOND * durationMs) / 1000);
  return runRequestLoop({ origin: ctx.worker.origin, ratePerSecond: RATE_PER_SECOND, durationMs, next: (index) => ({ path: autocompletePath(queries[index]!) }) });
}

/** Why each search since `mark` fell back to Postgres, as the Worker logged it ("MeilisearchTimeoutError: …"). */
function fallbackReasons(ctx: FaultContext, mark: number): string[] {
  return ctx.worker.lines.slice(mark).flatMap((line) => {
    const start = line.indexOf('{"level"');
    if (start === -1 || !line.includes("answering from postgres")) return [];
    const entry = JSON.parse(line.slice(start)) as { errorName?: string; error?: string };
    return [`${entry.errorName}: ${entry.error}`];
  });
}

/** Meilisearch's status (memoised for 5 s per isolate) and circuit (read afresh) on the public /health. */
async function meilisearchHealth(ctx: FaultContext): Promise<{ status: string; circuit: string | undefined }> {
  const body = (await (await fetch(`${ctx.worker.origin}/health`)).json()) as { checks: { meilisearch: { status: string; circuit?: string } } };
  return { status: body.checks.meilisearch.status, circuit: body.checks.meilisearch.circuit };
}

/** The villes the outage's drift touches: one added, one changed, one deleted, by id. */
type DriftIds = { added: number; changed: number; deleted: number };

const insertVille = async (primaryUrl: string, code: string, nom: string) =>
  (await queryPostgres<{ id: string }>(primaryUrl, "insert into villes (code_insee, type, nom, departement_code, region_code, population) values ($1, 'commune-actuelle', $2, '44', '52', 1234) returning id", [code, nom]))[0]!.id;

/** Drift made in Postgres while Meilisearch is down: a new ville, a changed one (Nantes), a deleted one. */
async function makeDrift(primaryUrl: string, deleted: number): Promise<DriftIds> {
  const added = Number(await insertVille(primaryUrl, "99951", "Lieuxpanne-la-Neuve"));
  const [changed] = await queryPostgres<{ id: string }>(primaryUrl, "update villes set population = population + 1, updated_at = now() where code_insee = '44109' and type = 'commune-actuelle' returning id");
  await queryPostgres(primaryUrl, "delete from villes where id = $1", [deleted]);
  return { added, changed: Number(changed!.id), deleted };
}

/** The population the index holds for each drifted ville, or null where it has no document. */
async function indexed(server: MeilisearchServer, ids: DriftIds): Promise<Record<keyof DriftIds, number | null>> {
  const index = meilisearchClient({ host: server.url, apiKey: server.apiKey }).index("villes");
  const read = (id: number) =>
    index.getDocument(id).then(
      (document) => document.population as number,
      (error: unknown) => (meilisearchErrorCode(error) === "document_not_found" ? null : Promise.reject(error)),
    );
  return { added: await read(ids.added), changed: await read(ids.changed), deleted: await read(ids.deleted) };
}

/**
 * DESIGN §12 with a real Meilisearch (the stand-in case before it covers a host that hangs
 * or refuses, and runs in CI): hung (SIGSTOP), killed, restarted. The circuit opens
 * and Postgres answers within the budget meanwhile; after the restart the circuit closes by
 * itself; the reconcile cron repairs what changed in Postgres during the outage; and a
 * reindex swapped in under read load fails no request. Runs last: the Worker keeps
 * MEILISEARCH_HOST afterwards.
 */
export async function meilisearchServerOutage(ctx: FaultContext, bin: string): Promise<void> {
  const { stack, worker } = ctx;
  const server = await startMeilisearchServer({ bin, dataDir: join(stack.dataDir, "meilisearch") });
  try {
    const toDelete = Number(await insertVille(stack.primary.url, "99952", "Lieuxpanne-la-Vieille"));
    const indexedBefore = await indexFromPostgres(stack.primary.url, { host: server.url, apiKey: server.apiKey });
    await worker.restart({ MEILISEARCH_HOST: server.url, MEILISEARCH_API_KEY: server.apiKey });

    // a fresh workerd is slow for its first seconds, and a first search past the budget would open the circuit
    await warmUp(ctx);
    const ready = await untilMeilisearchAnswers(ctx);
    assert.ok(ready.value, "Meilisearch never answered after the Worker restarted");
    const healthy = await freshLoop(ctx, 4_000);
    assert.equal(healthy.non2xx, 0);
    assert.deepEqual(countBackends(healthy), { meilisearch: healthy.requests }, "a healthy server answers every search");

    // hung
    let mark = worker.lines.length;
    const hungAt = Date.now();
    server.hang();
    const villesBefore = await countVilles(stack.primary.url);
    const hung = await freshLoop(ctx, PHASE_MS);
    const healthWhileHung = await meilisearchHealth(ctx);
    const drift = await makeDrift(stack.primary.url, toDelete);
    ctx.report(
      faultRecord("Meilisearch hung (SIGSTOP)", `autocomplete 200 from Postgres within ${ANSWER_BUDGET_MS} ms; circuit open`, hung, {
        faultMs: Date.now() - hungAt,
        rowsLost: villesBefore - (await countVilles(stack.primary.url)),
        logs: logsSince(worker, mark),
        details: { answeredByPostgres: count(backendsOf(hung), "postgres"), healthMeilisearch: healthWhileHung },
      }),
    );
    assert.equal(hung.non2xx, 0, `non-2xx: ${JSON.stringify(hung.responses.filter((r) => r.status !== 200).slice(0, 3))}`);
    assert.deepEqual(countBackends(hung), { postgres: hung.requests });
    assert.ok(hung.p99Ms <= ANSWER_BUDGET_MS, `p99 ${hung.p99Ms} ms is over the ${ANSWER_BUDGET_MS} ms budget`);
    assert.deepEqual(healthWhileHung, { status: "down", circuit: "open" });

    // killed
    mark = worker.lines.length;
    const killedAt = Date.now();
    await server.kill();
    const killed = await freshLoop(ctx, PHASE_MS);
    const healthWhileKilled = await meilisearchHealth(ctx);
    ctx.report(
      faultRecord("Meilisearch killed (SIGKILL): connection refused", `autocomplete 200 from Postgres within ${ANSWER_BUDGET_MS} ms`, killed, {
        faultMs: Date.now() - killedAt,
        rowsLost: 0,
        logs: logsSince(worker, mark),
        details: { answeredByPostgres: count(backendsOf(killed), "postgres"), healthMeilisearch: healthWhileKilled },
      }),
    );
    assert.equal(killed.non2xx, 0);
    assert.deepEqual(countBackends(killed), { postgres: killed.requests });
    assert.ok(killed.p99Ms <= ANSWER_BUDGET_MS, `p99 ${killed.p99Ms} ms is over the ${ANSWER_BUDGET_MS} ms budget`);
    assert.equal(healthWhileKilled.status, "down");

    // restarted: the next probe after a cool-down closes the circuit, with no request failing meanwhile
    mark = worker.lines.length;
    const restartedAt = Date.now();
    await server.restart();
    const recovering: LoopResponse[] = [];
    const recovery = await untilMeilisearchAnswers(ctx, recovering);
    const recovered = summarize(recovering);
    const healthAfter = await waitFor(async () => {
      const health = await meilisearchHealth(ctx);
      return health.status === "up" ? health : undefined;
    }, 10_000);
    ctx.report(
      faultRecord("Meilisearch restarted on the same port and data", "every request 200; the circuit closes by itself after its cool-down", recovered, {
        faultMs: Date.now() - restartedAt,
        rowsLost: 0,
        logs: logsSince(worker, mark),
        details: { circuitClosedAfterRestartMs: recovery.afterMs, outageStartedMsBeforeRestart: restartedAt - hungAt, healthMeilisearch: healthAfter.value },
      }),
    );
    assert.equal(recovered.non2xx, 0);
    assert.ok(recovery.value, `no search answered by Meilisearch within ${COOL_DOWN_MS + 15_000} ms of the restart`);
    assert.deepEqual(healthAfter.value, { status: "up", circuit: "closed" });

    // the hourly reconcile repairs the drift made during the outage
    const [{ population: nantes }] = (await queryPostgres<{ population: number }>(stack.primary.url, "select population from villes where id = $1", [drift.changed])) as [{ population: number }];
    const before = await indexed(server, drift);
    assert.deepEqual(before, { added: null, changed: nantes - 1, deleted: 1234 }, "the index still holds the outage's drift before the reconcile");
    const reconcile = await runReconcileCron(ctx);
    const after = await indexed(server, drift);
    ctx.report(
      faultRecord("reconcile cron after the outage", "rows added, changed and deleted during the outage are repaired", summarize([]), {
        faultMs: 0,
        rowsLost: 0,
        logs: logsSince(worker, mark),
        details: { reconcile, indexedBefore: indexedBefore.documents, indexBefore: before, indexAfter: after },
      }),
    );
    assert.deepEqual(after, { added: 1234, changed: nantes, deleted: null });
    assert.deepEqual(
      { postgresCount: reconcile.postgresCount, indexCount: reconcile.indexCount, drift: reconcile.drift, repair: reconcile.repair },
      { postgresCount: villesBefore, indexCount: villesBefore + 1, drift: -1, repair: "reindexed" },
    );
    // incremental: exactly the rows changed since the reindex's watermark minus the look-back, the outage's two among them
    const [{ changedSince }] = (await queryPostgres<{ changedSince: number }>(
      stack.primary.url,
      `select count(*)::int as "changedSince" from villes where updated_at >= $1::timestamptz - make_interval(secs => $2 / 1000.0)`,
      [indexedBefore.watermark, WATERMARK_LOOKBACK_MS],
    )) as [{ changedSince: number }];
    assert.ok(changedSince >= 2);
    assert.equal(reconcile.resent, changedSince);

    // a full reindex swapped in while readers search: every request 200 and from Meilisearch
    mark = worker.lines.length;
    const reindexStarted = Date.now();
    let reindexDone = false;
    const reindexing = indexFromPostgres(stack.primary.url, { host: server.url, apiKey: server.apiKey }).finally(() => (reindexDone = true));
    const underLoad: LoopResponse[] = [];
    while (!reindexDone) underLoad.push(...(await freshLoop(ctx, 1_000)).responses);
    const reindexed = await reindexing;
    const duringReindex = summarize(underLoad);
    const uids = (await meilisearchClient({ host: server.url, apiKey: server.apiKey }).getIndexes()).results.map((index) => index.uid);
    ctx.report(
      faultRecord("full reindex (build, swapIndexes, delete) under read load", "every request 200, every one answered by Meilisearch", duringReindex, {
        faultMs: Date.now() - reindexStarted,
        rowsLost: 0,
        logs: logsSince(worker, mark),
        details: { documents: reindexed.documents, buildIndex: reindexed.buildIndex, indexesAfter: uids, fallbackReasons: fallbackReasons(ctx, mark) },
      }),
    );
    assert.equal(duringReindex.non2xx, 0);
    assert.deepEqual(countBackends(duringReindex), { meilisearch: duringReindex.requests });
    assert.ok(duringReindex.requests >= RATE_PER_SECOND, `only ${duringReindex.requests} requests ran during the reindex`);
    assert.equal(reindexed.documents, villesBefore);
    assert.deepEqual(uids, ["villes"]);
  } finally {
    await server.stop();
  }
}

/**
 * Sends fresh autocompletes, a second at a time, until Meilisearch answers one: an open
 * circuit lets a probe through only after its cool-down. Keeps every response in `seen`.
 */
function untilMeilisearchAnswers(ctx: FaultContext, seen: LoopResponse[] = []) {
  return waitFor(async () => {
    const summary = await freshLoop(ctx, 1_000);
    seen.push(...summary.responses);
    return backendsOf(summary).at(-1) === "meilisearch" ? true : undefined;
  }, COOL_DOWN_MS + 15_000, 0);
}

/** Triggers the reconcile cron on the local Worker and returns the counts it recorded. */
async function runReconcileCron(ctx: FaultContext): Promise<Record<string, unknown>> {
  const since = new Date();
  const response = await fetch(`${ctx.worker.origin}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(CRON_SCHEDULE.reconcileSearchIndex)}`);
  await response.text();
  const run = await waitFor(async () => {
    const [row] = await queryPostgres<{ last_outcome: string; last_counts: Record<string, unknown>; last_success_at: Date | null; last_error: string | null }>(
      ctx.stack.primary.url,
      "select last_outcome, last_counts, last_success_at, last_error from cron_runs where job = 'reconcile-search-index' and greatest(last_success_at, last_failure_at) >= $1",
      [since],
    );
    return row;
  }, 120_000, 500);
  assert.ok(run.value, "the reconcile cron recorded no run within 120 s");
  assert.equal(run.value.last_outcome, "success", `reconcile failed: ${run.value.last_error}`);
  return run.value.last_counts;
}
