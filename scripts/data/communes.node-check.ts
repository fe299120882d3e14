/**
 * Sanity report on the reference rows: counts, invariants the seed relies on,
 * examples, and the characters a name normaliser has to handle.
 * Run: node_modules/.bin/tsx scripts/data/communes.node-check.ts
 */
import { performance } from "node:perf_hooks";
import { loadReferenceDataWithSources, type VilleSeedRow } from "./communes.ts";

const failures: string[] = [];
function expect(condition: boolean, message: string): void {
  if (!condition) failures.push(message);
}

const started = performance.now();
const { data, postalCodeSources } = loadReferenceDataWithSources();
const loadMs = performance.now() - started;
const { regions, departements, villes } = data;

const byType = new Map<string, number>();
for (const ville of villes) byType.set(ville.type, (byType.get(ville.type) ?? 0) + 1);
console.log(`load: ${loadMs.toFixed(0)} ms`);
console.log(`villes: ${villes.length}`, Object.fromEntries(byType));
console.log(`départements: ${departements.length}, régions: ${regions.length}`);
console.log("postal code sources:", postalCodeSources);

const actuelles = new Map(villes.filter((v) => v.type === "commune-actuelle").map((v) => [v.codeInsee, v]));
const shared = villes.filter((v) => v.type === "commune-deleguee" && actuelles.has(v.codeInsee)).length;
console.log(`déléguées sharing their code with a commune actuelle: ${shared}`);
const withoutCodes = villes.filter((v) => v.codesPostaux.length === 0);
const withoutByType = new Map<string, number>();
for (const ville of withoutCodes) withoutByType.set(ville.type, (withoutByType.get(ville.type) ?? 0) + 1);
console.log("rows without postal code:", Object.fromEntries(withoutByType));
console.log(`rows with coordinates: ${villes.filter((v) => v.latitude !== null).length}`);

// Invariants the database constraints and the seed depend on.
const regionCodes = new Set(regions.map((r) => r.code));
const departementCodes = new Set(departements.map((d) => d.code));
const keys = new Set<string>();
villes.forEach((ville, index) => {
  const key = `${ville.codeInsee}/${ville.type}`;
  expect(!keys.has(key), `duplicate (code_insee, type): ${key}`);
  keys.add(key);
  expect(departementCodes.has(ville.departementCode), `${key}: unknown département ${ville.departementCode}`);
  expect(regionCodes.has(ville.regionCode), `${key}: unknown région ${ville.regionCode}`);
  expect((ville.parentCode === null) === (ville.type === "commune-actuelle"), `${key}: parentCode ${ville.parentCode}`);
  if (ville.parentCode !== null) expect(actuelles.has(ville.parentCode), `${key}: parent ${ville.parentCode} missing`);
  const sortedUnique = [...new Set(ville.codesPostaux)].sort();
  expect(sortedUnique.join() === ville.codesPostaux.join(), `${key}: postal codes not sorted/unique`);
  expect(ville.codesPostaux.every((code) => /^\d{5}$/.test(code)), `${key}: malformed postal code`);
  expect(
    ville.codePostalPrincipal === null ? ville.codesPostaux.length === 0 : ville.codesPostaux.includes(ville.codePostalPrincipal),
    `${key}: principal ${ville.codePostalPrincipal} not among its codes`,
  );
  expect(Number.isInteger(ville.population) && ville.population >= 0, `${key}: bad population`);
  const previous = villes[index - 1];
  if (previous) expect(`${previous.codeInsee}/${previous.type}` < key, `not sorted at ${key}`);
});
for (const d of departements) expect(regionCodes.has(d.regionCode), `département ${d.code}: unknown région ${d.regionCode}`);
expect(loadMs < 2000, `load took ${loadMs.toFixed(0)} ms (budget 2000)`);

function show(ville: VilleSeedRow): string {
  const codes = ville.codesPostaux.length > 4 ? `${ville.codesPostaux.slice(0, 4).join(",")}…(${ville.codesPostaux.length})` : ville.codesPostaux.join(",");
  return `${ville.codeInsee} ${ville.type} "${ville.nom}" parent=${ville.parentCode} cp=[${codes}] principal=${ville.codePostalPrincipal} dep=${ville.departementCode} reg=${ville.regionCode} pop=${ville.population}`;
}
console.log("\nexamples:");
for (const code of ["75056", "13055", "69123"]) {
  const commune = actuelles.get(code);
  const arrondissements = villes.filter((v) => v.parentCode === code && v.type === "arrondissement-municipal");
  if (commune) console.log(" ", show(commune));
  console.log(`    ${arrondissements.length} arrondissements, first: ${arrondissements[0] ? show(arrondissements[0]) : "none"}`);
}
const names = ["L'Haÿ-les-Roses", "Saint-Étienne", "Nantes", "Nant", "Oz", "Eu", "Aix-en-Provence"];
for (const name of names) for (const ville of villes.filter((v) => v.nom === name)) console.log(" ", show(ville));
for (const code of ["01015", "10003", "14408", "01120"]) {
  for (const ville of villes.filter((v) => v.codeInsee === code && v.type !== "commune-actuelle")) {
    console.log(" ", show(ville), "| parent:", actuelles.get(ville.parentCode ?? "")?.nom);
  }
}
const longest = villes.reduce((best, v) => (v.nom.length > best.nom.length ? v : best));
console.log(`\nlongest nom (${longest.nom.length} chars): ${show(longest)}`);

// Characters the name normaliser must handle, with how often they occur.
function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}
const letters = new Map<string, number>();
const punctuation = new Map<string, number>();
for (const { nom } of villes) {
  for (const char of nom) {
    if (/[A-Za-z0-9]/.test(char)) continue;
    const bucket = /\p{L}/u.test(char) ? letters : punctuation;
    bucket.set(char, (bucket.get(char) ?? 0) + 1);
  }
}
function list(counts: Map<string, number>): string {
  return [...counts].sort(([a], [b]) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0))
    .map(([char, count]) => `${JSON.stringify(char)} ${codePoint(char)} ×${count}`).join("\n  ");
}
console.log(`\nnon-ASCII letters (${letters.size}):\n  ${list(letters)}`);
console.log(`punctuation / spaces / symbols (${punctuation.size}):\n  ${list(punctuation)}`);

if (failures.length > 0) {
  console.error(`\n${failures.length} check(s) failed:\n${failures.slice(0, 20).join("\n")}`);
  process.exit(1);
}
console.log("\nall checks passed");
