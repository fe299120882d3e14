import { describe, expect, it } from "vitest";

/**
 * No SQL text is ever built from user input: values travel as parameters (`sql` tagged
 * templates, `$n` placeholders). This reads every source file (workerd has no fs, so the
 * files are bundled with Vite's import.meta.glob) and flags each call that takes raw SQL
 * text — `sql.raw(…)`, a raw client's `.query(…)`, `positionalSql(…)` — unless its text is
 * a literal, a CONSTANT_CASE module constant, a template over such constants, or one of
 * the reviewed exceptions below. `.execute(…)` takes Drizzle SQL objects, so only an
 * untagged template or a concatenation there is flagged.
 */
const SOURCES = import.meta.glob<string>(["../src/**/*.ts", "!../src/**/*.test.ts"], { query: "?raw", import: "default", eager: true });

/** Reviewed uses whose argument is not a literal or a constant: file suffix, exact argument, and why it is safe. */
const REVIEWED: Array<{ file: string; argument: string; why: string }> = [
  { file: "lib/db/positional-sql.ts", argument: "part", why: "a slice of the caller's constant SQL text between $n placeholders; values become sql.param" },
  { file: "lib/imports/jobs.ts", argument: "`to_json(${column}) #>> '{}'`", why: "iso() is only called with literal column names in the same file" },
  { file: "lib/imports/stats-refresh.ts", argument: "statement", why: "loops over REFRESH_STATS_VIEWS_SQL, built from the STATS_VIEWS constant" },
  { file: "lib/stats/refresh-views.ts", argument: "refreshSql(view)", why: "view iterates over the STATS_VIEWS constant" },
  { file: "lib/db/queries/near-candidates.ts", argument: "alias", why: "areaClauses is only called with literal table aliases in the same file; the filter values are parameters" },
  { file: "lib/imports/merge.ts", argument: "`s.${stagingColumnFor(column)} as ${column}`", why: "column iterates over the UPSERT_SOURCE_COLUMNS constant" },
  { file: "lib/imports/merge.ts", argument: "upsertFromTable(\"villes\", \"import_merge\")", why: "literal table names into the constant upsert text" },
  { file: "lib/imports/shadow-stages.ts", argument: "text", why: "`ddl`: DDL built from the constants of shadow-stages.ts and shadow-build.ts, the caller's literal temp table name and definitions Postgres itself returns (pg_get_indexdef, pg_get_triggerdef, pg_get_viewdef); no request input reaches it" },
  { file: "lib/imports/shadow-catalog.ts", argument: "text", why: "catalog queries written in this file; the oids interpolated are ones Postgres returned" },
  { file: "lib/imports/staging.ts", argument: "before!", why: "a slice of the constant insert text" },
  { file: "lib/imports/staging.ts", argument: "after!", why: "a slice of the constant insert text" },
  { file: "lib/search/postgres-sql.ts", argument: "columns.formerNames ? `, ${FORMER_NAMES}` : \"\"", why: "chooses between the FORMER_NAMES constant and nothing" },
  { file: "lib/search/postgres-sql.ts", argument: "columns.similarity ? \", hits.similarity\" : \"\"", why: "chooses between a literal column and nothing" },
];

const CONSTANT = /^[A-Z][A-Z0-9_]*$/;
const STRING_LITERAL = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')$/;

/** The text between the call's parentheses, skipping over strings and template literals (with nested ${…}). */
export function callArgument(source: string, openParen: number): string {
  let depth = 0;
  for (let index = openParen; index < source.length; index++) {
    const char = source[index]!;
    if (char === '"' || char === "'" || char === "`") {
      index = endOfString(source, index);
      continue;
    }
    if (char === "(") depth++;
    if (char === ")" && --depth === 0) return source.slice(openParen + 1, index).trim();
  }
  throw new Error(`unbalanced call at ${openParen}`);
}

