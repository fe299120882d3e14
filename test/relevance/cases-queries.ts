import type { RelevanceCase } from "./cases.ts";

const OLD_NAME = "a former commune's name (its commune déléguée or associée) finds the commune nouvelle and names the former commune";
const CURRENT_FIRST = "a commune still bearing a name comes before the commune nouvelle that absorbed a namesake";
const TYPO = "a one-letter typo of a large city is not hidden by tiny communes starting with the typed letters";
const WORDS = "several partial words, each the start of a word of one long name, in order, find it first";

export const queryCases: RelevanceCase[] = [
  ...([
    ["annecy le vieux", "Annecy 74010", "Annecy-le-Vieux", 3],
    ["cran gevrier", "Annecy 74010", "Cran-Gevrier", 3],
    ["seynod", "Annecy 74010", "Seynod", 3],
    ["meythet", "Annecy 74010", "Meythet", 3],
    ["pringy", "Annecy 74010", "Pringy", 5],
    ["cherbourg octeville", "Cherbourg-en-Cotentin 50129", "Cherbourg-Octeville", 3],
    ["equeurdreville", "Cherbourg-en-Cotentin 50129", "Équeurdreville-Hainneville", 3],
    ["tourlaville", "Cherbourg-en-Cotentin 50129", "Tourlaville", 3],
    ["querqueville", "Cherbourg-en-Cotentin 50129", "Querqueville", 3],
    ["fourqueux", "Saint-Germain-en-Laye 78551", "Fourqueux", 3],
    ["pierrefitte sur seine", "Saint-Denis 93066", "Pierrefitte-sur-Seine", 3],
    ["arbignieu", "Arboys en Bugey 01015", "Arbignieu", 3],
    ["jallais", "Beaupréau-en-Mauges 49023", "Jallais", 3],
    ["fargniers", "Tergnier 02738", "Fargniers", 3],
    ["saint hilaire saint florent", "Saumur 49328", "Saint-Hilaire-Saint-Florent", 3],
  ] as const).map(([q, ville, ancienNom, rank]): RelevanceCase => ({ rule: OLD_NAME, q, expect: { within: rank, ville, ancienNom } })),
  { rule: CURRENT_FIRST, q: "pringy", expect: { ville: "Pringy 77378", before: "Annecy 74010" } },
  { rule: CURRENT_FIRST, q: "bagneux", expect: { ville: "Bagneux 92007", before: "Saumur 49328" } },
  { rule: OLD_NAME, q: "bagneux", expect: { within: 10, ville: "Saumur 49328", ancienNom: "Bagneux" } },
  ...([
    ["lile", "Lille 59350"],
    ["mareille", "Marseille 13055"],
    ["montellier", "Montpellier 34172"],
    ["renes", "Rennes 35238"],
    ["anney", "Annecy 74010"],
    ["pars", "Paris 75056"],
    ["roun", "Rouen 76540"],
    ["rims", "Reims 51454"],
    ["le hare", "Le Havre 76351"],
    ["turs", "Tours 37261"],
    ["tors", "Tours 37261"],
    ["bordaux", "Bordeaux 33063"],
  ] as const).map(([q, ville]): RelevanceCase => ({ rule: TYPO, q, expect: { within: 3, ville } })),
  ...([
    ["le montellier", "Le Montellier 01260"],
    ["mareilles", "Mareilles 52313"],
    ["renescure", "Renescure 59497"],
  ] as const).map(([q, first]): RelevanceCase => ({ rule: "a real name typed in full stays first, before any large city it resembles", q, expect: { first } })),
  ...([
    ["sai rem de pro", "Saint-Rémy-de-Provence 13100"],
    ["bou sur mer", "Boulogne-sur-Mer 62160"],
    ["sai jea dan", "Saint-Jean-d'Angély 17347"],
    ["cha en cha", "Châlons-en-Champagne 51108"],
    ["vil les avi", "Villeneuve-lès-Avignon 30351"],
    ["sai ger en lay", "Saint-Germain-en-Laye 78551"],
    ["cher en cot", "Cherbourg-en-Cotentin 50129"],
    ["le ch roc", "Le Chesnay-Rocquencourt 78158"],
    ["oul pie ben", "Oullins-Pierre-Bénite 69149"],
    ["st jean ange", "Saint-Jean-d'Angély 17347"],
  ] as const).map(([q, first]): RelevanceCase => ({ rule: WORDS, q, expect: { first } })),
];
