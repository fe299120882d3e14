import { describe, expect, it } from "vitest";
import { matchScore } from "../src/lib/search/match-score.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";

/**
 * The Meilisearch adapter orders its page with matchScore, the TypeScript twin of the
 * Postgres engine's best lieux_match_score over a ville's terms: both must give the same
 * number for the same ville and query, or the engines rank differently.
 */
describe("matchScore, the twin of the Postgres engine's score", () => {
  it("gives the score Postgres computes over the terms index, for names, elisions, codes and former names", async () => {
    const db = sqlOn(primaryUrl());
    // Every 97th commune actuelle, and every commune nouvelle with former names among the first ones.
    const rows = (await db`
      with sample as (
        select v.id, v.nom, v.population, v.codes_postaux, v.code_insee,
          (select coalesce(json_agg(json_build_object('code', d.code_insee, 'nom', d.nom)), '[]') from villes d
            where d.parent_code = v.code_insee and d.type in ('commune-deleguee', 'commune-associee') and d.nom_normalise <> v.nom_normalise) as former,
          v.nom_normalise
        from villes v where v.type = 'commune-actuelle' and (v.id % 97 = 0 or v.code_insee in ('74010', '50129', '49328', '94038', '17347'))
      ),
      queries as (
        select s.*, q from sample s, lateral (values
          (left(s.nom_normalise, 3)), (s.nom_normalise), (split_part(s.nom_normalise, ' ', 2)), (left(s.code_insee, 3)), (lower(s.code_insee)),
          (left(coalesce(lieux_normalize(s.former->0->>'nom'), 'zz'), 4))
        ) as q(q) where q <> ''
      )
      select q.id, q.nom, q.population, q.codes_postaux as "codesPostaux", q.code_insee as "codeInsee", q.former, q.q,
        (select max(lieux_match_score(t.term, t.word_position, q.q, t.population)) from ville_search_terms t
          where t.ville_id = q.id and t.term >= q.q and t.term < q.q || '{') as score
      from queries q`) as Array<{ nom: string; population: number; codesPostaux: string[]; codeInsee: string; former: Array<{ code: string; nom: string }>; q: string; score: number | null }>;
    expect(rows.length).toBeGreaterThan(1_000);
    expect(rows.filter((row) => row.former.length > 0).length).toBeGreaterThan(20);
    const mismatches = rows
      .map((row) => ({ nom: row.nom, q: row.q, postgres: row.score, typescript: matchScore({ ...row, formerNames: row.former }, row.q) }))
      .filter(({ postgres, typescript }) => (postgres === null ? typescript !== null : typescript === null || Math.abs(postgres - typescript) > 1e-9));
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});
