import { describe, expect, it } from "vitest";
import { callWorker } from "./helpers/worker.ts";

type Operation = { summary?: string; parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> };

describe("the read API in /openapi.json", () => {
  it("documents the listing, the single commune and the reference lists", async () => {
    const document = (await (await callWorker("/openapi.json")).json()) as { paths: Record<string, Record<string, Operation>> };
    const names = (path: string) => document.paths[path]?.get?.parameters?.map((parameter) => parameter.name).sort();
    expect(names("/v1/villes")).toEqual(["cursor", "departement", "limit", "order", "population_min", "region", "type"]);
    expect(names("/v1/villes/{code_insee}")).toEqual(["code_insee", "type"]);
    expect(names("/v1/departements")).toEqual(["region", "zone"]);
    expect(names("/v1/departements/{code}")).toEqual(["code"]);
    expect(names("/v1/regions")).toEqual(["zone"]);
    expect(names("/v1/regions/{code}")).toEqual(["code"]);
    for (const path of ["/v1/villes/{code_insee}", "/v1/departements/{code}", "/v1/regions/{code}"]) {
      expect(Object.keys(document.paths[path]!.get!.responses), path).toEqual(expect.arrayContaining(["200", "400", "404"]));
    }
    expect(document.paths["/v1/villes"]!.get!.summary).toBe("List communes, one keyset page at a time");
  });
});
