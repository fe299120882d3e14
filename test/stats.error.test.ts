import { describe, it } from "vitest";
import { expectInvalidParameter } from "./helpers/pages.ts";
import { callWorker } from "./helpers/worker.ts";

describe("stats routes with bad input", () => {
  it.each([
    ["/v1/stats?foo=1", "foo"],
    ["/v1/stats?zone=metro", "zone"],
    ["/v1/stats?region=52", "region"],
    ["/v1/stats/regions?zone=mars", "zone"],
    ["/v1/stats/regions?zone=", "zone"],
    ["/v1/stats/regions?region=52", "region"],
    ["/v1/stats/regions?limit=5", "limit"],
    ["/v1/stats/departements?region=ZZ", "region"],
    ["/v1/stats/departements?region=", "region"],
    ["/v1/stats/departements?zone=METRO", "zone"],
    ["/v1/stats/departements?departement=44", "departement"],
  ])("answers 400 for %s naming %s", async (path, field) => {
    await expectInvalidParameter(await callWorker(path), field);
  });
});
