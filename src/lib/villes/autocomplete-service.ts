import type { Services } from "../services.ts";
import { presentVille, type VilleResponse } from "../api/ville.ts";
import type { KeyParts } from "../cache/request-cache.ts";
import type { Cached } from "../cache/swr.ts";
import { normalizeQuery } from "../search/query.ts";
import type { MatchKind } from "../search/types.ts";
import type { VilleType } from "../db/schema.ts";

export interface AutocompleteInput {
  q: string;
  limit: number;
  departement?: string;
  region?: string;
  type?: VilleType;
}

/** What the cache keeps for one query: everything but the caller's raw text. */
export interface AutocompletePayload {
  match: MatchKind;
  results: Array<VilleResponse & { nom_highlight: string; ancien_nom?: string }>;
  backend: "postgres" | "meilisearch";
  engineMs: number;
}

/** Equal queries share one entry: the key holds the normalised text, never the raw one. */
export function autocompleteKeyParts(input: AutocompleteInput): KeyParts {
  return { q: normalizeQuery(input.q), limit: input.limit, departement: input.departement, region: input.region, type: input.type };
}

async function search(services: Services, input: AutocompleteInput): Promise<AutocompletePayload> {
  const result = await services.search.autocomplete({
    q: input.q,
    limit: input.limit,
    filters: { departement: input.departement, region: input.region, type: input.type },
  });
  return {
    match: result.match,
    results: result.hits.map((hit) => ({
      ...presentVille(hit.ville),
      nom_highlight: hit.nomHighlight,
      ...(hit.ancienNom === undefined ? {} : { ancien_nom: hit.ancienNom }),
    })),
    backend: result.backend,
    engineMs: result.engineMs,
  };
}

/** Autocomplete through the cache layers; the route and the warmer both come here. */
export function cachedAutocomplete(services: Services, input: AutocompleteInput): Promise<Cached<AutocompletePayload>> {
  return services.cache.read("autocomplete", autocompleteKeyParts(input), () => search(services, input));
}

/** Loads and stores a query now, whatever is cached (cache warming). */
export function refreshAutocomplete(services: Services, input: AutocompleteInput): Promise<AutocompletePayload> {
  return services.cache.refresh("autocomplete", autocompleteKeyParts(input), () => search(services, input));
}
