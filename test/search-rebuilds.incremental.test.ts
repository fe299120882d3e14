import { beforeAll, describe, expect, inject, it } from "vitest";
import { sqlOn } from "./helpers/sql.ts";

/**
 * The incremental refreshes of drizzle/0014 against the full rebuilds they stand in for,
 * on a database of their own (the suite's primary serves other files' searches). Small
 * bounds (a prefix is heavy above 15 terms, lists of 5, a dictionary of 40) make a few
 * hundred villes exercise every case: lists merged, lists recomputed because a listed
 * ville changed, prefixes that become heavy, members that leave the dictionary.
 */
const FIXTURE = inject("rebuildFixtureDatabaseUrl");
const THRESHOLD = 15;
const TOP_K = 5;
const DICTIONARY_SIZE = 40;
const ROUNDS = 4;

const SYLLABLES = ["sa", "saint ", "la ", "le ", "mont", "val", "be", "bo", "ri", "ro", "ne", "sur "];

/** A deterministic stream from the suite's fuzz seed, so a failure replays. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function nameFrom(next: () => number): string {
  const parts = Array.from({ length: 2 + Math.floor(next() * 3) }, () => SYLLABLES[Math.floor(next() * SYLLABLES.length)]!);
  const name = parts.join("").trim().replace(/\s+/g, " ");
  return name.charAt(0).toUpperCase() + name.slice(1);
}

type Row = { code: string; nom: string; population: number };

const db = () => sqlOn(FIXTURE);

async function upsert(rows: readonly Row[]): Promise<void> {
  await db().query(
    `insert into villes (code_insee, type, nom, codes_postaux, code_postal_principal, departement_code, region_code, population)
     select code, 'commune-actuelle', nom, array[left(code, 2) || '100'], left(code, 2) || '100', '74', '84', population
     from unnest($1::text[], $2::text[], $3::int[]) as r(code, nom, population)
     on conflict (code_insee, type) do update set nom = excluded.nom, population = excluded.population, updated_at = now()`,
    [rows.map((row) => row.code), rows.map((row) => row.nom), rows.map((row) => row.population)],
  );
}

type HeavyRow = { prefix: string; ville_ids: string[] };
const heavyPrefixes = async () => new Map(((await db()`select prefix, ville_ids::text[] as ville_ids from heavy_prefixes order by prefix`) as HeavyRow[]).map((row) => [row.prefix, row.ville_ids]));
const dictionary = async () => ((await db()`select ville_id::text || ':' || typo_key || ':' || population as entry from typo_dictionary order by ville_id`) as Array<{ entry: string }>).map((row) => row.entry);

/** The exact top K of a prefix, as the full rebuild ranks it, read live. */
async function liveTopK(prefix: string): Promise<string[]> {
  const rows = (await db().query(
    `select ville_id::text from ville_search_terms t
     where t.term >= $1 and t.term < $1 || '{' and t.type in ('commune-actuelle', 'arrondissement-municipal')
     group by ville_id order by max(lieux_match_score(t.term, t.word_position, $1, t.population)) desc, ville_id limit $2`,
    [prefix, TOP_K],
  )) as Array<{ ville_id: string }>;
  return rows.map((row) => row.ville_id);
}

/**
 * What the bottom-up full rebuild (drizzle/0015) must produce, computed the slow way: every
 * prefix with more than THRESHOLD matching terms, each with the top K and scores that ranking
 * its whole range gives (lieux_heavy_prefix_top).
 */
async function expectFullRebuildExact(): Promise<void> {
  const [{ expected }] = (await db().query(
    `select count(*)::int as expected from (
       select left(term, n) from ville_search_terms, generate_series(1, length(term)) as n
       where type in ('commune-actuelle', 'arrondissement-municipal') group by 1 having count(*) > $1) heavy`,
    [THRESHOLD],
  )) as [{ expected: number }];
  const differing = (await db().query(
    `select h.prefix from heavy_prefixes h cross join lateral lieux_heavy_prefix_top(h.prefix, $1) r
     where (r.ids, r.scores) is distinct from (h.ville_ids, h.scores)
        or h.match_count <> (select count(*) from ville_search_terms t where t.term >= h.prefix and t.term < h.prefix || '{' and t.type in ('commune-actuelle', 'arrondissement-municipal'))`,
    [TOP_K],
  )) as Array<{ prefix: string }>;
  const [{ listed, spaced }] = (await db()`select count(*)::int as listed, count(*) filter (where prefix like '% ')::int as spaced from heavy_prefixes`) as [{ listed: number; spaced: number }];
  expect(differing.map((row) => row.prefix)).toEqual([]);
  expect(listed).toBe(expected);
  // Not vacuous: many prefixes, some of them ending at a word boundary (their lists come from the 'w' lists).
  expect(listed).toBeGreaterThan(10);
  expect(spaced).toBeGreaterThan(0);
}

async function rebuildInFull(): Promise<void> {
  await db()`select lieux_rebuild_heavy_prefixes(${THRESHOLD}, ${TOP_K})`;
  await db()`select lieux_rebuild_typo_dictionary(${DICTIONARY_SIZE})`;
}

