/**
 * The OpenAPI document exactly as `GET /openapi.json` serves it, built without a server:
 * the app answers the request in Node (the document route needs no bindings or services).
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const { app } = await import("../../src/app.ts");
  const response = await app.request("/openapi.json");
  if (!response.ok) throw new Error(`/openapi.json answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}
