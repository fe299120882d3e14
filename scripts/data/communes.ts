/**
 * Turns @etalab/decoupage-administratif (COG 2026) and codes-postaux into the
 * reference rows the seed inserts: régions, départements and villes.
 *
 * Scope: every commune of the COG (37,590 rows). Metropolitan France and the
 * DROM (zone "metro"/"drom") make the 101 départements and 18 régions; the
 * collectivités d'outre-mer (zone "com": 975, 977, 978, 984, 986–989) are kept
 * too, each as its own département and région with zone "com", so that their 94
 * communes are searchable and every ville still has a valid département.
 */
import { createRequire } from "node:module";
import type { VilleWrite } from "../../src/lib/db/upsert-villes.ts";
import { normalizeName } from "../../src/lib/normalize.ts";

export type Zone = "metro" | "drom" | "com";
export interface RegionRow { code: string; nom: string; zone: Zone }
export interface DepartementRow { code: string; nom: string; regionCode: string; zone: Zone }
export type VilleType = "commune-actuelle" | "commune-deleguee" | "commune-associee" | "arrondissement-municipal";
/** The seed writes exactly what imports write. */
export type VilleSeedRow = VilleWrite;
export interface ReferenceData { regions: RegionRow[]; departements: DepartementRow[]; villes: VilleSeedRow[] }
/** Where the postal codes of each row came from, counted for the seed report. */
export type PostalCodeSource = "etalab" | "codes-postaux-own-code" | "codes-postaux-libelle" | "parent-single-code" | "none";

interface EtalabArea { code: string; nom: string; zone?: string; region?: string }
interface EtalabCommune {
  code: string;
  nom: string;
  type: string;
  zone?: string;
  departement?: string;
  region?: string;
  chefLieu?: string;
  commune?: string;
  codesPostaux?: string[];
  population?: number;
}
interface PostalEntry { codePostal: string; codeCommune: string; nomCommune: string; libelleAcheminement: string }

const VILLE_TYPES: readonly VilleType[] = ["commune-actuelle", "commune-deleguee", "commune-associee", "arrondissement-municipal"];
const ZONES: readonly string[] = ["metro", "drom", "com"];
const isZone = (zone: string | undefined): zone is Zone => ZONES.includes(zone ?? "");
const POSTAL_CODE = /^\d{5}$/;

const requireJson = createRequire(import.meta.url);

function readArray<T>(specifier: string): T[] {
  const data: unknown = requireJson(specifier);
  if (!Array.isArray(data)) throw new Error(`${specifier}: expected a JSON array`);
  return data as T[];
}

function isVilleType(type: string): type is VilleType {
  return (VILLE_TYPES as readonly string[]).includes(type);
}

function uniqueSorted(codes: Iterable<string>): string[] {
  return [...new Set(codes)].filter((code) => POSTAL_CODE.test(code)).sort();
}

function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The main code is the one La Poste routes under the commune's own name
 * (Saint-Paul: 97460, not 97434 "Saint-Gilles-les-Bains"); ties and misses
 * fall back to the lowest code so that the choice stays deterministic.
 */
function principalCode(codes: string[], nom: string, entries: readonly PostalEntry[]): string | null {
  const key = normalizeName(nom);
  const named = entries
    .filter((entry) => codes.includes(entry.codePostal) && normalizeName(entry.libelleAcheminement) === key)
    .map((entry) => entry.codePostal)
    .sort();
  return named[0] ?? codes[0] ?? null;
}

/**
 * Etalab gives no postal code for communes déléguées/associées. codes-postaux
 * predates some mergers, so it still lists a later-merged commune under its
 * own code and name; otherwise its libellé d'acheminement may name the
 * déléguée under the parent's code. Its extra codes for communes actuelles are
 * deliberately ignored: they are stale FIMOCT voie-level codes (CEDEX-like
 * 31998 for Toulouse, 75016 for Boulogne-Billancourt) absent from La Poste.
 */
function postalCodesOfChild(
  child: EtalabCommune,
  parent: EtalabCommune,
  byCommune: Map<string, PostalEntry[]>,
): { codes: string[]; source: PostalCodeSource } {
  const key = normalizeName(child.nom);
  // A déléguée named like its parent cannot be told apart from the whole commune nouvelle by name.
  const nameIsDistinct = key !== normalizeName(parent.nom);
  const own = child.code !== parent.code || nameIsDistinct
    ? (byCommune.get(child.code) ?? []).filter((entry) => normalizeName(entry.nomCommune) === key)
    : [];
  if (own.length > 0) return { codes: uniqueSorted(own.map((entry) => entry.codePostal)), source: "codes-postaux-own-code" };
  const routed = nameIsDistinct
    ? (byCommune.get(parent.code) ?? []).filter((entry) => normalizeName(entry.libelleAcheminement) === key)
    : [];
  if (routed.length > 0) return { codes: uniqueSorted(routed.map((entry) => entry.codePostal)), source: "codes-postaux-libelle" };
  // A child lies inside its parent, so a single-code parent settles it.
  const parentCodes = uniqueSorted(parent.codesPostaux ?? []);
  return parentCodes.length === 1 ? { codes: parentCodes, source: "parent-single-code" } : { codes: [], source: "none" };
}

