import type { Services } from "../services.ts";
import { describeError } from "../logger.ts";
import { refreshAutocomplete, type AutocompleteInput } from "../villes/autocomplete-service.ts";

const POPULAR_KEY = "lieux:popular:autocomplete";

/** One request in ten is counted: enough to rank the popular prefixes, a tenth of the writes. */
export const POPULAR_SAMPLE_RATE = 0.1;

/** Counts a query in the popular set, in the background and only for a sample of requests. */
export function recordPopularQuery(services: Services, input: AutocompleteInput, random = Math.random()): void {
  const redis = services.backgroundRedis;
  if (!redis || random >= POPULAR_SAMPLE_RATE) return;
  const member = JSON.stringify({ q: input.q.trim().toLowerCase(), limit: input.limit, departement: input.departement, region: input.region, type: input.type });
  // A lost sample only makes the ranking slightly less exact: no log line per failure.
  services.background(redis.zincrby(POPULAR_KEY, 1, member).catch(() => undefined));
}

/**
 * Loads the top `count` popular queries through the same cache path the route uses,
 * so popular prefixes stay warm in L2 (and in this data centre's L1).
 */
export async function warmPopular(services: Services, count: number): Promise<{ warmed: number; failed: number }> {
  if (!services.redis) return { warmed: 0, failed: 0 };
  const members = await services.redis.zrange<string[]>(POPULAR_KEY, 0, count - 1, { rev: true });
  let warmed = 0;
  let failed = 0;
  for (const member of members) {
    try {
      const input = (typeof member === "string" ? JSON.parse(member) : member) as AutocompleteInput;
      await refreshAutocomplete(services, input);
      warmed++;
    } catch (error) {
      failed++;
      services.logger.log("warn", "warming a popular query failed", describeError(error));
    }
  }
  return { warmed, failed };
}
