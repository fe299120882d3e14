import assert from "node:assert/strict";
import { countVilles } from "../../../scripts/resilience/primary-reads.ts";
import { faultRecord, logsSince, waitFor, type FaultContext } from "../harness/fault-record.ts";
import { autocompletePath, cacheEntryCount, freshQueries } from "../harness/observe.ts";
import { runRequestLoop } from "../../../scripts/lib/request-loop.ts";

const RATE_PER_SECOND = 20;
const FAULT_MS = 8_000;
/** Logged when the outage starts and maybe once per race between concurrent requests; never once per request. */
const MAX_OUTAGE_WARNINGS = 3;

/**
 * DESIGN §12: Redis down → L2 skipped, rate limiter fails open, every response 200.
 * Every request is a fresh query (a miss in every tier), so each one needs the database and
 * owes Redis its count; after the restart, new L2 entries must reach redis within seconds.
 * The probe for those is a commune lookup (its namespace reads and fills L2: autocomplete,
 * behind L1, does neither), each for a code no request asked before, a cached 404.
 */
export async function redisKilledThenRestarted(ctx: FaultContext): Promise<void> {
  const { stack, worker } = ctx;
  const mark = worker.lines.length;
  const villesBefore = await countVilles(stack.primary.url);
  const queries = freshQueries((RATE_PER_SECOND * FAULT_MS) / 1000);

  const faultStarted = Date.now();
  await stack.killRedis();
  const summary = await runRequestLoop({
    origin: worker.origin,
    ratePerSecond: RATE_PER_SECOND,
    durationMs: FAULT_MS,
    next: (index) => ({ path: autocompletePath(queries[index]!) }),
  });
  const limiterHeaders = summary.responses.filter((response) => response.headers?.get("RateLimit-Limit")).length;
  await stack.restartRedis();
  const faultMs = Date.now() - faultStarted;

  const recoveryQueries = freshQueries(100);
  let probe = 0;
  const recovery = await waitFor(async () => {
    const response = await fetch(worker.origin + autocompletePath(recoveryQueries.shift()!));
    await response.text();
    // A code no commune has and no request asked: a miss that fills L2 with its 404. Cacheable
    // answers carry no client's budget (Workers Cache shares them); a 404 does.
    const uncacheable = await fetch(`${worker.origin}/v1/villes/99${String(probe++).padStart(3, "0")}`);
    await uncacheable.text();
    const entries = await cacheEntryCount(stack.redisPort);
    return entries > 0 && uncacheable.headers.get("RateLimit-Limit") ? entries : undefined;
  }, 15_000);

  const logs = logsSince(worker, mark);
  const outageWarnings = logs.warningsByMessage["cache tier unavailable: treating it as a miss"] ?? 0;
  ctx.report(
    faultRecord("redis-server killed (SIGKILL), then restarted", "every request 200; rate limiter fails open; L2 used again within seconds", summary, {
      faultMs,
      rowsLost: villesBefore - (await countVilles(stack.primary.url)),
      logs,
      details: {
        responsesWithRateLimitHeadersDuringOutage: limiterHeaders,
        l2EntriesAfterRestart: recovery.value ?? 0,
        l2BackInUseAfterMs: recovery.afterMs,
        cacheTierUnavailableWarnings: outageWarnings,
      },
    }),
  );

  assert.equal(summary.non2xx, 0, `non-2xx during the outage: ${JSON.stringify(summary.responses.filter((r) => r.status !== 200).slice(0, 3))}`);
  // The limiter counts requests off the response path: with Redis dead its background check
  // fails and every request still answers (asserted above); the outage is logged on change,
  // never once per request.
  const limiterWarnings = logs.warningsByMessage["rate limiter unavailable: failing open"] ?? 0;
  assert.ok(limiterWarnings <= 3, `rate limiter outage warnings: ${limiterWarnings} for ${summary.requests} requests`);
  assert.ok(recovery.value, `no L2 entry and no rate-limit header within 15 s of the restart`);
  assert.equal(logs.errors, 0, "error-level lines were logged during the outage");
  assert.ok(outageWarnings >= 1 && outageWarnings <= MAX_OUTAGE_WARNINGS, `"cache tier unavailable" logged ${outageWarnings} times`);
}
