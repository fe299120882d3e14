import assert from "node:assert/strict";
import { countVilles } from "../../../scripts/resilience/primary-reads.ts";
import { faultRecord, logsSince, sleep, waitFor, type FaultContext } from "../harness/fault-record.ts";
import { autocompletePath, freshQueries } from "../harness/observe.ts";
import { whileLooping } from "../../../scripts/lib/request-loop.ts";

const RATE_PER_SECOND = 20;
const FAULT_MS = 8_000;

interface Health {
  status: string;
  checks: Record<string, { status: string }>;
}

async function health(origin: string): Promise<{ status: number; body: Health }> {
  const response = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Health };
}

/**
 * DESIGN §12: replica down → reads fall back to the primary. The client alternates fresh
 * autocompletes and listings no one asked for before (distinct population_min), so every
 * request is a read that would go to the replica.
 */
export async function replicaStopped(ctx: FaultContext): Promise<void> {
  const { stack, worker } = ctx;
  const mark = worker.lines.length;
  const villesBefore = await countVilles(stack.primary.url);
  const queries = freshQueries((RATE_PER_SECOND * FAULT_MS) / 1000);

  const faultStarted = Date.now();
  await stack.stopPostgres("replica");
  const { summary, value: healthDuring } = await whileLooping(
    {
      origin: worker.origin,
      ratePerSecond: RATE_PER_SECOND,
      durationMs: FAULT_MS,
      next: (index) => ({
        path: index % 2 === 0 ? autocompletePath(queries[index]!) : `/v1/villes?order=-population&limit=5&population_min=${1_000 + index}`,
      }),
    },
    async () => {
      await sleep(FAULT_MS / 2);
      return health(worker.origin);
    },
  );
  await stack.restartPostgres("replica");
  const faultMs = Date.now() - faultStarted;
  const healthAfter = await waitFor(async () => {
    const answer = await health(worker.origin);
    return answer.body.checks.replica?.status === "up" ? answer : undefined;
  }, 30_000);

  ctx.report(
    faultRecord("replica Postgres stopped, then restarted", "reads fall back to the primary with no 5xx; /health 200 degraded", summary, {
      faultMs,
      rowsLost: villesBefore - (await countVilles(stack.primary.url)),
      logs: logsSince(worker, mark),
      details: {
        healthDuring: { status: healthDuring.status, body: healthDuring.body.status, replica: healthDuring.body.checks.replica?.status },
        replicaUpAgainAfterMs: healthAfter.afterMs,
      },
    }),
  );

  assert.equal(summary.status5xx, 0, `5xx while the replica was down: ${JSON.stringify(summary.responses.filter((r) => r.status >= 500).slice(0, 3))}`);
  assert.equal(summary.non2xx, 0);
  assert.equal(healthDuring.status, 200);
  assert.equal(healthDuring.body.status, "degraded");
  assert.equal(healthDuring.body.checks.replica?.status, "down");
  assert.ok(healthAfter.value, "the replica was not reported up again within 30 s of its restart");
}
