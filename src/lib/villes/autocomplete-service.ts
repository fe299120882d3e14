import type { Services } from "../services.ts";
import { presentVille, type VilleResponse } from "../api/ville.ts";
import type { KeyParts } from "../cache/request-cache.ts";
import { notCached, type Cached } from "../cache/swr.ts";
import { normalizeQuery } from "../search/query.ts";
import type { AutocompleteResult, MatchKind } from "../search/types.ts";
import type { VilleType } from "../db/schema.ts";
import type { NearPoint } from "../search/near.ts";
import { searchNear } from "./autocomplete-near.ts";

export interface AutocompleteInput {
  q: string;
  limit: number;
  departement?: string;
  region?: string;
  type?: VilleType;
  /** Location bias, already rounded to what the route allows: part of the cache key. */
  near?: NearPoint;
}

/** What the cache keeps for one query: everything but the caller's raw text. */
export interface AutocompletePayload {
  match: MatchKind;
  results: Array<VilleResponse & { nom_highlight: string; ancien_nom?: string }>;
  backend: "postgres" | "meilisearch";
  engineMs: number;
  /** A degraded answer (see AutocompleteResult.partial): served once, never cached. */
  partial?: AutocompleteResult["partial"];
}

/** Equal queries share one entry: the key holds the normalised text, never the raw one. */
export function autocompleteKeyParts(input: AutocompleteInput): KeyParts {
  const near = input.near ? `${input.near.latitude},${input.near.longitude}` : undefined;
  return { q: normalizeQuery(input.q), limit: input.limit, departement: input.departement, region: input.region, type: input.type, near };
}

async function search(services: Services, input: AutocompleteInput): Promise<AutocompletePayload> {
  const result = input.near ? await searchNear(services, input, input.near) : await services.search.autocomplete({
    q: input.q,
    limit: input.limit,
    filters: { departement: input.departement, region: input.region, type: input.type },
  });
  const payload: AutocompletePayload = {
    match: result.match,
    results: result.hits.map((hit) => ({
      ...presentVille(hit.ville),
      nom_highlight: hit.nomHighlight,
      ...(hit.ancienNom === undefined ? {} : { ancien_nom: hit.ancienNom }),
    })),
    backend: result.backend,
    engineMs: result.engineMs,
    ...(result.partial ? { partial: result.partial } : {}),
  };
  return payload.partial ? notCached(payload) : payload;
}

/** Autocomplete through the cache layers; the route and the warmer both come here. */
export function cachedAutocomplete(services: Services, input: AutocompleteInput): Promise<Cached<AutocompletePayload>> {
  return services.cache.read("autocomplete", autocompleteKeyParts(input), () => search(services, input));
}

/** Loads and stores a query now, whatever is cached (cache warming). */
export function refreshAutocomplete(services: Services, input: AutocompleteInput): Promise<AutocompletePayload> {
  return services.cache.refresh("autocomplete", autocompleteKeyParts(input), () => search(services, input));
}
