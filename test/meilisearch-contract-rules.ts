/**
 * The request rules of the recorded-contract double (see meilisearch-contract-double.ts),
 * written from the Meilisearch API reference: settings object, search body, filter
 * expression syntax. Each check answers the documented error code, or null when valid.
 */
export interface ApiProblem {
  status: number;
  code: string;
  type: "invalid_request" | "auth" | "internal";
  message: string;
}

export const problem = (code: string, message: string, status = 400): ApiProblem => ({ status, code, type: "invalid_request", message });

const isStringArray = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === "string");
const isPositiveInteger = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const BUILT_IN_RANKING_RULES = new Set(["words", "typo", "proximity", "attribute", "attributeRank", "wordPosition", "sort", "exactness"]);

function rankingRulesProblem(rules: unknown): string | null {
  if (!isStringArray(rules)) return "`rankingRules` must be an array of strings";
  for (const rule of rules as string[]) {
    if (!BUILT_IN_RANKING_RULES.has(rule) && !/^[A-Za-z0-9_.-]+:(asc|desc)$/.test(rule)) return `\`${rule}\` ranking rule is invalid`;
  }
  const list = rules as string[];
  if (list.includes("attribute") && (list.includes("attributeRank") || list.includes("wordPosition"))) {
    return "`attribute` cannot be used together with `attributeRank` or `wordPosition`";
  }
  return null;
}

function typoToleranceProblem(value: unknown): string | null {
  if (!isObject(value)) return "`typoTolerance` must be an object";
  const allowed = new Set(["enabled", "minWordSizeForTypos", "disableOnWords", "disableOnAttributes", "disableOnNumbers"]);
  const unknown = Object.keys(value).find((key) => !allowed.has(key));
  if (unknown) return `Unknown field \`${unknown}\` inside \`.typoTolerance\``;
  if ("enabled" in value && typeof value.enabled !== "boolean") return "`.typoTolerance.enabled` must be a boolean";
  if ("disableOnNumbers" in value && typeof value.disableOnNumbers !== "boolean") return "`.typoTolerance.disableOnNumbers` must be a boolean";
  for (const key of ["disableOnWords", "disableOnAttributes"]) if (key in value && !isStringArray(value[key])) return `\`.typoTolerance.${key}\` must be strings`;
  const sizes = value.minWordSizeForTypos;
  if (sizes !== undefined) {
    if (!isObject(sizes) || Object.keys(sizes).some((key) => key !== "oneTypo" && key !== "twoTypos")) return "`.typoTolerance.minWordSizeForTypos` is invalid";
    const { oneTypo = 5, twoTypos = 9 } = sizes as { oneTypo?: number; twoTypos?: number };
    if (!isPositiveInteger(oneTypo) || !isPositiveInteger(twoTypos) || oneTypo > 255 || twoTypos > 255) return "minWordSizeForTypos values must be integers 0–255";
    if (oneTypo > twoTypos) return "`minWordSizeForTypos` setting is invalid. `oneTypo` and `twoTypos` fields should be between `0` and `255`, and `twoTypos` should be greater or equals to `oneTypo`";
  }
  return null;
}

type SettingRule = (value: unknown) => string | null;
const stringList: SettingRule = (value) => (isStringArray(value) ? null : "must be an array of strings");

/** Every documented settings field this project may send, with its shape. */
const SETTING_RULES: Record<string, { code: string; check: SettingRule }> = {
  displayedAttributes: { code: "invalid_settings_displayed_attributes", check: stringList },
  searchableAttributes: { code: "invalid_settings_searchable_attributes", check: stringList },
  filterableAttributes: { code: "invalid_settings_filterable_attributes", check: stringList },
  sortableAttributes: { code: "invalid_settings_sortable_attributes", check: stringList },
  stopWords: { code: "invalid_settings_stop_words", check: stringList },
  rankingRules: { code: "invalid_settings_ranking_rules", check: rankingRulesProblem },
  synonyms: {
    code: "invalid_settings_synonyms",
    check: (value) => (isObject(value) && Object.values(value).every(isStringArray) ? null : "must map words to arrays of strings"),
  },
  typoTolerance: { code: "invalid_settings_typo_tolerance", check: typoToleranceProblem },
  pagination: {
    code: "invalid_settings_pagination",
    check: (value) =>
      isObject(value) && Object.keys(value).every((key) => key === "maxTotalHits") && Number.isInteger(value.maxTotalHits) && (value.maxTotalHits as number) > 0
        ? null
        : "`pagination` must be `{ maxTotalHits: positive integer }`",
  },
  searchCutoffMs: { code: "invalid_settings_search_cutoff_ms", check: (value) => (value === null || (Number.isInteger(value) && (value as number) > 0) ? null : "must be a positive integer") },
};

