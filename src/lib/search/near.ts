import { normalizeName } from "../normalize.ts";
import type { AutocompleteHit } from "./types.ts";

/** The point a search is biased towards, already rounded (it is part of the cache key). */
export interface NearPoint {
  latitude: number;
  longitude: number;
}

/**
 * The blend, applied to the engine's ranked hits plus the nearby candidates Postgres adds
 * (same prefix, from the spatial index; and every homonym of a complete name):
 *
 *   score = log10(population + 10) + log10(1 + NEAR_BOOST / (1 + distance / NEAR_SCALE_KM))
 *           − ENGINE_POSITION_WEIGHT × engine position (nearby-only candidates rank after the engine's)
 *
 * Proximity multiplies a place's weight by at most 1 + NEAR_BOOST (31× on the spot, 16× at
 * 20 km, 4× at 150 km, 1.5× at 1,000 km), so a small place near the user passes a larger
 * far one, while a city 31 times the size of a hamlet on the spot still comes first
 * ("nant" near Nant, Aveyron: Nantes first). Then three rules hold whatever the scores:
 * 1. homonyms (same normalized name) keep the slots the blend gave their group, nearest first;
 * 2. the engine's first hit (the place the user is clearly typing), or its nearest homonym, stays in the first three;
 * 3. the nearest complete-name match stays in the first five.
 */
export const NEAR_BOOST = 30;
export const NEAR_SCALE_KM = 20;
export const ENGINE_POSITION_WEIGHT = 0.02;
const TYPED_CITY_SLOT = 2;
const COMPLETE_NAME_SLOT = 4;

const EARTH_RADIUS_KM = 6371;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle (haversine) distance in km; Infinity without a point, which then gets no proximity. */
export function distanceKm(point: NearPoint, latitude: number | null, longitude: number | null): number {
  if (latitude === null || longitude === null) return Infinity;
  const dLat = radians(latitude - point.latitude);
  const dLon = radians(longitude - point.longitude);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(radians(point.latitude)) * Math.cos(radians(latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

interface Candidate {
  hit: AutocompleteHit;
  name: string;
  distance: number;
  score: number;
  enginePosition: number;
}

function moveWithin(order: Candidate[], candidate: Candidate | undefined, slot: number) {
  if (!candidate) return;
  const index = order.indexOf(candidate);
  if (index <= slot) return;
  order.splice(index, 1);
  order.splice(slot, 0, candidate);
}

/** Re-ranks `engineHits` (in the engine's order) and `nearby` around `point`; returns the first `limit`. */
export function blendNear(engineHits: readonly AutocompleteHit[], nearby: readonly AutocompleteHit[], point: NearPoint, normalizedQuery: string, limit: number): AutocompleteHit[] {
  const seen = new Set(engineHits.map((hit) => hit.ville.id));
  const all = [...engineHits, ...nearby.filter((hit) => !seen.has(hit.ville.id) && seen.add(hit.ville.id))];
  const candidates: Candidate[] = all.map((hit, index) => {
    const distance = distanceKm(point, hit.ville.latitude, hit.ville.longitude);
    const enginePosition = Math.min(index, engineHits.length);
    const proximity = Number.isFinite(distance) ? NEAR_BOOST / (1 + distance / NEAR_SCALE_KM) : 0;
    const score = Math.log10(hit.ville.population + 10) + Math.log10(1 + proximity) - ENGINE_POSITION_WEIGHT * enginePosition;
    return { hit, name: normalizeName(hit.ville.nom), distance, score, enginePosition };
  });
  const order = [...candidates].sort((a, b) => b.score - a.score || a.enginePosition - b.enginePosition || Number(a.hit.ville.id) - Number(b.hit.ville.id));

  // Rule 1: each homonym group's slots go to its members by distance.
  const groups = new Map<string, Candidate[]>();
  for (const candidate of order) groups.set(candidate.name, [...(groups.get(candidate.name) ?? []), candidate]);
  const slotsOf = new Map<string, number>();
  const byDistance = new Map([...groups].map(([name, members]) => [name, [...members].sort((a, b) => a.distance - b.distance || b.score - a.score)]));
  const homonymOrdered = order.map((candidate) => {
    const slot = slotsOf.get(candidate.name) ?? 0;
    slotsOf.set(candidate.name, slot + 1);
    return byDistance.get(candidate.name)![slot]!;
  });

  // Rules 2 and 3.
  const typed = engineHits.length > 0 ? candidates[0] : undefined;
  moveWithin(homonymOrdered, typed && byDistance.get(typed.name)?.[0], TYPED_CITY_SLOT);
  moveWithin(homonymOrdered, byDistance.get(normalizedQuery)?.[0], COMPLETE_NAME_SLOT);
  return homonymOrdered.slice(0, limit).map((candidate) => candidate.hit);
}