function endOfString(source: string, start: number): number {
  const quote = source[start]!;
  for (let index = start + 1; index < source.length; index++) {
    const char = source[index]!;
    if (char === "\\") index++;
    else if (char === quote) return index;
    else if (quote === "`" && char === "$" && source[index + 1] === "{") {
      let braces = 0;
      for (index++; index < source.length; index++) {
        if (source[index] === "{") braces++;
        if (source[index] === "}" && --braces === 0) break;
      }
    }
  }
  return source.length;
}

const firstArgument = (argument: string) => {
  let depth = 0;
  for (let index = 0; index < argument.length; index++) {
    const char = argument[index]!;
    if (char === '"' || char === "'" || char === "`") index = endOfString(argument, index);
    else if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth--;
    else if (char === "," && depth === 0) return argument.slice(0, index).trim();
  }
  return argument;
};

const interpolations = (template: string) => [...template.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1]!.trim());
const isConcatenation = (text: string) => /["'`]\s*\+|\+\s*["'`]/.test(text);

/** True when the raw SQL text cannot carry user input. */
export function isConstantSql(argument: string): boolean {
  if (STRING_LITERAL.test(argument) || CONSTANT.test(argument)) return true;
  if (/^`[^`]*`$/.test(argument)) return interpolations(argument).every((name) => CONSTANT.test(name));
  return false;
}

interface Finding {
  file: string;
  line: number;
  call: string;
  argument: string;
}

export function findRawSql(file: string, source: string): Finding[] {
  const findings: Finding[] = [];
  const calls = /(?:(?<![\w$])(sql\.raw|positionalSql)|\.(query|execute|unsafe))\s*\(/g;
  for (const match of source.matchAll(calls)) {
    const call = match[1] ?? `.${match[2]}`;
    const line = source.slice(0, match.index).split("\n").length;
    if (/^\s*(\*|\/\/)/.test(source.split("\n")[line - 1] ?? "") || /function positionalSql$/.test(source.slice(0, match.index + call.length))) continue;
    const argument = firstArgument(callArgument(source, match.index! + match[0].length - 1));
    // Hono's c.req.query() reads the URL; a call without arguments carries no SQL either way.
    if (argument === "") continue;
    const flagged =
      call === ".execute"
        ? (/^`/.test(argument) && interpolations(argument).length > 0) || isConcatenation(argument)
        : !isConstantSql(argument) || isConcatenation(argument);
    if (flagged && !REVIEWED.some((entry) => file.endsWith(entry.file) && entry.argument === argument)) findings.push({ file, line, call, argument });
  }
  return findings;
}

describe("SQL is never built from strings at run time", () => {
  it("reads the sources", () => {
    expect(Object.keys(SOURCES).length).toBeGreaterThan(50);
    expect(Object.values(SOURCES).some((source) => source.includes("sql.raw("))).toBe(true);
  });

  it("has no raw SQL call whose text could carry input, outside the reviewed exceptions", () => {
    const findings = Object.entries(SOURCES).flatMap(([file, source]) => findRawSql(file.replace("../src/", ""), source));
    expect(findings).toEqual([]);
  });

  it.each([
    ["sql.raw(`select * from villes where nom = '${q}'`)", true],
    ["sql.raw(\"select * from villes where nom = '\" + q + \"'\")", true],
    ["client.query(`select ${column} from villes`)", true],
    ["client.query('select 1 from villes where id = ' + id)", true],
    ["db.execute(`delete from villes where id = ${id}`)", true],
    ["positionalSql(text, params)", true],
    ["sql.raw(userInput)", true],
    ["sql.raw(`SET LOCAL statement_timeout = ${FUZZY_TIMEOUT_MS}`)", false],
    ["sql.raw(VILLE_ROW_SELECT)", false],
    ["client.query(\"select 1 where id = $1\", [id])", false],
    ["db.execute(sql`select * from villes where id = ${id}`)", false],
    ["positionalSql(UPSERT_VILLES_SQL, params)", false],
  ])("flags %s: %s", (code, flagged) => {
    expect(findRawSql("example.ts", code).length > 0).toBe(flagged);
  });
});