describe("incremental heavy-prefix and typo-dictionary refreshes (drizzle/0014) and the bottom-up full rebuild (drizzle/0015)", () => {
  const next = random(inject("fuzzSeed"));
  const villes: Row[] = Array.from({ length: 400 }, (_, i) => ({ code: `74${String(i).padStart(3, "0")}`, nom: nameFrom(next), population: Math.floor(next() ** 3 * 200_000) }));

  beforeAll(async () => {
    await db().transaction((sql) => [
      sql`truncate villes, ville_search_terms, heavy_prefixes, typo_dictionary, search_state restart identity cascade`,
      sql`truncate departements, regions cascade`,
      sql`insert into regions (code, nom, zone) values ('84', 'Auvergne-Rhône-Alpes', 'metro')`,
      sql`insert into departements (code, nom, region_code, zone) values ('74', 'Haute-Savoie', '84', 'metro')`,
    ]);
    await upsert(villes);
    await rebuildInFull();
    await expectFullRebuildExact();
  }, 60_000);

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: after inserts, renames and population moves, both equal what a full rebuild computes`, async () => {
      const before = await heavyPrefixes();
      const listedIds = [...new Set([...before.values()].flat())];
      const listed = new Set(((await db()`select code_insee from villes where id = any(${listedIds}::bigint[])`) as Array<{ code_insee: string }>).map((row) => row.code_insee));
      const changes: Row[] = [];
      // New villes, some large enough to enter lists and the dictionary.
      for (let i = 0; i < 15; i++) changes.push({ code: `74${400 + round * 20 + i}`, nom: nameFrom(next), population: Math.floor(next() ** 2 * 300_000) });
      // Listed villes renamed or shrunk (their lists must be recomputed), others grown.
      const pick = () => villes[Math.floor(next() * villes.length)]!;
      const listedVilles = villes.filter((ville) => listed.has(ville.code));
      expect(listedVilles.length).toBeGreaterThan(5);
      for (let i = 0; i < 4; i++) changes.push({ ...listedVilles[Math.floor(next() * listedVilles.length)]!, nom: nameFrom(next) });
      for (let i = 0; i < 4; i++) changes.push({ ...listedVilles[Math.floor(next() * listedVilles.length)]!, population: Math.floor(next() * 50) });
      for (let i = 0; i < 10; i++) {
        const ville = pick();
        changes.push({ ...ville, population: ville.population * 3 + 1_000 });
      }
      const latest = new Map(changes.map((row) => [row.code, row]));
      for (const row of latest.values()) {
        const index = villes.findIndex((ville) => ville.code === row.code);
        if (index >= 0) villes[index] = row;
        else villes.push(row);
      }
      const [{ since }] = (await db()`select clock_timestamp()::text as since`) as [{ since: string }];
      await upsert([...latest.values()]);

      const [{ rewritten }] = (await db()`select lieux_refresh_heavy_prefixes(${since}::timestamptz, ${THRESHOLD}, ${TOP_K}) as rewritten`) as [{ rewritten: number }];
      const [{ touched }] = (await db()`select lieux_refresh_typo_dictionary(${since}::timestamptz, ${DICTIONARY_SIZE}) as touched`) as [{ touched: number }];
      const refreshed = { heavy: await heavyPrefixes(), dictionary: await dictionary() };
      await rebuildInFull();
      await expectFullRebuildExact();
      const full = { heavy: await heavyPrefixes(), dictionary: await dictionary() };

      // Not vacuous: the changes moved lists and the dictionary, and the refreshes wrote them.
      expect(rewritten).toBeGreaterThan(0);
      expect(touched).toBeGreaterThan(0);
      expect([...full.heavy].some(([prefix, ids]) => JSON.stringify(before.get(prefix)) !== JSON.stringify(ids))).toBe(true);
      expect(full.heavy.size).toBeGreaterThan(10);

      expect(refreshed.dictionary).toEqual(full.dictionary);
      expect(refreshed.dictionary).toHaveLength(DICTIONARY_SIZE);
      for (const [prefix, ids] of full.heavy) expect(refreshed.heavy.get(prefix), prefix).toEqual(ids);
      // A prefix that only lost matches may stay heavy until the next full rebuild; its list is still exact.
      for (const [prefix, ids] of refreshed.heavy) if (!full.heavy.has(prefix)) expect(ids, prefix).toEqual(await liveTopK(prefix));
    }, 60_000);
  }

  it("does nothing when no ville changed since the given time", async () => {
    const before = { heavy: await heavyPrefixes(), dictionary: await dictionary() };
    const [{ rewritten }] = (await db()`select lieux_refresh_heavy_prefixes(clock_timestamp(), ${THRESHOLD}, ${TOP_K}) as rewritten`) as [{ rewritten: number }];
    const [{ touched }] = (await db()`select lieux_refresh_typo_dictionary(clock_timestamp(), ${DICTIONARY_SIZE}) as touched`) as [{ touched: number }];
    expect({ rewritten, touched }).toEqual({ rewritten: 0, touched: 0 });
    expect({ heavy: await heavyPrefixes(), dictionary: await dictionary() }).toEqual(before);
  });
});
