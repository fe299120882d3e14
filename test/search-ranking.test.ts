import { describe, expect, it } from "vitest";
import { blendTypos, largeTypos, reserveCompleteNames, typoBlendScore, wantsTypoBlend } from "../src/lib/search/ranking.ts";

interface Row {
  id: number;
  nom: string;
  population: number;
}

let nextId = 1;
const row = (nom: string, population = 100): Row => ({ id: nextId++, nom, population });
const noms = (rows: readonly Row[]) => rows.map((entry) => entry.nom);
const startsWith = (query: string) => (entry: Row) => entry.nom.toLowerCase().startsWith(query);

describe("the page ranking that combines candidate lists (src/lib/search/ranking.ts)", () => {
  it("keeps the blend's order when the complete name is already among the first five", () => {
    const nant = row("Nant", 1026);
    const ranked = [row("Nantes"), row("Nanterre"), nant, row("Nantua"), row("Nantiat")];
    expect(noms(reserveCompleteNames(ranked, [nant], 10, startsWith("nant")))).toEqual(["Nantes", "Nanterre", "Nant", "Nantua", "Nantiat"]);
  });

  it("gives a complete name the blend left off the page the fifth place", () => {
    const vou = row("Vou", 247);
    const ranked = ["Vouneuil", "Vouziers", "Vouillé", "Vouvray", "Vourles", "Vourey"].map((nom) => row(nom));
    expect(noms(reserveCompleteNames(ranked, [vou], 6, startsWith("vou")))).toEqual(["Vouneuil", "Vouziers", "Vouillé", "Vouvray", "Vou", "Vourles"]);
  });

  it("puts complete names before names that only match a later word", () => {
    const celle = row("Cellé", 225);
    const ranked = [row("La Celle-Saint-Cloud"), row("Celles-sur-Belle"), celle];
    expect(noms(reserveCompleteNames(ranked, [celle], 10, startsWith("celle")))).toEqual(["Cellé", "La Celle-Saint-Cloud", "Celles-sur-Belle"]);
  });

  it("places homonyms by population: five among the first five, the next five among the first ten", () => {
    const homonyms = Array.from({ length: 7 }, (_, index) => row(`Beaulieu ${index + 1}`, 1000 - index));
    const ranked = [row("Beaulieu-sur-Mer"), ...Array.from({ length: 9 }, (_, index) => row(`Beaulieu-${index}`))];
    const page = noms(reserveCompleteNames(ranked, homonyms, 10, startsWith("beaulieu")));
    expect(page.slice(0, 5)).toEqual(["Beaulieu 1", "Beaulieu 2", "Beaulieu 3", "Beaulieu 4", "Beaulieu 5"]);
    // the blend resumes until the last two homonyms are due at the ninth and tenth places
    expect(page.slice(5)).toEqual(["Beaulieu-sur-Mer", "Beaulieu-0", "Beaulieu-1", "Beaulieu 6", "Beaulieu 7"]);
  });

  it("lets a typo join only when it beats every prefix match, at most three", () => {
    const prefix = [{ ...row("L'Île-Saint-Denis"), score: 4.94 }, { ...row("L'Île-d'Yeu"), score: 4.69 }];
    const typos = [{ ...row("Lille"), score: typoBlendScore(238_246, 0.57) }, { ...row("Lilly"), score: 3.1 }];
    expect(noms(blendTypos(prefix, typos, 10))).toEqual(["Lille", "L'Île-Saint-Denis", "L'Île-d'Yeu"]);
  });

  it("blends typos only beside few or tiny prefix matches", () => {
    expect(wantsTypoBlend([{ population: 300_000 }], 10)).toBe(true);
    expect(wantsTypoBlend(Array(10).fill({ population: 19_999 }), 10)).toBe(true);
    expect(wantsTypoBlend([...Array(9).fill({ population: 100 }), { population: 20_000 }], 10)).toBe(false);
  });

  it("keeps, for an engine that only counts typos, the typo hits twenty times larger than every prefix match", () => {
    const prefix = [row("L'Île-Saint-Denis", 8_696), row("L'Île-d'Yeu", 4_883)];
    const typos = [row("Lille", 238_246), row("Lilly", 170_000), row("Lisle", 900)];
    expect(noms(largeTypos(prefix, typos, 10))).toEqual(["Lille"]);
    expect(largeTypos(Array(10).fill(row("Big", 50_000)), typos, 10)).toEqual([]);
  });
});
