import createClient, { type Client } from "openapi-fetch";
import { importChunks, type ImportChunkSource, type ImportOptions } from "./import.js";
import { unwrap } from "./errors.js";
import { retryingFetch, type RetryOptions } from "./retry.js";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };
export { LieuxApiError, type ErrorBody } from "./errors.js";
export { ImportUploadError, type ImportChunkSource, type ImportOptions, type ImportProgress } from "./import.js";
export type { RetryOptions } from "./retry.js";

type Schemas = components["schemas"];
export type Ville = Schemas["Ville"];
export type AutocompleteResult = Schemas["AutocompleteResult"];
/** The helpers send neither `fields` nor `format`, so every result is whole and the shape is JSON. */
export type Autocomplete = Omit<Schemas["Autocomplete"], "results"> & { results: AutocompleteResult[] };
export type VillePage = Omit<Schemas["VillePage"], "results"> & { results: Ville[] };
export type ImportJob = Schemas["ImportJob"];
export type ImportChunkReceipt = Schemas["ImportChunkReceipt"];
export type NewImportJob = Schemas["NewImportJob"];
export type VilleType = Ville["type"];

type AutocompleteQuery = Omit<NonNullable<paths["/v1/villes/autocomplete"]["get"]["parameters"]["query"]>, "fields" | "format">;
type ListQuery = Omit<NonNullable<paths["/v1/villes"]["get"]["parameters"]["query"]>, "fields" | "format">;

/** Query strings carry numbers as text; the helpers take numbers. */
type WithNumbers<T, K extends keyof T> = Omit<T, K> & { [P in K]?: number };
export type AutocompleteOptions = WithNumbers<Omit<AutocompleteQuery, "q">, "limit">;
export type VilleListOptions = WithNumbers<Omit<ListQuery, "cursor">, "limit" | "population_min">;

export interface LieuxClientOptions {
  /**
   * Origin of the lieux API.
   * @example "https://lieux.example"
   */
  baseUrl: string;
  /** Bearer token for the admin routes; the public reads need none. */
  token?: string;
  /**
   * Retries for network errors, timeouts, 429 and 5xx. A browser should not retry behind
   * the user's back, so only the admin helpers retry unless this is set.
   * @default undefined: public reads are not retried; admin calls use `{ attempts: 6 }`
   */
  retry?: RetryOptions;
  /** @default globalThis.fetch */
  fetch?: (request: Request) => Promise<Response>;
}

const numbers = <T extends Record<string, unknown>>(query: T) =>
  Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined).map(([key, value]) => [key, typeof value === "number" ? String(value) : value]));

/**
 * The typed lieux client: `api` is openapi-fetch over the generated `paths`, and the
 * helpers cover the common calls.
 * @example
 * const lieux = createLieuxClient({ baseUrl: "https://lieux.example" });
 * const { results } = await lieux.autocomplete("nant", { limit: 5 });
 */
export function createLieuxClient(options: LieuxClientOptions) {
  const fetchImpl = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const headers = options.token ? { Authorization: `Bearer ${options.token}` } : undefined;
  const api: Client<paths> = createClient<paths>({
    baseUrl: options.baseUrl,
    headers,
    fetch: options.retry ? retryingFetch(fetchImpl, options.retry) : fetchImpl,
  });
  const adminApi: Client<paths> = createClient<paths>({ baseUrl: options.baseUrl, headers, fetch: retryingFetch(fetchImpl, options.retry ?? {}) });

  const admin = {
    createJob: async (job: NewImportJob, idempotencyKey?: string) =>
      unwrap(await adminApi.POST("/v1/admin/imports", { body: job, params: { header: idempotencyKey ? { "idempotency-key": idempotencyKey } : {} } })),
    getJob: async (id: string) => unwrap(await adminApi.GET("/v1/admin/imports/{id}", { params: { path: { id } } })),
    putChunk: async (id: string, n: number, body: Uint8Array | string, contentType: "text/csv" | "application/x-ndjson") =>
      unwrap(
        await adminApi.PUT("/v1/admin/imports/{id}/chunks/{n}", {
          params: { path: { id, n: String(n) }, query: {} },
          // The body is already CSV or NDJSON: sent as is, never JSON-encoded.
          body: body as string,
          bodySerializer: (raw: unknown) => raw as string,
          headers: { "Content-Type": contentType },
        }),
      ),
    commit: async (id: string, options: { restart?: boolean } = {}) =>
      unwrap(await adminApi.POST("/v1/admin/imports/{id}/commit", { params: { path: { id }, query: options.restart ? { restart: "true" } : {} } })),
    /** Opens (or resumes) a job, uploads every chunk with bounded concurrency, commits, and resolves with the final job. */
    import: <Chunk extends ImportChunkSource>(importOptions: ImportOptions<Chunk>) => importChunks(admin, importOptions),
  };

  return {
    api,
    /** `GET /v1/villes/autocomplete`: what to show as the user types. */
    async autocomplete(q: string, query: AutocompleteOptions = {}, init: { signal?: AbortSignal } = {}): Promise<Autocomplete> {
      return unwrap(await api.GET("/v1/villes/autocomplete", { params: { query: { q, ...numbers(query) } }, ...init })) as Autocomplete;
    },
    /** `GET /v1/villes/{code_insee}`, or null when no commune has that code. */
    async getVille(codeInsee: string, query: { type?: VilleType } = {}, init: { signal?: AbortSignal } = {}): Promise<Ville | null> {
      const result = await api.GET("/v1/villes/{code_insee}", { params: { path: { code_insee: codeInsee }, query }, ...init });
      if (result.response.status === 404) return null;
      return unwrap(result) as Ville;
    },
    /**
     * The keyset walk over `GET /v1/villes`: one page per iteration, following each
     * page's `next` cursor until the last page.
     * @example for await (const page of lieux.villePages({ departement: "44", limit: 100 })) rows.push(...page.results);
     */
    async *villePages(query: VilleListOptions = {}, init: { signal?: AbortSignal } = {}): AsyncGenerator<VillePage, void, undefined> {
      let cursor: string | undefined;
      do {
        const page = unwrap(await api.GET("/v1/villes", { params: { query: { ...numbers(query), ...(cursor ? { cursor } : {}) } }, ...init })) as VillePage;
        yield page;
        cursor = page.next ? (new URL(page.next).searchParams.get("cursor") ?? undefined) : undefined;
      } while (cursor);
    },
    admin,
  };
}

export type LieuxClient = ReturnType<typeof createLieuxClient>;
export type LieuxAdmin = LieuxClient["admin"];
