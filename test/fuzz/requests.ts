import fc from "fast-check";
import { encodeCursor } from "../../src/lib/cursor.ts";
import { chunkBody, contentType, jobBody } from "./bodies.ts";
import { encodedValue, queryString } from "./values.ts";

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

const TYPES = ["commune-actuelle", "commune-deleguee", "commune-associee", "arrondissement-municipal"];
const DEPARTEMENTS = ["44", "2A", "2b", "976", "01", "75"];
const REGIONS = ["52", "84", "11", "94"];
const ZONES = ["metro", "drom", "com"];

/** Each public route with its parameters and a few values that pass validation. */
const PUBLIC_ROUTES: Array<{ path: fc.Arbitrary<string>; params: Record<string, readonly string[]> }> = [
  {
    path: fc.constant("/v1/villes/autocomplete"),
    params: { q: ["nant", "saint", "st et", "75", "l'hay", "Saint-Étienne", "44109"], limit: ["1", "10", "20"], departement: DEPARTEMENTS, region: REGIONS, type: TYPES },
  },
  {
    path: fc.constant("/v1/villes"),
    params: { limit: ["1", "50", "100"], cursor: [], order: ["nom", "-population", "-created_at"], departement: DEPARTEMENTS, region: REGIONS, type: TYPES, population_min: ["0", "100000"] },
  },
  { path: encodedValue(["44109", "2A004", "75056"]).map((code) => `/v1/villes/${code}`), params: { type: TYPES } },
  { path: fc.constant("/v1/departements"), params: { region: REGIONS, zone: ZONES } },
  { path: encodedValue(DEPARTEMENTS).map((code) => `/v1/departements/${code}`), params: {} },
  { path: fc.constant("/v1/regions"), params: { zone: ZONES } },
  { path: encodedValue(REGIONS).map((code) => `/v1/regions/${code}`), params: {} },
  { path: fc.constantFrom("/v1/stats", "/v1/stats/regions", "/v1/stats/departements"), params: { region: REGIONS, zone: ZONES } },
  { path: fc.constantFrom("/health", "/openapi.json", "/docs", "/v1/unknown", "/v1/villes/autocomplete/extra", "/v1//villes"), params: {} },
];

const visibleAscii = fc.stringMatching(/^[\x21-\x7e]{1,80}$/);
/** Printable ASCII: what a browser can send at all (fetch refuses CR, LF, NUL and non-Latin-1; workerd warns on the rest). */
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,100}$/);

const publicHeaders = fc.record(
  {
    "If-None-Match": fc.oneof(headerValue, fc.constantFrom("*", '"abc"', 'W/"abc"', '"a", "b"')),
    Origin: fc.oneof(headerValue, fc.constantFrom("https://evil.example", "null")),
    Authorization: fc.oneof(headerValue, visibleAscii.map((token) => `Bearer ${token}`)),
    "X-Request-Id": headerValue,
    "CF-Connecting-IP": headerValue,
  },
  { requiredKeys: [] },
);

export const publicRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.constantFrom(...PUBLIC_ROUTES),
    fc.oneof({ weight: 12, arbitrary: fc.constant("GET") }, { weight: 1, arbitrary: fc.constantFrom("HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH") }),
    publicHeaders,
  )
  .chain(([route, method, headers]) =>
    fc.tuple(route.path, queryString(route.params)).map(([path, query]) => ({ method, path: path + query, headers })),
  );

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const ORDERS = ["nom", "-population", "-created_at"] as const;
const LISTING_FILTERS = { departement: undefined, region: undefined, type: undefined, populationMin: undefined };

export type CursorForgery = { order: string; cursor: string } | { order: string; foreignSecret: string; key: unknown };

/** Cursors a client could forge: random text, a plausible payload with a made-up signature, or one signed with another secret. */
export const forgedCursor: fc.Arbitrary<CursorForgery> = fc.oneof(
  fc.tuple(fc.constantFrom(...ORDERS), fc.stringMatching(/^[A-Za-z0-9_.=+/-]{0,400}$/)).map(([order, cursor]) => ({ order, cursor })),
  fc
    .tuple(
      fc.constantFrom(...ORDERS),
      fc.record({ version: fc.constantFrom(1, 2, "1"), order: fc.constantFrom(...ORDERS, "x"), filters: fc.string(), direction: fc.constantFrom("next", "previous", "up"), key: fc.jsonValue({ maxDepth: 2 }) }),
      fc.uint8Array({ minLength: 0, maxLength: 40 }),
    )
    .map(([order, payload, signature]) => ({ order, cursor: `${base64url(new TextEncoder().encode(JSON.stringify(payload)))}.${base64url(signature)}` })),
  fc
    .tuple(fc.constantFrom(...ORDERS), fc.string({ minLength: 1, maxLength: 40 }), fc.jsonValue({ maxDepth: 2 }))
    .map(([order, secret, key]) => ({ order, foreignSecret: `other-${secret}`, key })),
);

/** The cursor text of a forgery; signing with another secret is async, so it happens here rather than in the arbitrary. */
export async function cursorText(forgery: CursorForgery): Promise<string> {
  if ("cursor" in forgery) return forgery.cursor;
  return encodeCursor({ direction: "next", key: forgery.key }, { secret: forgery.foreignSecret, order: forgery.order, filters: LISTING_FILTERS });
}

const adminPath = fc.oneof(
  fc.constant("/v1/admin/imports"),
  fc.tuple(fc.oneof(fc.uuid(), encodedValue()), fc.oneof(fc.integer({ min: -1, max: 100_001 }).map(String), encodedValue())).map(([id, n]) => `/v1/admin/imports/${id}/chunks/${n}`),
  fc.oneof(fc.uuid(), encodedValue()).map((id) => `/v1/admin/imports/${id}/commit`),
  fc.oneof(fc.uuid(), encodedValue()).map((id) => `/v1/admin/imports/${id}`),
  queryString({ limit: ["1"], status: ["open"], cursor: [] }).map((query) => `/v1/admin/imports${query}`),
  encodedValue().map((rest) => `/v1/admin/${rest}`),
);

/** Anything but the valid token: nothing, a wrong token, a near miss, another scheme, junk. */
export function adminCredentials(validToken: string): fc.Arbitrary<Record<string, string>> {
  return fc.oneof(
    fc.constant({}),
    visibleAscii.filter((token) => token !== validToken).map((token) => ({ Authorization: `Bearer ${token}` })),
    fc.nat().map((at) => ({ Authorization: `Bearer ${validToken.slice(0, at % validToken.length)}` })),
    fc.constantFrom(`Bearer ${validToken}x`, `Bearer  ${validToken}`, `Basic ${btoa(`admin:${validToken}`)}`, `Token ${validToken}`).map((header) => ({ Authorization: header })),
    headerValue.map((header) => ({ Authorization: header })),
  );
}

export function adminRequest(credentials: fc.Arbitrary<Record<string, string>>): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(fc.constantFrom("GET", "POST", "PUT", "DELETE", "OPTIONS"), adminPath, credentials, contentType, fc.oneof(chunkBody, jobBody))
    .map(([method, path, auth, type, body]) => ({
      method,
      path,
      headers: { ...auth, ...(type ? { "Content-Type": type } : {}) },
      ...(method === "GET" || method === "OPTIONS" ? {} : { body }),
    }));
}
