import type { Meilisearch, Settings } from "meilisearch";
import { meilisearchErrorCode, waitForSuccess } from "./meilisearch-tasks.ts";

/** The index searches read; reindexing builds `villes_<timestamp>` and swaps it in. */
export const VILLES_INDEX = "villes";
export const VILLES_PRIMARY_KEY = "id";

/** Exactly the fields a VilleRow needs: nothing used only for matching or ranking. */
export const VILLE_DISPLAYED_ATTRIBUTES = [
  "id",
  "code_insee",
  "nom",
  "slug",
  "type",
  "parent_code",
  "codes_postaux",
  "code_postal_principal",
  "departement_code",
  "departement_nom",
  "region_code",
  "region_nom",
  "population",
  "latitude",
  "longitude",
  "coordinates_precision",
  "created_at",
  "anciens",
];

/**
 * The `villes` index settings; docs/meilisearch.md explains each choice, the ranking
 * rules above all (they mirror `lieux_match_score` in drizzle/0004). The split
 * `attributeRank`/`wordPosition` rules need Meilisearch ≥ 1.36.
 */
export const VILLES_SETTINGS = {
  // Former names and codes, then the name's word starts, last: attributeRank puts a match on them
  // after the same match on a current name's own words.
  searchableAttributes: ["nom", "nom_normalise", "codes_postaux", "code_insee", "anciens_noms", "anciens_codes", "debuts_mots"],
  // parent_code, noms_complets: the arrondissements of an "xx000" form and the complete-name probe; _geo: radius filters.
  // population: the typo hits large enough to join a page of tiny prefix matches.
  filterableAttributes: ["departement_code", "region_code", "type", "parent_code", "noms_complets", "population", "_geo"],
  sortableAttributes: ["population", "popularity", "code_insee", "_geo"],
  displayedAttributes: VILLE_DISPLAYED_ATTRIBUTES,
  // "sort" acts only on the queries that send one (the complete-name probe, the xx000 form): autocomplete does not.
  rankingRules: ["words", "sort", "typo", "proximity", "attributeRank", "popularity:desc", "wordPosition", "exactness", "population:desc"],
  // One way: "saint" also finds a name written "St". The reverse would turn a trailing "st",
  // which normalizeQuery leaves as typed (the user may be typing Strasbourg), into "saint";
  // a completed "st " already reaches the server as "saint".
  synonyms: { saint: ["st"], sainte: ["ste"] },
  typoTolerance: {
    enabled: true,
    minWordSizeForTypos: { oneTypo: 4, twoTypos: 8 },
    // A postal code one digit off is another place, not a typo.
    disableOnAttributes: ["codes_postaux", "code_insee", "anciens_codes", "debuts_mots"],
    disableOnNumbers: true,
  },
  pagination: { maxTotalHits: 100 },
  // Below the Worker's 150 ms budget: a slow server answers with what it has instead of timing out.
  searchCutoffMs: 100,
} satisfies Settings;

/** Creates the index with its primary key; an index that already exists is left as it is. */
export async function ensureIndex(client: Meilisearch, indexUid: string): Promise<void> {
  try {
    await waitForSuccess(client, client.createIndex(indexUid, { primaryKey: VILLES_PRIMARY_KEY }), `creating index ${indexUid}`);
  } catch (error) {
    if (meilisearchErrorCode(error) !== "index_already_exists") throw error;
  }
}

/** Idempotent: the same settings sent twice leave the index as it is. Throws on a failed task. */
export async function applyVillesSettings(client: Meilisearch, indexUid: string = VILLES_INDEX): Promise<void> {
  await waitForSuccess(client, client.index(indexUid).updateSettings(VILLES_SETTINGS), `updating the settings of ${indexUid}`);
}
