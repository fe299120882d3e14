import { describeError } from "../logger.ts";
import type { Services } from "../services.ts";
import { nearCandidates } from "../db/queries/near-candidates.ts";
import { highlightName } from "../search/highlight.ts";
import { blendNear, type NearPoint } from "../search/near.ts";
import { normalizeQuery, queryWords } from "../search/query.ts";
import { DEFAULT_TYPE_SCOPE, type AutocompleteHit, type AutocompleteResult } from "../search/types.ts";
import type { AutocompleteInput } from "./autocomplete-service.ts";

/** Hits the engine ranks before the near blend re-ranks them (the route's largest limit). */
const NEAR_ENGINE_CANDIDATES = 20;

/**
 * Autocomplete biased towards `near`: the engine's top NEAR_ENGINE_CANDIDATES and Postgres's
 * nearby candidates, asked side by side, re-ranked by blendNear (src/lib/search/near.ts).
 * The nearby candidates improve the answer but are not needed for one: if Postgres cannot
 * give them, the engine's hits are still re-ranked.
 */
export async function searchNear(services: Services, input: AutocompleteInput, near: NearPoint): Promise<AutocompleteResult> {
  const filters = { departement: input.departement, region: input.region, type: input.type };
  const normalized = normalizeQuery(input.q);
  const types = input.type ? [input.type] : DEFAULT_TYPE_SCOPE;
  let nearbyUnavailable = false;
  const [result, nearby] = await Promise.all([
    services.search.autocomplete({ q: input.q, limit: Math.max(input.limit, NEAR_ENGINE_CANDIDATES), filters }),
    services.databases
      .read((db) => nearCandidates(db, normalized, near.latitude, near.longitude, { ...filters, types }))
      .catch((error: unknown) => {
        services.logger.log("warn", "near: nearby candidates unavailable", describeError(error));
        nearbyUnavailable = true;
        return [];
      }),
  ]);
  const words = queryWords(normalized);
  const extra: AutocompleteHit[] = result.match === "prefix" ? nearby.map((ville) => ({ ville, nomHighlight: highlightName(ville.nom, words) })) : [];
  const partial = result.partial ?? (nearbyUnavailable ? ("near_candidates" as const) : undefined);
  return { ...result, hits: blendNear(result.hits, extra, near, normalized, input.limit), ...(partial ? { partial } : {}) };
}
