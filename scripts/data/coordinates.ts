/**
 * Gives every seeded ville a point and says how good it is (coordinates_precision):
 * - "commune": the GeoNames place of that commune, matched by INSEE code (GeoNames
 *   admin4) and normalized name. GeoNames files a merged commune's former communes
 *   under the new code, so a commune déléguée also matches under its parent's code,
 *   and a commune nouvelle whose own name GeoNames lacks takes its chef-lieu's point
 *   (the déléguée sharing its code: the seat, which is what GeoNames gives any commune), or
 *   the place its name starts with (Ancenis for Ancenis-Saint-Géréon, whose déléguées are gone)
 *   or that starts with its name (Seyne-les-Alpes for Seyne): renames and mergers GeoNames predates.
 * - "parent": a déléguée, associée or arrondissement without its own point takes its
 *   parent commune's.
 * - "departement": otherwise the mean of the département's "commune" points.
 * - null: a département with no known point at all (no coordinates then).
 * A name that differs is never trusted alone: GeoNames files some towns under a
 * neighbour's code (Tassin-la-Demi-Lune under Lyon's), and quartiers (PPLX) under their city's.
 */
import { normalizeName } from "../../src/lib/normalize.ts";
import type { VilleWrite } from "../../src/lib/db/upsert-villes.ts";
import { loadGeoNamesPlaces, type GeoNamesPlace } from "./geonames.ts";

export type CoordinatesPrecision = "commune" | "parent" | "departement";
export interface PlacedVille { latitude: number; longitude: number; precision: CoordinatesPrecision }
export interface CoordinatesCoverage {
  communesActuelles: number;
  byPrecision: Record<CoordinatesPrecision | "none", number>;
  /** Communes actuelles with a "commune" point, over all communes actuelles. */
  communeShare: number;
}

const keyOf = (ville: Pick<VilleWrite, "codeInsee" | "type">) => `${ville.codeInsee}/${ville.type}`;

function groupByCode(places: readonly GeoNamesPlace[]): Map<string, GeoNamesPlace[]> {
  const byCode = new Map<string, GeoNamesPlace[]>();
  for (const place of places) {
    const list = byCode.get(place.codeInsee);
    if (list) list.push(place);
    else byCode.set(place.codeInsee, [place]);
  }
  return byCode;
}

/** The best place named `nom` under `code`: a populated place before a quartier, then the most populous. */
function namedPlace(byCode: Map<string, GeoNamesPlace[]>, code: string | null, nom: string): GeoNamesPlace | undefined {
  if (code === null) return undefined;
  const key = normalizeName(nom);
  return (byCode.get(code) ?? [])
    .filter((place) => normalizeName(place.name) === key)
    .sort((a, b) => Number(a.featureCode === "PPLX") - Number(b.featureCode === "PPLX") || b.population - a.population)[0];
}

function ownPlace(ville: VilleWrite, byCode: Map<string, GeoNamesPlace[]>, chefLieuNames: Map<string, string>): GeoNamesPlace | undefined {
  const own = namedPlace(byCode, ville.codeInsee, ville.nom);
  if (own) return own;
  if (ville.type === "commune-deleguee" || ville.type === "commune-associee") return namedPlace(byCode, ville.parentCode, ville.nom);
  if (ville.type !== "commune-actuelle") return undefined;
  const chefLieu = chefLieuNames.get(ville.codeInsee);
  return (chefLieu === undefined ? undefined : namedPlace(byCode, ville.codeInsee, chefLieu)) ?? namePartPlace(byCode, ville);
}

/** A populated place under the commune's code whose name is a word-start part of the commune's, or the reverse. */
function namePartPlace(byCode: Map<string, GeoNamesPlace[]>, ville: VilleWrite): GeoNamesPlace | undefined {
  const key = normalizeName(ville.nom);
  return (byCode.get(ville.codeInsee) ?? [])
    .filter((place) => place.featureCode !== "PPLX")
    .map((place) => ({ place, name: normalizeName(place.name) }))
    .filter(({ name }) => key.startsWith(`${name} `) || name.startsWith(`${key} `))
    .sort((a, b) => b.name.length - a.name.length || b.place.population - a.place.population)[0]?.place;
}

const round = (value: number) => Math.round(value * 1e5) / 1e5;

/** Points for `villes` (keyed "code_insee/type") from GeoNames places, with their precision. */
export function placeVilles(villes: readonly VilleWrite[], places: readonly GeoNamesPlace[]): Map<string, PlacedVille> {
  const byCode = groupByCode(places);
  const chefLieuNames = new Map(villes.filter((v) => v.type === "commune-deleguee").map((v) => [v.codeInsee, v.nom]));
  const placed = new Map<string, PlacedVille>();
  for (const ville of villes) {
    const place = ownPlace(ville, byCode, chefLieuNames);
    if (place) placed.set(keyOf(ville), { latitude: place.latitude, longitude: place.longitude, precision: "commune" });
  }
  const sums = new Map<string, { latitude: number; longitude: number; count: number }>();
  for (const ville of villes) {
    const point = placed.get(keyOf(ville));
    if (ville.type !== "commune-actuelle" || !point) continue;
    const sum = sums.get(ville.departementCode) ?? { latitude: 0, longitude: 0, count: 0 };
    sums.set(ville.departementCode, { latitude: sum.latitude + point.latitude, longitude: sum.longitude + point.longitude, count: sum.count + 1 });
  }
  const approximate = (ville: VilleWrite): PlacedVille | undefined => {
    const parent = ville.parentCode === null ? undefined : placed.get(`${ville.parentCode}/commune-actuelle`);
    if (parent?.precision === "commune") return { latitude: parent.latitude, longitude: parent.longitude, precision: "parent" };
    const sum = sums.get(ville.departementCode);
    return sum ? { latitude: round(sum.latitude / sum.count), longitude: round(sum.longitude / sum.count), precision: "departement" } : undefined;
  };
  for (const ville of villes) {
    if (placed.has(keyOf(ville))) continue;
    const point = approximate(ville);
    if (point) placed.set(keyOf(ville), point);
  }
  return placed;
}

export function coverageOf(villes: readonly VilleWrite[], placed: Map<string, PlacedVille>): CoordinatesCoverage {
  const byPrecision: CoordinatesCoverage["byPrecision"] = { commune: 0, parent: 0, departement: 0, none: 0 };
  const actuelles = villes.filter((ville) => ville.type === "commune-actuelle");
  for (const ville of villes) byPrecision[placed.get(keyOf(ville))?.precision ?? "none"] += 1;
  const exact = actuelles.filter((ville) => placed.get(keyOf(ville))?.precision === "commune").length;
  return { communesActuelles: actuelles.length, byPrecision, communeShare: exact / actuelles.length };
}

/** The seed's villes with their points, the precision of each, and the coverage figures. */
export function withCoordinates(villes: readonly VilleWrite[]) {
  const placed = placeVilles(villes, loadGeoNamesPlaces());
  const located = villes.map((ville) => {
    const point = placed.get(keyOf(ville));
    return { ...ville, latitude: point?.latitude ?? null, longitude: point?.longitude ?? null };
  });
  const precisions = villes.map((ville) => placed.get(keyOf(ville))?.precision ?? null);
  return { villes: located, precisions, coverage: coverageOf(villes, placed) };
}
