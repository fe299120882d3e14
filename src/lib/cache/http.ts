import type { Context } from "hono";
import { edgeCacheTag } from "./edge-cache.ts";
import type { CacheNamespace } from "./generation.ts";
import { policyFor } from "./policies.ts";
import type { Served } from "./swr.ts";
import { currentRequestTimings, type RequestTimings } from "../timing.ts";

export interface TimingEntry {
  name: string;
  durationMs?: number;
  description?: string;
}

export function serverTiming(entries: TimingEntry[]): string {
  return entries
    .map((entry) => {
      let value = entry.name;
      if (entry.durationMs !== undefined) value += `;dur=${entry.durationMs.toFixed(1)}`;
      if (entry.description !== undefined) value += `;desc="${entry.description}"`;
      return value;
    })
    .join(", ");
}

/** `db` only when this request asked Postgres, with the time its queries took. */
function databaseTiming(timings: RequestTimings | undefined): TimingEntry[] {
  const durationMs = timings?.total("db");
  return durationMs === undefined ? [] : [{ name: "db", durationMs }];
}

async function strongEtag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  let binary = "";
  for (const byte of digest.subarray(0, 18)) binary += String.fromCharCode(byte);
  return `"${btoa(binary).replaceAll("+", "-").replaceAll("/", "_")}"`;
}

function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((candidate) => {
    const tag = candidate.trim();
    return tag === "*" || tag === etag || tag === `W/${etag}`;
  });
}

/** A response body built from a cached value, with what makes it differ between requests. */
export interface DerivedBody {
  /** The cached value the body is built from (an L0 hit's is one frozen object shared by requests). */
  from: object;
  /** Everything else the body depends on (the echoed query, format, fields), as a string. */
  variant: string;
  build(): unknown;
}

/** Bodies kept per cached value: a few spellings and formats of one query. */
const MAX_VARIANTS_PER_VALUE = 8;

/**
 * Module scope on purpose: an L0 hit serves the same frozen value to every request of the
 * isolate, so its serialised body and ETag are computed once per value and variant instead of
 * per request (together an eighth of an L0 hit's CPU). Weak: an entry lives as long as its
 * value does (L0 or a request still holds it); plain strings only, no I/O.
 */
const serializedBodies = new WeakMap<object, Map<string, { json: string; etag: string }>>();

async function serialized(body: unknown): Promise<{ json: string; etag: string }> {
  if (!isDerived(body)) {
    const json = JSON.stringify(body);
    return { json, etag: await strongEtag(json) };
  }
  let variants = serializedBodies.get(body.from);
  const known = variants?.get(body.variant);
  if (known) return known;
  const json = JSON.stringify(body.build());
  const result = { json, etag: await strongEtag(json) };
  if (!variants) serializedBodies.set(body.from, (variants = new Map()));
  if (variants.size >= MAX_VARIANTS_PER_VALUE) variants.delete(variants.keys().next().value!);
  variants.set(body.variant, result);
  return result;
}

const DERIVED = Symbol("derived body");
const isDerived = (body: unknown): body is DerivedBody => typeof body === "object" && body !== null && DERIVED in body;

/** Marks a body as built from a cached value, so cachedJson may reuse its serialisation. */
export const derivedBody = (body: DerivedBody): DerivedBody => Object.assign(body, { [DERIVED]: true });

/**
 * A cacheable JSON response: Cache-Control from the namespace's policy, a strong ETag
 * over the exact body with If-None-Match → 304, and Server-Timing naming the cache layer
 * that answered and, on a hit, how long the lookup took. Public data is the same for
 * every caller, so the response is public whoever asks, unless it is `perCaller`.
 */
export async function cachedJson(
  c: Context,
  options: {
    namespace: CacheNamespace;
    served: Served;
    /** The body, or a derivedBody whose serialisation is kept for its cached value. */
    body: unknown;
    status?: 200 | 404;
    timings?: TimingEntry[];
    contentType?: string;
    /**
     * The answer depends on something outside the URL (near=auto: the caller's location):
     * `private`, so that no shared cache (Workers Cache, a CDN, a proxy) hands it to another caller.
     */
    perCaller?: boolean;
  },
): Promise<Response> {
  const { json, etag } = await serialized(options.body);
  const policy = policyFor(options.namespace);
  const scope = options.perCaller ? "private" : "public";
  // A degraded answer the tiers did not keep: no HTTP cache keeps it either.
  const cacheControl = options.served.uncached ? "no-store" : `${scope}, max-age=${policy.httpMaxAgeSeconds}, stale-while-revalidate=${policy.httpStaleWhileRevalidateSeconds}`;
  const shared = !options.perCaller && !options.served.uncached;
  const headers: Record<string, string> = {
    "Cache-Control": cacheControl,
    // Lets an import's generation bump purge this answer from Workers Cache (src/lib/cache/edge-cache.ts).
    ...(shared ? { "Cache-Tag": edgeCacheTag(options.namespace) } : {}),
    ETag: etag,
    "Server-Timing": serverTiming([
      { name: "cache", durationMs: options.served.lookupMs, description: options.served.layer },
      ...(options.timings ?? []),
      ...databaseTiming(currentRequestTimings.getStore()),
    ]),
  };
  if (matchesEtag(c.req.header("If-None-Match"), etag)) return c.body(null, 304, headers);
  return c.body(json, options.status ?? 200, { ...headers, "Content-Type": `${options.contentType ?? "application/json"}; charset=UTF-8` });
}
