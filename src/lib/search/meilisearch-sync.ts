import type { Meilisearch } from "meilisearch";
import type { VilleRow } from "../db/queries/ville-rows.ts";
import type { CoordinatesPrecision } from "../db/schema.ts";
import { normalizeName } from "../normalize.ts";
import { VILLES_INDEX } from "./meilisearch-settings.ts";
import { completeNameForms, wordStarts, type FormerName } from "./name-match.ts";
import { TaskWindow } from "./meilisearch-task-window.ts";

/** One ville as Meilisearch stores it: flat, snake_case, filterable fields at the top level. */
export interface VilleDocument {
  id: number;
  code_insee: string;
  nom: string;
  nom_normalise: string;
  slug: string;
  type: string;
  parent_code: string | null;
  codes_postaux: string[];
  code_postal_principal: string | null;
  departement_code: string;
  departement_nom: string;
  region_code: string;
  region_nom: string;
  population: number;
  /** floor(log10(population + 10)): the decade `lieux_match_score` starts from. */
  popularity: number;
  latitude: number | null;
  longitude: number | null;
  /** Absent from documents indexed before points existed: their point is then not shown. */
  coordinates_precision?: CoordinatesPrecision | null;
  /** Meilisearch's own geo field, for `_geoRadius` filters and `_geoPoint` sorts; null without a point. */
  _geo?: { lat: number; lng: number } | null;
  created_at: string;
  /** The name's complete forms (elided articles glued, then dropped): the complete-name probe filters on them. */
  noms_complets?: string[];
  /** The starts of the name's words, so that any query word, not only the last, may be a partial word. */
  debuts_mots?: string[];
  /** A commune nouvelle's former communes: shown as `ancien_nom` when one of them matched. */
  anciens?: FormerName[];
  /** Their names, normalised, and their INSEE codes: searchable after the commune's own name and codes. */
  anciens_noms?: string[];
  anciens_codes?: string[];
}

/** A ville as documents are built from it: with its former names when the read included them. */
export type IndexableVille = VilleRow & { formerNames?: FormerName[] | null };

export const popularityBucket = (population: number) => Math.floor(Math.log10(Math.max(population, 0) + 10));

export function toVilleDocument(row: IndexableVille): VilleDocument {
  const anciens = row.formerNames ?? [];
  const hasPoint = row.latitude !== null && row.longitude !== null;
  return {
    id: Number(row.id),
    code_insee: row.codeInsee,
    nom: row.nom,
    nom_normalise: normalizeName(row.nom),
    slug: row.slug,
    type: row.type,
    parent_code: row.parentCode,
    codes_postaux: row.codesPostaux,
    code_postal_principal: row.codePostalPrincipal,
    departement_code: row.departementCode,
    departement_nom: row.departementNom,
    region_code: row.regionCode,
    region_nom: row.regionNom,
    population: row.population,
    popularity: popularityBucket(row.population),
    latitude: row.latitude,
    longitude: row.longitude,
    coordinates_precision: row.coordinatesPrecision,
    _geo: hasPoint ? { lat: Number(row.latitude), lng: Number(row.longitude) } : null,
    // ISO whichever driver read the row: pg gives a Date, the Neon HTTP driver Postgres's text ("2026-01-01 00:00:00+00").
    created_at: new Date(row.createdAt).toISOString(),
    noms_complets: completeNameForms(row.nom),
    debuts_mots: wordStarts(row.nom),
    anciens,
    anciens_noms: anciens.map((former) => normalizeName(former.nom)),
    anciens_codes: anciens.map((former) => former.code),
  };
}

/** The inverse of toVilleDocument for the fields a response needs. */
export function toVilleRow(document: VilleDocument): VilleRow {
  return {
    id: document.id,
    codeInsee: document.code_insee,
    nom: document.nom,
    slug: document.slug,
    type: document.type,
    parentCode: document.parent_code ?? null,
    codesPostaux: document.codes_postaux ?? [],
    codePostalPrincipal: document.code_postal_principal ?? null,
    population: document.population,
    // A point whose precision the index does not know is not shown: never an approximate point as exact.
    latitude: document.coordinates_precision ? document.latitude : null,
    longitude: document.coordinates_precision ? document.longitude : null,
    coordinatesPrecision: document.coordinates_precision ?? null,
    departementCode: document.departement_code,
    departementNom: document.departement_nom,
    regionCode: document.region_code,
    regionNom: document.region_nom,
    createdAt: document.created_at,
  };
}

export interface SyncVillesOptions {
  /** Documents per addition task. @default 10_000 */
  batchSize?: number;
  /** @default "villes" */
  indexUid?: string;
  /**
   * A window shared with the caller's other sends (the pages of one sync): the tasks join it
   * and the caller drains it. Without one, a window of DEFAULT_TASKS_IN_FLIGHT is drained here.
   */
  window?: TaskWindow;
}

/**
 * Adds (or replaces) the villes' documents in batches, a few tasks in flight at once (see
 * TaskWindow), and throws the first failed task's error. Returns the number of documents sent.
 */
export async function syncVilles(client: Meilisearch, rows: readonly IndexableVille[], options: SyncVillesOptions = {}): Promise<number> {
  const { batchSize = 10_000, indexUid = VILLES_INDEX } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError("batchSize must be a positive integer");
  const window = options.window ?? new TaskWindow(client);
  const index = client.index<VilleDocument>(indexUid);
  for (let start = 0; start < rows.length; start += batchSize) {
    const documents = rows.slice(start, start + batchSize).map(toVilleDocument);
    await window.enqueue(() => index.addDocuments(documents), `adding ${documents.length} villes to ${indexUid}`);
  }
  if (!options.window) await window.drain();
  return rows.length;
}
