/**
 * Synthetic communes for scale tests, built from the real ones. Pure (no Node APIs), so the
 * generator script and the workerd tests make the same rows.
 *
 * - code_insee: a letter then four base-36 characters, counted from `index` (A0000, A0001,
 *   …, Z ZZZZ: 43.6M codes). Every INSEE code starts with a digit (01001–97617, 2A/2B,
 *   975xx–989xx), so synthetic rows can never collide with a real commune; the import row
 *   schema accepts this namespace.
 * - nom: the article or "Saint" prefix of one real name (so ≈11% "Saint…" and the real
 *   share of Le/La/Les/L'), a core blended from two other real names, and the hyphenated
 *   tail of a fourth ("-sur-Mer", "-en-Provence", or none, in the real proportions).
 * - département, région and postal codes of the real commune that gave the prefix;
 *   population of another real commune, jittered ±35%: the real long tail.
 * - Row i depends only on (seed, i): any slice can be regenerated alone.
 */

export interface RealCommune {
  nom: string;
  departementCode: string;
  regionCode: string;
  codesPostaux: readonly string[];
  population: number;
}

export interface SyntheticRow {
  code_insee: string;
  nom: string;
  type: "commune-actuelle";
  codes_postaux: string[];
  departement_code: string;
  region_code: string;
  population: number;
  latitude: number | null;
  longitude: number | null;
}

export const SYNTHETIC_CSV_HEADER = "code_insee,nom,type,codes_postaux,departement_code,region_code,population,latitude,longitude";

const BASE36 = 36 ** 4;
export const MAX_SYNTHETIC_ROWS = 26 * BASE36;

export function syntheticCodeInsee(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_SYNTHETIC_ROWS) throw new RangeError(`synthetic index ${index} is out of range`);
  const letter = String.fromCharCode(65 + Math.floor(index / BASE36));
  return letter + (index % BASE36).toString(36).toUpperCase().padStart(4, "0");
}

/** An integer hash: spreads (seed, index) over 32 bits so neighbouring rows look unrelated. */
function mix32(value: number): number {
  let x = value | 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}

function rowRandom(seed: number, index: number): () => number {
  let state = mix32(seed ^ mix32(index + 0x9e3779b9));
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    return mix32(state) / 4_294_967_296;
  };
}

const PREFIX = /^(Saint(?:e|s|es)?-|Le |La |Les |L['’])/;
const VOWEL_START = /^[AEIOUYHÂÉÈÊÎÔŒaeiouyh]/;

interface NameParts {
  prefix: string;
  core: string;
  tail: string;
}

function splitName(nom: string): NameParts {
  const prefix = PREFIX.exec(nom)?.[0] ?? "";
  const rest = nom.slice(prefix.length);
  const hyphen = rest.indexOf("-", 1);
  return hyphen === -1 ? { prefix, core: rest, tail: "" } : { prefix, core: rest.slice(0, hyphen), tail: rest.slice(hyphen) };
}

function blend(head: string, tail: string): string {
  const start = head.slice(0, Math.max(2, Math.ceil(head.length * 0.6)));
  return start + tail.slice(Math.floor(tail.length * 0.5)).toLowerCase();
}

/** Elision as in the real names: L' before a vowel, Le before a consonant. */
function joinPrefix(prefix: string, core: string): string {
  const elided = prefix === "L'" || prefix === "L’";
  if (elided && !VOWEL_START.test(core)) return `Le ${core}`;
  if ((prefix === "Le " || prefix === "La ") && VOWEL_START.test(core)) return `L'${core}`;
  return prefix + core;
}

const isMetropolitan = (departementCode: string) => /^(\d{2}|2[AB])$/.test(departementCode);

export function createSyntheticRows(real: readonly RealCommune[], seed: number): (index: number) => SyntheticRow {
  if (real.length === 0) throw new Error("synthetic rows need the real communes to draw from");
  const parts = real.map((commune) => splitName(commune.nom));
  return (index) => {
    const random = rowRandom(seed, index);
    const pick = () => Math.floor(random() * real.length);
    const origin = pick();
    const commune = real[origin]!;
    const core = blend(parts[pick()]!.core, parts[pick()]!.core);
    const nom = joinPrefix(parts[origin]!.prefix, core) + parts[pick()]!.tail;
    const population = Math.round(real[pick()]!.population * Math.exp((random() - 0.5) * 0.7));
    const metro = isMetropolitan(commune.departementCode);
    return {
      code_insee: syntheticCodeInsee(index),
      nom,
      type: "commune-actuelle",
      codes_postaux: [...commune.codesPostaux],
      departement_code: commune.departementCode,
      region_code: commune.regionCode,
      population,
      latitude: metro ? Math.round((42.3 + random() * 8.8) * 1e4) / 1e4 : null,
      longitude: metro ? Math.round((-4.8 + random() * 13) * 1e4) / 1e4 : null,
    };
  };
}

const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

export function toCsvLine(row: SyntheticRow): string {
  return [
    row.code_insee,
    csvField(row.nom),
    row.type,
    row.codes_postaux.join("|"),
    row.departement_code,
    row.region_code,
    String(row.population),
    row.latitude === null ? "" : String(row.latitude),
    row.longitude === null ? "" : String(row.longitude),
  ].join(",");
}

export function toNdjsonLine(row: SyntheticRow): string {
  return JSON.stringify(row);
}
