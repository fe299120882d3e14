import { afterAll, describe, expect, it } from "vitest";
import { CRON_SCHEDULE } from "../src/cron/schedule.ts";
import { cronRunOf, deleteTestVilles, insertTestVilles, jobLines, runCron } from "./helpers/cron.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";

const JOB = "rebuild-heavy-prefixes";
const CODES = ["99431"];

afterAll(() => deleteTestVilles(CODES));

const setWatermark = (value: string) =>
  sqlOn(primaryUrl()).query(`update search_state set value = jsonb_set(value, '{watermark}', to_jsonb(${value})) where key = 'heavy_prefixes'`);

describe(`cron ${CRON_SCHEDULE.rebuildHeavyPrefixes}: rebuild the heavy prefixes`, () => {
  it("skips when no ville changed since the last rebuild", async () => {
    await setWatermark("'infinity'::timestamptz");
    const [line] = jobLines(await runCron(CRON_SCHEDULE.rebuildHeavyPrefixes), JOB);
    expect(line).toMatchObject({ level: "info", outcome: "skipped: heavy prefixes up to date" });
  });

  it("rebuilds when a ville changed after the watermark, and moves the watermark", async () => {
    await setWatermark("(select max(updated_at) from villes)");
    await insertTestVilles(CODES);
    const [line] = jobLines(await runCron(CRON_SCHEDULE.rebuildHeavyPrefixes), JOB);
    expect(line).toMatchObject({ outcome: "success" });
    expect((line!.counts as { prefixes: number }).prefixes).toBeGreaterThan(10);

    const [state] = await sqlOn(primaryUrl()).query(
      "select (value ->> 'watermark')::timestamptz >= (select updated_at from villes where code_insee = $1) as current from search_state where key = 'heavy_prefixes'",
      [CODES[0]],
    );
    expect(state?.current).toBe(true);
    expect(await cronRunOf(JOB)).toMatchObject({ last_outcome: "success" });
  });
});
