import { CRON_SCHEDULE } from "../src/cron/schedule.ts";

/**
 * `npm run cache:warm`: asks the running Worker (npm start, or WORKER_URL) to run the
 * popular-searches warm job now, through wrangler's scheduled-event endpoint.
 */
const base = process.env.WORKER_URL ?? `http://127.0.0.1:${process.env.PORT ?? "8787"}`;
const url = `${base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(CRON_SCHEDULE.warmPopularSearches)}`;
const response = await fetch(url).catch((error: unknown) => {
  console.error(`cache:warm: ${base} is not answering (${String(error)}). Start it with npm start.`);
  process.exit(1);
});
console.log(`cache:warm: ${response.status} ${await response.text()}`);
process.exit(response.ok ? 0 : 1);
