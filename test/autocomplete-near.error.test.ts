import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

async function fieldsOf400(query: string): Promise<string[]> {
  const response = await callWorker(`/v1/villes/autocomplete?${query}`);
  expect(response.status, await response.clone().text()).toBe(400);
  const { error } = (await response.json()) as { error: { code: string; details: Array<{ field: string }> } };
  expect(error.code).toBe("invalid_parameter");
  return error.details.map((issue) => issue.field);
}

describe("autocomplete's near, format and fields reject bad input with a 400 naming the parameter", () => {
  it.each([
    ["q=nant&near=NaN,NaN", "near"],
    ["q=nant&near=47.2", "near"],
    ["q=nant&near=91,0", "near"],
    ["q=nant&near=-90.5,0", "near"],
    ["q=nant&near=45,181", "near"],
    ["q=nant&near=45,-180.01", "near"],
    ["q=nant&near=", "near"],
    ["q=nant&near=here", "near"],
    ["q=nant&format=geo", "format"],
    ["q=nant&fields=nom,distance_m", "fields"],
    ["q=nant&fields=,", "fields"],
    ["q=nant&lat=47&lon=2", "lat,lon"],
  ])("%s → 400 naming %s", async (query, field) => {
    expect((await fieldsOf400(query)).join()).toBe(field);
  });

  it("accepts the bounds of near", async () => {
    for (const point of ["90,180", "-90,-180", "0,0"]) {
      expect((await callWorker(`/v1/villes/autocomplete?q=nant&near=${point}`)).status, point).toBe(200);
    }
  });
});