/** Etalab carries La Poste's current list; codes-postaux only fills a commune etalab leaves without any. */
function postalCodesOfCommune(commune: EtalabCommune, entries: readonly PostalEntry[]): { codes: string[]; source: PostalCodeSource } {
  const fromEtalab = uniqueSorted(commune.codesPostaux ?? []);
  if (fromEtalab.length > 0) return { codes: fromEtalab, source: "etalab" };
  const fromCodesPostaux = uniqueSorted(entries.map((entry) => entry.codePostal));
  return fromCodesPostaux.length > 0 ? { codes: fromCodesPostaux, source: "codes-postaux-own-code" } : { codes: [], source: "none" };
}

function indexPostalEntries(entries: readonly PostalEntry[]): Map<string, PostalEntry[]> {
  const byCommune = new Map<string, PostalEntry[]>();
  for (const entry of entries) {
    const list = byCommune.get(entry.codeCommune);
    if (list) list.push(entry);
    else byCommune.set(entry.codeCommune, [entry]);
  }
  return byCommune;
}

function parentCodeOf(commune: EtalabCommune, type: VilleType): string | null {
  if (type === "commune-actuelle") return null;
  const parent = type === "arrondissement-municipal" ? commune.commune : commune.chefLieu;
  if (!parent) throw new Error(`${type} ${commune.code} ${commune.nom} has no parent commune in the data`);
  return parent;
}

export function loadReferenceData(): ReferenceData {
  return loadReferenceDataWithSources().data;
}

export function loadReferenceDataWithSources(): { data: ReferenceData; postalCodeSources: Record<PostalCodeSource, number> } {
  const rawRegions = readArray<EtalabArea>("@etalab/decoupage-administratif/data/regions.json");
  const rawDepartements = readArray<EtalabArea>("@etalab/decoupage-administratif/data/departements.json");
  const rawCommunes = readArray<EtalabCommune>("@etalab/decoupage-administratif/data/communes.json");
  const byCommune = indexPostalEntries(readArray<PostalEntry>("codes-postaux/codes-postaux.json"));

  const regions: RegionRow[] = rawRegions
    .map((region) => {
      if (!isZone(region.zone)) throw new Error(`région ${region.code} has unknown zone ${String(region.zone)}`);
      return { code: region.code, nom: region.nom, zone: region.zone };
    })
    .sort((a, b) => compareCodes(a.code, b.code));
  const regionCodes = new Set(regions.map((region) => region.code));

  const departements: DepartementRow[] = rawDepartements
    .map((departement) => {
      if (!isZone(departement.zone)) throw new Error(`département ${departement.code} has unknown zone ${String(departement.zone)}`);
      if (!departement.region || !regionCodes.has(departement.region)) {
        throw new Error(`département ${departement.code} refers to unknown région ${String(departement.region)}`);
      }
      return { code: departement.code, nom: departement.nom, regionCode: departement.region, zone: departement.zone };
    })
    .sort((a, b) => compareCodes(a.code, b.code));
  const departementRegion = new Map(departements.map((departement) => [departement.code, departement.regionCode]));

  const included = rawCommunes;
  const actuelles = new Map<string, EtalabCommune>();
  for (const commune of included) if (commune.type === "commune-actuelle") actuelles.set(commune.code, commune);

  const postalCodeSources: Record<PostalCodeSource, number> = {
    etalab: 0, "codes-postaux-own-code": 0, "codes-postaux-libelle": 0, "parent-single-code": 0, none: 0,
  };
  const seen = new Set<string>();
  const villes: VilleSeedRow[] = included.map((commune) => {
    if (!isVilleType(commune.type)) throw new Error(`commune ${commune.code}: unknown type ${commune.type}`);
    const type = commune.type;
    const key = `${commune.code}/${type}`;
    if (seen.has(key)) throw new Error(`duplicate (code_insee, type) in the data: ${key}`);
    seen.add(key);

    const parentCode = parentCodeOf(commune, type);
    const parent = parentCode === null ? null : actuelles.get(parentCode);
    if (parent === undefined) throw new Error(`${type} ${commune.code}: parent ${String(parentCode)} is not a commune actuelle`);

    // Children missing their département inherit the parent's, whose région then follows.
    const departementCode = commune.departement ?? parent?.departement;
    const regionCode = departementCode === undefined ? undefined : departementRegion.get(departementCode);
    if (departementCode === undefined || regionCode === undefined) {
      throw new Error(`${type} ${commune.code}: unknown département ${String(departementCode)}`);
    }
    if (commune.region !== undefined && commune.region !== regionCode) {
      throw new Error(`${type} ${commune.code}: région ${commune.region} disagrees with its département's ${regionCode}`);
    }

    const entries = byCommune.get(commune.code) ?? [];
    const { codes: codesPostaux, source } = parent && (type === "commune-deleguee" || type === "commune-associee")
      ? postalCodesOfChild(commune, parent, byCommune)
      : postalCodesOfCommune(commune, entries);
    postalCodeSources[source] += 1;

    return {
      codeInsee: commune.code,
      type,
      nom: commune.nom,
      parentCode,
      codesPostaux,
      codePostalPrincipal: principalCode(codesPostaux, commune.nom, entries),
      departementCode,
      regionCode,
      population: commune.population ?? 0,
      // Neither package ships coordinates (etalab v6 has no `centre`, codes-postaux no lat/lon).
      latitude: null,
      longitude: null,
    };
  });

  villes.sort((a, b) => compareCodes(a.codeInsee, b.codeInsee) || compareCodes(a.type, b.type));
  return { data: { regions, departements, villes }, postalCodeSources };
}
