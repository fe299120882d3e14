import { register } from "node:module";

/**
 * Node cannot load the runtime's `cloudflare:` modules (src/lib/cache/edge-cache.ts imports
 * cloudflare:workers), and the document route uses none of them: they resolve to inert stand-ins
 * here, for this Node-only script.
 */
const CLOUDFLARE_STUB = [
  "export const cache = undefined; export const env = {}; export default {};",
  "export class WorkerEntrypoint {} export class WorkflowEntrypoint {} export class DurableObject {}",
  "export class NonRetryableError extends Error {}",
].join(" ");
register(
  `data:text/javascript,${encodeURIComponent(`export async function resolve(specifier, context, next) {
    if (specifier.startsWith("cloudflare:")) return { url: "data:text/javascript," + encodeURIComponent(${JSON.stringify(CLOUDFLARE_STUB)}), shortCircuit: true };
    return next(specifier, context);
  }`)}`,
);

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