export function settingsProblem(body: unknown): ApiProblem | null {
  if (!isObject(body)) return problem("bad_request", "Invalid value type: expected an object");
  for (const [key, value] of Object.entries(body)) {
    const rule = SETTING_RULES[key];
    if (!rule) return problem("bad_request", `Unknown field \`${key}\`: expected one of ${Object.keys(SETTING_RULES).join(", ")}`);
    const reason = value === null ? null : rule.check(value);
    if (reason) return problem(rule.code, `Invalid value at \`.${key}\`: ${reason}`);
  }
  return null;
}

const SEARCH_FIELDS: Record<string, { code: string; check: (value: unknown) => boolean }> = {
  q: { code: "invalid_search_q", check: (value) => value === null || typeof value === "string" },
  offset: { code: "invalid_search_offset", check: isPositiveInteger },
  limit: { code: "invalid_search_limit", check: isPositiveInteger },
  filter: { code: "invalid_search_filter", check: (value) => typeof value === "string" || Array.isArray(value) },
  attributesToRetrieve: { code: "invalid_search_attributes_to_retrieve", check: isStringArray },
  attributesToHighlight: { code: "invalid_search_attributes_to_highlight", check: isStringArray },
  highlightPreTag: { code: "invalid_search_highlight_pre_tag", check: (value) => typeof value === "string" },
  highlightPostTag: { code: "invalid_search_highlight_post_tag", check: (value) => typeof value === "string" },
  matchingStrategy: { code: "invalid_search_matching_strategy", check: (value) => value === "last" || value === "all" || value === "frequency" },
  showRankingScore: { code: "invalid_search_show_ranking_score", check: (value) => typeof value === "boolean" },
  sort: { code: "invalid_search_sort", check: isStringArray },
};

export function searchBodyProblem(body: unknown): ApiProblem | null {
  if (!isObject(body)) return problem("bad_request", "Invalid value type: expected an object");
  for (const [key, value] of Object.entries(body)) {
    const field = SEARCH_FIELDS[key];
    if (!field) return problem("bad_request", `Unknown field \`${key}\`: expected one of ${Object.keys(SEARCH_FIELDS).join(", ")}`);
    if (value !== undefined && !field.check(value)) return problem(field.code, `Invalid value at \`.${key}\``);
  }
  return null;
}

const INDEX_UID = /^[A-Za-z0-9_-]{1,400}$/;

export function createIndexBodyProblem(body: unknown): ApiProblem | null {
  if (!isObject(body) || typeof body.uid !== "string" || !INDEX_UID.test(body.uid)) return problem("invalid_index_uid", "`uid` must be a valid index uid.");
  if (body.primaryKey !== undefined && body.primaryKey !== null && typeof body.primaryKey !== "string") return problem("invalid_index_primary_key", "`primaryKey` must be a string.");
  const unknown = Object.keys(body).find((key) => key !== "uid" && key !== "primaryKey");
  return unknown ? problem("bad_request", `Unknown field \`${unknown}\`: expected one of \`uid\`, \`primaryKey\``) : null;
}

export const documentsBodyProblem = (body: unknown): ApiProblem | null =>
  Array.isArray(body) && body.every(isObject) ? null : problem("malformed_payload", "The documents payload must be an array of objects.");

/** Checked when the task is processed: a bad id fails the task, not the request. */
export function documentIdProblem(document: Record<string, unknown>, primaryKey: string): ApiProblem | null {
  const id = document[primaryKey];
  if (id === undefined) return problem("missing_document_id", `Document doesn't have a \`${primaryKey}\` attribute.`);
  const valid = Number.isInteger(id) || (typeof id === "string" && /^[A-Za-z0-9_-]{1,511}$/.test(id));
  return valid ? null : problem("invalid_document_id", `Document identifier \`${JSON.stringify(id)}\` is invalid.`);
}

export function swapBodyProblem(body: unknown): ApiProblem | null {
  const valid =
    Array.isArray(body) &&
    body.every(
      (swap) =>
        isObject(swap) &&
        Object.keys(swap).every((key) => key === "indexes" || key === "rename") &&
        Array.isArray(swap.indexes) &&
        swap.indexes.length === 2 &&
        swap.indexes.every((uid) => typeof uid === "string" && INDEX_UID.test(uid)) &&
        (swap.rename === undefined || typeof swap.rename === "boolean"),
    );
  return valid ? null : problem("invalid_swap_indexes", "Each swap must be `{ indexes: [uid, uid], rename?: boolean }`.");
}

/** Meilisearch's error body: `{ message, code, type, link }`. */
export const errorBody = ({ code, type, message }: ApiProblem) => ({ message, code, type, link: `https://docs.meilisearch.com/errors#${code}` });

export const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
