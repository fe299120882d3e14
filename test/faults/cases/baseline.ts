import assert from "node:assert/strict";
import { countVilles } from "../../../scripts/resilience/primary-reads.ts";
import { faultRecord, logsSince, type FaultContext } from "../harness/fault-record.ts";
import { autocompletePath, freshQueries } from "../harness/observe.ts";
import { runRequestLoop } from "../../../scripts/lib/request-loop.ts";

const RATE_PER_SECOND = 20;

const freshAutocompletes = (ctx: FaultContext, durationMs: number) => {
  const queries = freshQueries((RATE_PER_SECOND * durationMs) / 1000);
  return runRequestLoop({ origin: ctx.worker.origin, ratePerSecond: RATE_PER_SECOND, durationMs, next: (index) => ({ path: autocompletePath(queries[index]!) }) });
};

/** A fresh workerd is slow for its first seconds; that start-up must not count against the first fault. */
export async function warmUp(ctx: FaultContext): Promise<void> {
  await freshAutocompletes(ctx, 4_000);
}

/** The same client with nothing broken, so each fault's figures can be read against it. */
export async function baseline(ctx: FaultContext): Promise<void> {
  const mark = ctx.worker.lines.length;
  const villesBefore = await countVilles(ctx.stack.primary.url);
  const started = Date.now();
  const summary = await freshAutocompletes(ctx, 8_000);
  ctx.report(
    faultRecord("none (baseline)", "every request 200", summary, {
      faultMs: Date.now() - started,
      rowsLost: villesBefore - (await countVilles(ctx.stack.primary.url)),
      logs: logsSince(ctx.worker, mark),
    }),
  );
  assert.equal(summary.non2xx, 0);
}
