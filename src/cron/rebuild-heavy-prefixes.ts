import { rebuildHeavyPrefixes } from "../lib/search/heavy-prefixes.ts";
import { readHeavyPrefixWatermark } from "../lib/search/heavy-prefix-watermark.ts";
import { rebuildTypoDictionary } from "../lib/search/typo-dictionary.ts";
import type { CronJob } from "./job.ts";
import { CRON_SCHEDULE } from "./schedule.ts";

/**
 * Nightly safety net: imports rebuild the heavy prefixes and the typo dictionary themselves,
 * so this rebuilds both only when a write reached villes without an import (the watermark
 * is behind max(updated_at)).
 */
export const rebuildHeavyPrefixesJob: CronJob = {
  name: "rebuild-heavy-prefixes",
  cron: CRON_SCHEDULE.rebuildHeavyPrefixes,
  async run({ services }) {
    const primary = services.databases.primary;
    const before = await readHeavyPrefixWatermark(primary);
    if (!before.behind) return { outcome: "skipped: heavy prefixes up to date", counts: { watermark: before.watermark } };
    const started = performance.now();
    const prefixes = await rebuildHeavyPrefixes(primary);
    const typoNames = await rebuildTypoDictionary(primary);
    return {
      outcome: "success",
      counts: { prefixes, typoNames, rebuildMs: Math.round(performance.now() - started), previousWatermark: before.watermark, latestChange: before.latestChange },
    };
  },
};
