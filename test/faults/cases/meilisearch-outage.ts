import assert from "node:assert/strict";
import { countVilles } from "../../../scripts/resilience/primary-reads.ts";
import { MEILISEARCH_SEARCH_TIMEOUT_MS } from "../../../src/lib/search/meilisearch.ts";
import { faultRecord, logsSince, type FaultContext } from "../harness/fault-record.ts";
import { autocompletePath, freshQueries } from "../harness/observe.ts";
import { runRequestLoop } from "../../../scripts/lib/request-loop.ts";
import { startStallingServer } from "../harness/stalling-server.ts";

const RATE_PER_SECOND = 20;
const FAULT_MS = 8_000;
/**
 * Meilisearch's own budget plus the Postgres answer, on a loaded 2-core CI machine: far
 * below what a hanging search server would cost (the client's 30 s timeout).
 */
const ANSWER_BUDGET_MS = MEILISEARCH_SEARCH_TIMEOUT_MS + 850;

async function searchWithMeilisearchDown(ctx: FaultContext, fault: string, afterMs: () => number): Promise<void> {
  const { stack, worker } = ctx;
  const mark = worker.lines.length;
  const villesBefore = await countVilles(stack.primary.url);
  const queries = freshQueries((RATE_PER_SECOND * FAULT_MS) / 1000);
  const summary = await runRequestLoop({
    origin: worker.origin,
    ratePerSecond: RATE_PER_SECOND,
    durationMs: FAULT_MS,
    next: (index) => ({ path: autocompletePath(queries[index]!) }),
  });
  const backends = summary.responses.map((response) => response.headers?.get("X-Search-Backend") ?? "none");
  const health = (await (await fetch(`${worker.origin}/health`)).json()) as { checks: { meilisearch: { status: string; circuit?: string } } };

  ctx.report(
    faultRecord(fault, `autocomplete 200 from Postgres (X-Search-Backend: postgres) within ${ANSWER_BUDGET_MS} ms`, summary, {
      faultMs: afterMs(),
      rowsLost: villesBefore - (await countVilles(stack.primary.url)),
      logs: logsSince(worker, mark),
      details: {
        answeredByPostgres: backends.filter((backend) => backend === "postgres").length,
        meilisearchTimeBudgetMs: MEILISEARCH_SEARCH_TIMEOUT_MS,
        healthMeilisearch: health.checks.meilisearch,
      },
    }),
  );

  assert.equal(summary.non2xx, 0, `non-2xx: ${JSON.stringify(summary.responses.filter((r) => r.status !== 200).slice(0, 3))}`);
  assert.deepEqual([...new Set(backends)], ["postgres"]);
  assert.ok(summary.p99Ms <= ANSWER_BUDGET_MS, `p99 ${summary.p99Ms} ms is over the ${ANSWER_BUDGET_MS} ms budget`);
  assert.equal(health.checks.meilisearch.status, "down");
}

/**
 * DESIGN §12: Meilisearch down or slow → the circuit opens and Postgres answers. The
 * Worker restarts for each half, so each starts with a closed circuit: first the host
 * hangs, then its port is closed. Runs last: the Worker keeps MEILISEARCH_HOST afterwards.
 */
export async function meilisearchStallsThenDies(ctx: FaultContext): Promise<void> {
  const standIn = await startStallingServer();
  try {
    const stallStarted = Date.now();
    await ctx.worker.restart({ MEILISEARCH_HOST: standIn.url });
    await searchWithMeilisearchDown(ctx, "Meilisearch host accepts connections and never answers", () => Date.now() - stallStarted);
    assert.ok(standIn.stalled > 0, "no search ever reached the stalling host");

    await standIn.die();
    const deadStarted = Date.now();
    await ctx.worker.restart();
    await searchWithMeilisearchDown(ctx, "Meilisearch host's port closed (connection refused)", () => Date.now() - deadStarted);
  } finally {
    await standIn.die().catch(() => undefined);
  }
}
