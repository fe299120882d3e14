import type { RelevanceCase } from "./cases.ts";

const LETTERS = "a Corsican INSEE code (2A…, 2B…) in any case finds its commune, exactly like a numeric code";
const PREFIX = "a Corsican INSEE code prefix finds only the communes whose code starts with it";
const NUMERIC = "a numeric INSEE or postal code finds its commune first";
const POSTAL_LIKE = "a city's xx000 form, not a real postal code, offers the city then its arrondissements";
const OLD_CODE = "a former commune's INSEE code (anciensCodes) finds the commune nouvelle and names the former commune";

export const codeCases: RelevanceCase[] = [
  ...([
    ["2A004", "Ajaccio 2A004"],
    ["2a004", "Ajaccio 2A004"],
    ["2B033", "Bastia 2B033"],
    ["2b033", "Bastia 2B033"],
    ["2a247", "Porto-Vecchio 2A247"],
    ["2B096", "Corte 2B096"],
    ["2a022", "Arro 2A022"],
  ] as const).map(([q, first]): RelevanceCase => ({ rule: LETTERS, q, expect: { first } })),
  { rule: PREFIX, q: "2a00", expect: { inseePrefix: "2A00", count: 4 } },
  { rule: PREFIX, q: "2B03", expect: { inseePrefix: "2B03", count: 5 } },
  ...([
    ["44109", "Nantes 44109"],
    ["44000", "Nantes 44109"],
    ["33000", "Bordeaux 33063"],
    ["42218", "Saint-Étienne 42218"],
  ] as const).map(([q, first]): RelevanceCase => ({ rule: NUMERIC, q, expect: { first } })),
  { rule: POSTAL_LIKE, q: "75000", expect: { first: "Paris 75056", arrondissements: 9 } },
  { rule: POSTAL_LIKE, q: "13000", expect: { first: "Marseille 13055", arrondissements: 9 } },
  { rule: POSTAL_LIKE, q: "69000", expect: { first: "Lyon 69123", arrondissements: 9 } },
  { rule: POSTAL_LIKE, q: "75000", limit: 20, expect: { first: "Paris 75056", arrondissements: 19 } },
  { rule: OLD_CODE, q: "74011", expect: { within: 3, ville: "Annecy 74010", ancienNom: "Annecy-le-Vieux" } },
  { rule: OLD_CODE, q: "50173", expect: { within: 3, ville: "Cherbourg-en-Cotentin 50129", ancienNom: "Équeurdreville-Hainneville" } },
  // 01340 is also the postal code of ten communes (Attignat, Foissiat…), whose exact matches may come first
  { rule: OLD_CODE, q: "01340", limit: 20, expect: { within: 20, ville: "Arboys en Bugey 01015", ancienNom: "Saint-Bois" } },
  { rule: OLD_CODE, q: "93059", expect: { within: 3, ville: "Saint-Denis 93066", ancienNom: "Pierrefitte-sur-Seine" } },
];
