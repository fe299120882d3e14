import { loadReferenceData } from "../data/communes.ts";
import { realNamePrefixes } from "../resilience/name-prefixes.ts";

/**
 * What the soak's clients ask for, in DESIGN §1's proportions: mostly autocomplete as
 * people type (popular prefixes the cache answers, plus queries nobody asked before),
 * then listings, single communes and stats. Uncached autocompletes are fresh prefixes, or
 * carry `Authorization`, which bypasses every cache layer.
 */
export interface SoakRequest {
  kind: "autocomplete-cached" | "autocomplete-uncached" | "listing" | "commune" | "stats";
  path: string;
  headers?: Record<string, string>;
}

const POPULAR = ["nant", "paris", "lyon", "mars", "saint", "bord", "toul", "lill", "rennes", "st et"];
const DEPARTEMENTS = ["44", "75", "13", "69", "33", "59", "2A", "974"];
const STATS = ["/v1/stats", "/v1/stats/regions", "/v1/stats/departements?region=52"];
/** Share of requests per kind, over 20 draws. */
const PLAN: SoakRequest["kind"][] = [
  ...Array<SoakRequest["kind"]>(8).fill("autocomplete-cached"),
  ...Array<SoakRequest["kind"]>(5).fill("autocomplete-uncached"),
  ...Array<SoakRequest["kind"]>(3).fill("listing"),
  ...Array<SoakRequest["kind"]>(2).fill("commune"),
  ...Array<SoakRequest["kind"]>(2).fill("stats"),
];

export function createRequestMix() {
  const villes = loadReferenceData().villes.filter((ville) => ville.type === "commune-actuelle");
  const freshPrefixes = realNamePrefixes(villes);
  const counts: Record<SoakRequest["kind"], number> = { "autocomplete-cached": 0, "autocomplete-uncached": 0, listing: 0, commune: 0, stats: 0 };
  let drawn = 0;

  function next(): SoakRequest {
    const kind = PLAN[drawn % PLAN.length]!;
    const n = drawn++;
    counts[kind]++;
    switch (kind) {
      case "autocomplete-cached":
        return { kind, path: `/v1/villes/autocomplete?q=${encodeURIComponent(POPULAR[n % POPULAR.length]!)}` };
      case "autocomplete-uncached": {
        const fresh = freshPrefixes.pop();
        if (fresh && n % 2 === 0) return { kind, path: `/v1/villes/autocomplete?q=${encodeURIComponent(fresh)}` };
        return { kind, path: `/v1/villes/autocomplete?q=${encodeURIComponent(POPULAR[n % POPULAR.length]!)}`, headers: { Authorization: "Bearer x" } };
      }
      case "listing":
        return { kind, path: `/v1/villes?departement=${DEPARTEMENTS[n % DEPARTEMENTS.length]}&order=-population&limit=20&population_min=${n % 50}` };
      case "commune":
        return { kind, path: `/v1/villes/${villes[(n * 7919) % villes.length]!.codeInsee}` };
      case "stats":
        return { kind, path: STATS[n % STATS.length]! };
    }
  }
  return { next, counts };
}
