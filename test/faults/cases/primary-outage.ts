import assert from "node:assert/strict";
import { countVilles } from "../../../scripts/resilience/primary-reads.ts";
import { syntheticCsv, type AdminAnswer } from "../../../scripts/resilience/import-client.ts";
import { faultRecord, logsSince, sleep, waitFor, type FaultContext } from "../harness/fault-record.ts";
import { autocompletePath, freshQueries } from "../harness/observe.ts";
import { whileLooping } from "../../../scripts/lib/request-loop.ts";

const RATE_PER_SECOND = 20;
const FAULT_MS = 10_000;
const CHUNK_ROWS = 2_000;
/** Synthetic codes of this case: far from the other cases' ranges. */
const FIRST_INDEX = 3 * 36 ** 4;

/** Answers retried on 503 as the import CLI would (honouring Retry-After), for the resume after the restart. */
async function untilNot503<T>(call: () => Promise<AdminAnswer<T>>): Promise<AdminAnswer<T>> {
  let answer = await call();
  for (let attempt = 1; attempt < 10 && (answer.status === 503 || answer.status === 0); attempt++) {
    await sleep(Math.min(Number(answer.retryAfter ?? 1), 5) * 1000);
    answer = await call();
  }
  return answer;
}

const adminFigure = (answer: AdminAnswer<unknown>) => ({ status: answer.status, retryAfter: answer.retryAfter });

/**
 * DESIGN §12: primary down → cached and replica reads keep working, imports get 503 with
 * Retry-After. The client alternates warmed requests (cached) and fresh autocompletes
 * (the replica's); a job opened before the fault is resumed after it.
 */
export async function primaryStopped(ctx: FaultContext): Promise<void> {
  const { stack, worker, admin } = ctx;
  const mark = worker.lines.length;
  const warmed = [...freshQueries(10).map(autocompletePath), "/v1/stats", "/v1/villes?departement=44&limit=5", "/v1/villes/44109", "/v1/regions"];
  for (const path of warmed) assert.equal((await fetch(worker.origin + path)).status, 200, path);
  const fresh = freshQueries((RATE_PER_SECOND * FAULT_MS) / 1000);

  const first = syntheticCsv(FIRST_INDEX, CHUNK_ROWS);
  const second = syntheticCsv(FIRST_INDEX + CHUNK_ROWS, CHUNK_ROWS);
  const job = await admin.createJob();
  assert.equal(job.status, 201, JSON.stringify(job.body));
  assert.equal((await admin.putChunk(job.body.id, 1, first.csv)).status, 200);

  const faultStarted = Date.now();
  await stack.stopPostgres("primary");
  const { summary, value: duringFault } = await whileLooping(
    {
      origin: worker.origin,
      ratePerSecond: RATE_PER_SECOND,
      durationMs: FAULT_MS,
      next: (index) => ({ path: index % 2 === 0 ? warmed[(index / 2) % warmed.length]! : autocompletePath(fresh[index]!) }),
    },
    async () => {
      await sleep(1_000);
      return { create: await admin.createJob(), chunk: await admin.putChunk(job.body.id, 2, second.csv), read: await admin.getJob(job.body.id) };
    },
  );
  await stack.restartPostgres("primary");
  const faultMs = Date.now() - faultStarted;
  const backUp = await waitFor(async () => ((await fetch(`${worker.origin}/health`)).status === 200 ? true : undefined), 30_000);

  const resumed = await untilNot503(() => admin.putChunk(job.body.id, 2, second.csv));
  const committed = await untilNot503(() => admin.commitToEnd(job.body.id));
  const codes = [...first.codes, ...second.codes];
  const landed = await countVilles(stack.primary.url, codes);

  ctx.report(
    faultRecord("primary Postgres stopped, then restarted", "cached and replica reads 200; admin calls 503 + Retry-After; the resumed import is exact", summary, {
      faultMs,
      rowsLost: codes.length - landed,
      logs: logsSince(worker, mark),
      details: {
        adminDuringFault: { createJob: adminFigure(duringFault.create), putChunk: adminFigure(duringFault.chunk), getJob: adminFigure(duringFault.read) },
        healthyAgainAfterMs: backUp.afterMs,
        resumedChunk: resumed.status,
        commit: { status: committed.status, jobStatus: committed.body.status, rowsUpserted: committed.body.rows_upserted },
      },
    }),
  );

  assert.equal(summary.non2xx, 0, `reads failed: ${JSON.stringify(summary.responses.filter((r) => r.status !== 200).slice(0, 3))}`);
  for (const [call, answer] of Object.entries(duringFault)) {
    assert.equal(answer.status, 503, `${call}: ${JSON.stringify(answer.body)}`);
    assert.ok(Number(answer.retryAfter) > 0, `${call} answered 503 without Retry-After`);
  }
  assert.ok(backUp.value, "/health did not answer 200 within 30 s of the primary's restart");
  assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
  assert.equal(committed.status, 202, JSON.stringify(committed.body));
  assert.equal(committed.body.status, "done", JSON.stringify(committed.body));
  assert.equal(committed.body.rows_upserted, codes.length);
  assert.equal(landed, codes.length);
}
