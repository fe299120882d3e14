/** A commune as the autocomplete endpoint returns it (see @lieux/client for the generated types). */
export interface Ville {
  code_insee: string;
  nom: string;
  /** `nom` with the matched part in <mark>, HTML-escaped. */
  nom_highlight: string;
  type: "commune-actuelle" | "commune-deleguee" | "commune-associee" | "arrondissement-municipal";
  codes_postaux: string[];
  code_postal_principal: string | null;
  departement: { code: string; nom: string };
  region: { code: string; nom: string };
  population: number;
  [key: string]: unknown;
}

export interface AutocompleteBody {
  query: { q: string; normalized: string; limit: number };
  match: "prefix" | "fuzzy";
  results: Ville[];
}

/** Renders one result; a string is shown as text, never parsed as HTML. */
export type RenderItem = (ville: Ville, helpers: { highlight: () => DocumentFragment }) => Node | string;

/** `detail` of `lieux-results` and `lieux-error`: enough for a developer panel. */
export interface LieuxRequestDetail {
  url: string;
  /** The query as typed (trimmed). */
  q: string;
  response?: Response;
  body?: AutocompleteBody;
  /** The network failure, when there was no response. */
  error?: unknown;
  durationMs: number;
  /** Requests sent and aborted by this element since it was created. */
  requests: { sent: number; aborted: number };
}
