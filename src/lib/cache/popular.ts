import type { Redis } from "@upstash/redis/cloudflare";
import type { Services } from "../services.ts";
import { describeError } from "../logger.ts";
import { refreshAutocomplete, type AutocompleteInput } from "../villes/autocomplete-service.ts";

const HOUR_MS = 3_600_000;

/** One request in ten is counted: enough to rank the popular prefixes, a tenth of the writes. */
export const POPULAR_SAMPLE_RATE = 0.1;

/** The most members a bucket keeps when it is trimmed: its top queries. */
export const POPULAR_BUCKET_SIZE = 1_000;

/** One counted query in ten also trims its bucket: a newcomer gets a few writes to climb first. */
const POPULAR_TRIM_RATE = POPULAR_SAMPLE_RATE / 10;

/** The buckets the warm job reads, current hour first: a count weighs half as much each hour. */
export const POPULAR_BUCKET_WEIGHTS = [1, 0.5, 0.25];

/**
 * A bucket outlives the last read that includes it (its hour and the next two) by an hour.
 * So Redis holds at most four buckets, each of POPULAR_BUCKET_SIZE members plus the writes
 * since its last trim (about ten on average), and a member is under 200 bytes (q is at most
 * 100 characters): under 1 MB, whatever the traffic or the variety of queries.
 */
export const POPULAR_BUCKET_TTL_SECONDS = (POPULAR_BUCKET_WEIGHTS.length + 1) * 3_600;

/** The hour-long bucket that counts the queries made at `time`. */
export const popularBucketKey = (time: number) => `lieux:popular:autocomplete:${Math.floor(time / HOUR_MS)}`;

/**
 * Counts a query in this hour's bucket, for a sample of requests, in the request's background
 * pipeline. The pipeline runs its commands in order, so EXPIRE follows the ZINCRBY that may
 * create the bucket, and a bucket is left without expiry only if Redis fails between the two.
 */
export function recordPopularQuery(services: Services, input: AutocompleteInput, random = Math.random(), now = Date.now()): void {
  const batch = services.redisBatch;
  if (!batch || random >= POPULAR_SAMPLE_RATE) return;
  const key = popularBucketKey(now);
  const member = JSON.stringify({ q: input.q.trim().toLowerCase(), limit: input.limit, departement: input.departement, region: input.region, type: input.type });
  const writes = [batch.send(["ZINCRBY", key, 1, member]), batch.send(["EXPIRE", key, POPULAR_BUCKET_TTL_SECONDS])];
  if (random < POPULAR_TRIM_RATE) writes.push(batch.send(["ZREMRANGEBYRANK", key, 0, -(POPULAR_BUCKET_SIZE + 1)]));
  // A lost sample only makes the ranking slightly less exact: no log line per failure.
  services.background(Promise.all(writes).catch(() => undefined));
}

export interface PopularQuery {
  /** The counted query, as recorded (JSON). */
  member: string;
  /** Its count over the last buckets, each weighted by POPULAR_BUCKET_WEIGHTS. */
  score: number;
}

/** The `count` most popular queries at `now`, over the last few hours with older counts decayed. */
export async function topPopular(redis: Redis, count: number, now = Date.now()): Promise<PopularQuery[]> {
  const keys = POPULAR_BUCKET_WEIGHTS.map((_, hoursAgo) => popularBucketKey(now - hoursAgo * HOUR_MS));
  const flat = (await redis.zunion(keys.length, keys, { weights: POPULAR_BUCKET_WEIGHTS, withScores: true })) as unknown[];
  const ranked: PopularQuery[] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) {
    // The client parses JSON replies: a member comes back as an object, a score as a number.
    const member = flat[index];
    ranked.push({ member: typeof member === "string" ? member : JSON.stringify(member), score: Number(flat[index + 1]) });
  }
  ranked.sort((a, b) => b.score - a.score || a.member.localeCompare(b.member));
  return ranked.slice(0, count);
}

/**
 * Loads the top `count` popular queries through the same cache path the route uses,
 * so popular prefixes stay warm in L2 (and in this data centre's L1).
 */
export async function warmPopular(services: Services, count: number, now = Date.now()): Promise<{ warmed: number; failed: number }> {
  // A cron run answers nobody: the longer deadline suits a read of a few buckets.
  const redis = services.backgroundRedis ?? services.redis;
  if (!redis) return { warmed: 0, failed: 0 };
  let warmed = 0;
  let failed = 0;
  for (const { member } of await topPopular(redis, count, now)) {
    try {
      await refreshAutocomplete(services, JSON.parse(member) as AutocompleteInput);
      warmed++;
    } catch (error) {
      failed++;
      services.logger.log("warn", "warming a popular query failed", describeError(error));
    }
  }
  return { warmed, failed };
}
