import { Pool, type PoolClient } from "@neondatabase/serverless";
import { describe, expect, it } from "vitest";
import { useLocalNeonEndpoint } from "../src/lib/db/neon-local.ts";
import { primaryUrl } from "./helpers/sql.ts";
import { testEnv } from "./helpers/worker.ts";

/**
 * The search terms' triggers keep a commune nouvelle's former names (drizzle/0012) in step
 * with its communes déléguées and associées, whichever row is written, and in whatever
 * order. Each case runs in a transaction it rolls back, so no other file sees its rows.
 */
async function inRolledBackTransaction(run: (client: PoolClient) => Promise<void>): Promise<void> {
  if (testEnv.NEON_LOCAL_PROXY) useLocalNeonEndpoint(testEnv.NEON_LOCAL_PROXY);
  const pool = new Pool({ connectionString: primaryUrl() });
  pool.on("error", () => undefined);
  const client = await pool.connect();
  try {
    await client.query("begin");
    await run(client);
  } finally {
    await client.query("rollback").catch(() => undefined);
    client.release();
    await pool.end();
  }
}

const insertVille = (client: PoolClient, code: string, type: string, nom: string, parent: string | null, population: number) =>
  client.query(
    `insert into villes (code_insee, type, parent_code, nom, codes_postaux, departement_code, region_code, population)
     values ($1, $2, $3, $4, '{}', '01', '84', $5)`,
    [code, type, parent, nom, population],
  );

/** The commune's search terms that come from former names (word_position ≥ 100) and former codes (-2), sorted. */
async function formerTerms(client: PoolClient, code: string): Promise<Array<[string, number, number]>> {
  const { rows } = await client.query(
    `select t.term, t.word_position, t.population from ville_search_terms t join villes v on v.id = t.ville_id
     where v.code_insee = $1 and v.type = 'commune-actuelle' and (t.word_position >= 100 or t.word_position < -1)
     order by t.term`,
    [code],
  );
  return rows.map((row) => [row.term, row.word_position, row.population]);
}

describe("former-name search terms of a commune nouvelle", () => {
  it("indexes a déléguée's name and code under its parent, whether the parent or the child is written first", async () => {
    await inRolledBackTransaction(async (client) => {
      await insertVille(client, "01T01", "commune-actuelle", "Nouvelle-Essai", null, 5000);
      await insertVille(client, "01T02", "commune-deleguee", "Vieux-Bourg", "01T01", 0);
      await insertVille(client, "01T04", "commune-deleguee", "Ancienne Essai", "01T03", 0);
      await insertVille(client, "01T03", "commune-actuelle", "Autre Essai", null, 700);
      expect(await formerTerms(client, "01T01")).toEqual([["01t02", -2, 5000], ["bourg", 101, 5000], ["vieux bourg", 100, 5000]]);
      // "essai" is already one of Autre Essai's own terms, which wins
      expect(await formerTerms(client, "01T03")).toEqual([["01t04", -2, 700], ["ancienne essai", 100, 700]]);
    });
  });

  it("follows a renamed or moved déléguée, a repopulated parent, and a deleted déléguée", async () => {
    await inRolledBackTransaction(async (client) => {
      await insertVille(client, "01T01", "commune-actuelle", "Nouvelle-Essai", null, 5000);
      await insertVille(client, "01T03", "commune-actuelle", "Autre Essai", null, 700);
      await insertVille(client, "01T02", "commune-deleguee", "Vieux-Bourg", "01T01", 0);
      await client.query("update villes set nom = 'Bourg-Ancien' where code_insee = '01T02'");
      expect(await formerTerms(client, "01T01")).toEqual([["01t02", -2, 5000], ["ancien", 101, 5000], ["bourg ancien", 100, 5000]]);
      await client.query("update villes set population = 6000 where code_insee = '01T01'");
      expect(await formerTerms(client, "01T01")).toEqual([["01t02", -2, 6000], ["ancien", 101, 6000], ["bourg ancien", 100, 6000]]);
      await client.query("update villes set parent_code = '01T03' where code_insee = '01T02'");
      expect(await formerTerms(client, "01T01")).toEqual([]);
      expect(await formerTerms(client, "01T03")).toEqual([["01t02", -2, 700], ["ancien", 101, 700], ["bourg ancien", 100, 700]]);
      await client.query("delete from villes where code_insee = '01T02'");
      expect(await formerTerms(client, "01T03")).toEqual([]);
    });
  });

  it("skips a déléguée named like its parent, and its code when it is the parent's", async () => {
    await inRolledBackTransaction(async (client) => {
      await insertVille(client, "01T01", "commune-actuelle", "Nouvelle-Essai", null, 5000);
      await insertVille(client, "01T01", "commune-deleguee", "Nouvelle Essai", "01T01", 0);
      await insertVille(client, "01T01", "commune-associee", "Hameau", "01T01", 0);
      expect(await formerTerms(client, "01T01")).toEqual([["hameau", 100, 5000]]);
    });
  });

  it("indexes INSEE codes lower-case, as queries arrive", async () => {
    await inRolledBackTransaction(async (client) => {
      await insertVille(client, "2AT01", "commune-actuelle", "Essai-Corse", null, 100);
      const { rows } = await client.query(
        "select t.term from ville_search_terms t join villes v on v.id = t.ville_id where v.code_insee = '2AT01' and t.word_position = -1",
      );
      expect(rows.map((row) => row.term)).toEqual(["2at01"]);
    });
  });
});
