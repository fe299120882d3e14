import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

describe("format and fields reject what they do not know, naming the parameter", () => {
  it.each([
    ["/v1/villes/44109?format=kml", "format"],
    ["/v1/villes/44109?fields=nom,altitude", "fields"],
    ["/v1/villes?fields=distance_m", "fields"],
    ["/v1/villes?format=GEOJSON", "format"],
    ["/v1/villes/autocomplete?q=nant&fields=population,secret", "fields"],
  ])("%s → 400 naming %s", async (path, field) => {
    const response = await callWorker(path);
    expect(response.status, await response.clone().text()).toBe(400);
    const { error } = (await response.json()) as { error: { details: Array<{ field: string; message: string }> } };
    expect(error.details.map((issue) => issue.field)).toEqual([field]);
  });

  it("lists the known fields in the message", async () => {
    const response = await callWorker("/v1/villes/44109?fields=altitude");
    const { error } = (await response.json()) as { error: { details: Array<{ message: string }> } };
    expect(error.details[0]!.message).toBe(
      "unknown field(s) altitude; known: code_insee, nom, slug, type, parent_code, codes_postaux, code_postal_principal, departement, region, population, latitude, longitude, coordinates_precision",
    );
  });
});
