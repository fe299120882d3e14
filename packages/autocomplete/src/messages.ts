/** Every string the element shows or announces; override any of them with the `messages` property. */
export interface Messages {
  /** The input's accessible name when neither `label`, a <label for>, nor `aria-label` gives one. */
  label: string;
  results: (count: number) => string;
  none: (q: string) => string;
  fuzzy: (q: string, count: number) => string;
  /** The heading of the fuzzy suggestions inside the list. */
  didYouMean: string;
  selected: (nom: string) => string;
  offline: string;
  rateLimited: (seconds: number | null) => string;
  failed: (status: number) => string;
  retry: string;
  required: string;
}

const fr: Messages = {
  label: "Commune",
  results: (n) => (n === 1 ? "1 commune trouvée." : `${n} communes trouvées.`),
  none: (q) => `Aucune commune ne correspond à « ${q} ».`,
  fuzzy: (q, n) => `Aucun nom ne commence par « ${q} ». Vouliez-vous dire… ${n === 1 ? "1 suggestion" : `${n} suggestions`}.`,
  didYouMean: "Vouliez-vous dire…",
  selected: (nom) => `${nom} sélectionnée.`,
  offline: "L'API ne répond pas. Vérifiez la connexion puis réessayez.",
  rateLimited: (s) => `Trop de requêtes : réessayez dans ${s ?? "quelques"} s.`,
  failed: (status) => `La recherche a échoué (HTTP ${status}).`,
  retry: "Réessayer",
  required: "Choisissez une commune dans la liste.",
};

const en: Messages = {
  label: "Town",
  results: (n) => (n === 1 ? "1 result." : `${n} results.`),
  none: (q) => `No town matches “${q}”.`,
  fuzzy: (q, n) => `No name starts with “${q}”. Did you mean… ${n === 1 ? "1 suggestion" : `${n} suggestions`}.`,
  didYouMean: "Did you mean…",
  selected: (nom) => `${nom} selected.`,
  offline: "The service cannot be reached. Check your connection and try again.",
  rateLimited: (s) => `Too many requests: try again in ${s ?? "a few"} s.`,
  failed: (status) => `The search failed (HTTP ${status}).`,
  retry: "Retry",
  required: "Choose a town from the list.",
};

/** French for `fr`, `fr-CA`…; English for anything else. */
export const messagesFor = (lang: string): Messages => (/^fr\b/i.test(lang) ? fr : en);
