import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

type Operation = { summary?: string; parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> };

describe("the read API in /openapi.json", () => {
  it("documents the listing, the single commune and the reference lists", async () => {
    const document = (await (await callWorker("/openapi.json")).json()) as { paths: Record<string, Record<string, Operation>> };
    const names = (path: string) => document.paths[path]?.get?.parameters?.map((parameter) => parameter.name).sort();
    expect(names("/v1/villes")).toEqual(["cursor", "departement", "fields", "format", "limit", "order", "population_min", "region", "type"]);
    expect(names("/v1/villes/{code_insee}")).toEqual(["code_insee", "fields", "format", "type"]);
    expect(names("/v1/villes/nearest")).toEqual(["fields", "format", "lat", "limit", "lon"]);
    expect(names("/v1/departements")).toEqual(["region", "zone"]);
    expect(names("/v1/departements/{code}")).toEqual(["code"]);
    expect(names("/v1/regions")).toEqual(["zone"]);
    expect(names("/v1/regions/{code}")).toEqual(["code"]);
    for (const path of ["/v1/villes/{code_insee}", "/v1/departements/{code}", "/v1/regions/{code}"]) {
      expect(Object.keys(document.paths[path]!.get!.responses), path).toEqual(expect.arrayContaining(["200", "400", "404"]));
    }
    expect(document.paths["/v1/villes"]!.get!.summary).toBe("List communes, one keyset page at a time");
    expect(document.paths["/v1/villes/nearest"]!.get!.summary).toBe("Communes whose centre is nearest a point");
  });

  it("describes both shapes of every ville route: JSON and GeoJSON, with the points' licence", async () => {
    type Content = Record<string, { schema: { $ref?: string } }>;
    const document = (await (await callWorker("/openapi.json")).json()) as {
      info: { description: string };
      paths: Record<string, { get: { responses: Record<string, { content?: Content }> } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const shapes = (path: string) => Object.keys(document.paths[path]!.get.responses["200"]!.content ?? {}).sort();
    for (const path of ["/v1/villes/autocomplete", "/v1/villes", "/v1/villes/nearest", "/v1/villes/{code_insee}"]) {
      expect(shapes(path), path).toEqual(["application/geo+json", "application/json"]);
    }
    expect(document.paths["/v1/villes/{code_insee}"]!.get.responses["200"]!.content!["application/geo+json"]!.schema.$ref).toBe("#/components/schemas/VilleFeature");
    expect(Object.keys(document.components.schemas.AutocompleteFeatureCollection!.properties!)).toEqual(["type", "features"]);
    expect(Object.keys(document.components.schemas.Ville!.properties!)).toContain("coordinates_precision");
    expect(document.info.description).toContain("GeoNames");
    expect(document.info.description).toContain("CC-BY 4.0");
  });
});
