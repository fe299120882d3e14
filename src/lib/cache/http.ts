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
  const json = JSON.stringify(options.body);
  const etag = await strongEtag(json);
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
