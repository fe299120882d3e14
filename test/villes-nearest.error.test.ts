import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

async function badRequest(path: string): Promise<{ message: string; fields: string[] }> {
  const response = await callWorker(path);
  expect(response.status, await response.clone().text()).toBe(400);
  const { error } = (await response.json()) as { error: { code: string; message: string; details: Array<{ field: string }> } };
  expect(error.code).toBe("invalid_parameter");
  return { message: error.message, fields: error.details.map((issue) => issue.field) };
}

describe("GET /v1/villes/nearest rejects bad input with a 400 naming the parameter", () => {
  it.each([
    ["lat=NaN&lon=2", "lat"],
    ["lat=47&lon=nan", "lon"],
    ["lat=Infinity&lon=2", "lat"],
    ["lat=1e1&lon=2", "lat"],
    ["lat=90.0001&lon=2", "lat"],
    ["lat=-91&lon=2", "lat"],
    ["lat=47&lon=180.5", "lon"],
    ["lat=47&lon=-181", "lon"],
    ["lat=&lon=2", "lat"],
    ["lon=2", "lat"],
    ["lat=47", "lon"],
    ["lat=47&lon=2&limit=0", "limit"],
    ["lat=47&lon=2&limit=51", "limit"],
    ["lat=47&lon=2&format=kml", "format"],
    ["lat=47&lon=2&fields=nom,altitude", "fields"],
    ["lat=47&lon=2&fields=", "fields"],
    ["lat=47&lon=2&near=47,2", "near"],
  ])("%s → 400 naming %s", async (query, field) => {
    expect((await badRequest(`/v1/villes/nearest?${query}`)).fields).toEqual([field]);
  });

  it("accepts the bounds themselves", async () => {
    for (const query of ["lat=90&lon=180", "lat=-90&lon=-180", "lat=0&lon=0"]) {
      expect((await callWorker(`/v1/villes/nearest?${query}&limit=1`)).status, query).toBe(200);
    }
  });

  it("names `near` on the routes that do not take it", async () => {
    expect((await badRequest("/v1/villes?near=47.2,-1.5")).fields).toEqual(["near"]);
    expect((await badRequest("/v1/villes/44109?near=47.2,-1.5")).fields).toEqual(["near"]);
    expect((await badRequest("/v1/departements?near=auto")).fields).toEqual(["near"]);
  });

  it("says which field is unknown and which are known", async () => {
    const { message } = await badRequest("/v1/villes/nearest?lat=47&lon=2&fields=altitude");
    expect(message).toBe("Invalid query: fields.");
    const response = await callWorker("/v1/villes/nearest?lat=47&lon=2&fields=altitude");
    const { error } = (await response.json()) as { error: { details: Array<{ message: string }> } };
    expect(error.details[0]!.message).toMatch(/^unknown field\(s\) altitude; known: code_insee, nom, /);
  });
});
