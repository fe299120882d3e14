import { describe, expect, it } from "vitest";
import { expectInvalidParameter, type ErrorBody } from "./helpers/pages.ts";
import { callWorker } from "./helpers/worker.ts";

describe("reference lists with bad input", () => {
  it.each(["/v1/departements/99", "/v1/departements/970", "/v1/regions/99", "/v1/regions/123"])("answers 404 for %s", async (path) => {
    const response = await callWorker(path);
    expect(response.status).toBe(404);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe("not_found");
    expect(body.error.requestId).toBe(response.headers.get("X-Request-Id"));
  });

  it.each([
    ["/v1/departements/abc", "code"],
    ["/v1/departements/1", "code"],
    ["/v1/regions/x", "code"],
    ["/v1/departements?zone=mars", "zone"],
    ["/v1/departements?region=ZZ", "region"],
    ["/v1/departements?foo=1", "foo"],
    ["/v1/departements/44?foo=1", "foo"],
    ["/v1/regions?zone=", "zone"],
    ["/v1/regions?departement=44", "departement"],
    ["/v1/regions/52?zone=metro", "zone"],
    ["/v1/departements?region=52'%20OR%201=1--", "region"],
  ])("answers 400 for %s naming %s", async (path, field) => {
    await expectInvalidParameter(await callWorker(path), field);
  });
});
