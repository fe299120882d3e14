import { sql } from "drizzle-orm";
import { inject, describe, expect, it, beforeEach } from "vitest";
import { canSwapShadow, buildShadowAndSwap } from "../src/lib/imports/shadow-swap.ts";
import { UPSERT_SOURCE_COLUMNS } from "../src/lib/imports/merge-sql.ts";
import { runCommitStep } from "../src/lib/imports/commit-steps.ts";
import { servicesWith } from "./helpers/meilisearch.ts";
import { sqlOn } from "./helpers/sql.ts";

/**
 * The shadow build of large imports (src/lib/imports/shadow-swap.ts), on a database of its
 * own: the suite's primary publishes villes to its replica, which keeps every import there
 * merging in place. Each test imports rows through the same upsert the commit uses and
 * compares the swapped-in tables with what the in-place path (the trigger) writes.
 */
const FIXTURE = inject("shadowFixtureDatabaseUrl");
const services = () => servicesWith({ DATABASE_URL: FIXTURE, DATABASE_REPLICA_URLS: FIXTURE });

type SourceRow = [code: string, type: string, parent: string | null, nom: string, population: number];

/** Annecy, a commune nouvelle with two communes déléguées under former names, and a commune elsewhere. */
async function resetFixture(): Promise<void> {
  const db = sqlOn(FIXTURE);
  await db.transaction([
    db`truncate villes, ville_search_terms, search_state restart identity cascade`,
    db`truncate departements, regions cascade`,
    db`insert into regions (code, nom, zone) values ('84', 'Auvergne-Rhône-Alpes', 'metro'), ('11', 'Île-de-France', 'metro')`,
    db`insert into departements (code, nom, region_code, zone) values ('74', 'Haute-Savoie', '84', 'metro'), ('77', 'Seine-et-Marne', '11', 'metro')`,
    db`insert into villes (code_insee, type, parent_code, nom, codes_postaux, code_postal_principal, departement_code, region_code, population)
      values ('74010', 'commune-actuelle', null, 'Annecy', '{74000}', '74000', '74', '84', 130000),
             ('74268', 'commune-deleguee', '74010', 'Seynod', '{74600}', '74600', '74', '84', 20000),
             ('74213', 'commune-deleguee', '74010', 'Pringy', '{74370}', '74370', '74', '84', 3800),
             ('77378', 'commune-actuelle', null, 'Pringy', '{77310}', '77310', '77', '11', 2900)`,
  ]);
}

/** Runs the shadow build and swap over `rows`, in one transaction as the commit does. */
async function importOnShadow(rows: readonly SourceRow[]): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  await services().databases.transactional().transaction(async (tx) => {
    expect(await canSwapShadow(tx)).toBe(true);
    const values = rows.map(([code, type, parent, nom, population]) => sql`(${code}, ${type}, ${parent}, ${nom}, '', null, ${code.slice(0, 2)}, ${code.startsWith("74") ? "84" : "11"}, ${population}::int, null::float8, null::float8)`);
    await tx.execute(sql`create temp table shadow_source on commit drop as
      select * from (values ${sql.join(values, sql`, `)}) as s(${sql.raw(UPSERT_SOURCE_COLUMNS.join(", "))})`);
    await buildShadowAndSwap(tx, "shadow_source", timings);
  });
  return timings;
}

/** Annecy's former-name terms (word position 100 and up), sorted. */
async function formerNameTerms(): Promise<string[]> {
  const rows = (await sqlOn(FIXTURE)`select t.term from ville_search_terms t join villes v on v.id = t.ville_id
    where v.code_insee = '74010' and v.type = 'commune-actuelle' and t.word_position >= 100 order by t.term`) as Array<{ term: string }>;
  return rows.map((row) => row.term);
}

/** What the in-place path's function writes for Annecy now: the terms a shadow build must have left. */
async function formerNameTermsRecomputed(): Promise<string[]> {
  await sqlOn(FIXTURE)`select lieux_sync_former_name_terms(array['74010'])`;
  return formerNameTerms();
}

describe("an import built on a shadow copy and swapped in", () => {
  beforeEach(resetFixture);

  it("keeps a commune nouvelle's former names when the import rewrites it", async () => {
    expect(await formerNameTerms()).toEqual(expect.arrayContaining(["pringy", "seynod"]));
    const timings = await importOnShadow([["74010", "commune-actuelle", null, "Annecy", 131000]]);
    expect(timings).toHaveProperty("former_names_ms");
    const afterSwap = await formerNameTerms();
    expect(afterSwap).toEqual(expect.arrayContaining(["pringy", "seynod"]));
    expect(afterSwap).toEqual(await formerNameTermsRecomputed());
  });

  it("rewrites the parent's former names when the import renames one of its communes déléguées", async () => {
    await importOnShadow([["74268", "commune-deleguee", "74010", "Seynod-les-Bois", 20000]]);
    const afterSwap = await formerNameTerms();
    expect(afterSwap).toContain("seynod les bois");
    expect(afterSwap).toEqual(await formerNameTermsRecomputed());
  });

  it("loses nothing when its connection is killed mid-swap: the old tables stay whole and a re-run completes", async () => {
    const db = sqlOn(FIXTURE);
    // A reader's lock holds the swap at its exclusive lock, so the kill lands exactly mid-swap.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const reader = servicesWith({ DATABASE_URL: FIXTURE, DATABASE_REPLICA_URLS: FIXTURE });
    const blocker = reader.databases.transactional().transaction(async (tx) => {
      await tx.execute(sql`lock table public.villes in access share mode`);
      locked();
      await released;
    });
    await lockTaken;
    const interrupted = importOnShadow([["74010", "commune-actuelle", null, "Annecy", 131000]]).then(
      () => "committed",
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    let swapping: Array<{ pid: number }> = [];
    for (let attempt = 0; attempt < 200 && swapping.length === 0; attempt++) {
      swapping = (await db`select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'
        and query ilike 'lock table public.villes, public.ville_search_terms in access exclusive mode%'`) as Array<{ pid: number }>;
      if (swapping.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(swapping).toHaveLength(1);
    await db`select pg_terminate_backend(${swapping[0]!.pid})`;
    expect(await interrupted).not.toBe("committed");
    release();
    await blocker;
    await reader.databases.close();

    const live = async () => (await db`select code_insee, population from villes order by code_insee`) as Array<{ code_insee: string; population: number }>;
    expect((await live()).find((row) => row.code_insee === "74010")?.population).toBe(130000);
    expect(await live()).toHaveLength(4);
    expect(await formerNameTerms()).toEqual(expect.arrayContaining(["pringy", "seynod"]));
    expect(await db`select 1 from pg_namespace where nspname = 'lieux_shadow'`).toEqual([]);

    await importOnShadow([["74010", "commune-actuelle", null, "Annecy", 131000]]);
    expect((await live()).find((row) => row.code_insee === "74010")?.population).toBe(131000);
    expect(await formerNameTerms()).toEqual(await formerNameTermsRecomputed());
  });

  it("serves the swapped tables through the autocomplete route, former name included", async () => {
    await importOnShadow([["74010", "commune-actuelle", null, "Annecy", 131000], ["77378", "commune-actuelle", null, "Pringy", 3000]]);
    const { callWorker } = await import("./helpers/worker.ts");
    const env = { DATABASE_URL: FIXTURE, DATABASE_REPLICA_URLS: FIXTURE, CACHE_L0: "off", CACHE_L1: "off", UPSTASH_REDIS_REST_URL: undefined, MEILISEARCH_HOST: undefined };
    const response = await callWorker("/v1/villes/autocomplete?q=seynod", {}, env);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: Array<{ nom: string; ancien_nom?: string }> };
    expect(body.results.map((result) => [result.nom, result.ancien_nom])).toEqual([["Annecy", "Seynod"]]);
  });

  it("vacuums the swapped tables in the commit's vacuum step, and only after a large merge", async () => {
    const db = sqlOn(FIXTURE);
    await importOnShadow([["74010", "commune-actuelle", null, "Annecy", 131000]]);
    const allVisible = async () =>
      (await db`select relname, relallvisible > 0 and relallvisible = relpages as visible from pg_class where relname in ('villes', 'ville_search_terms') and relnamespace = 'public'::regnamespace order by relname`) as Array<{ relname: string; visible: boolean }>;
    const job = async (timings: Record<string, number>) =>
      ((await db`insert into imports (format, status, timings) values ('csv', 'committing', ${JSON.stringify(timings)}::jsonb) returning id::text`) as [{ id: string }])[0].id;

    // Freshly built tables have no visibility map: index-only scans would read the heap.
    const small = await job({ merge_shadow: 0, merge_rows: 10 });
    await runCommitStep(services(), small, "vacuum");
    expect(await allVisible()).toEqual([{ relname: "ville_search_terms", visible: false }, { relname: "villes", visible: false }]);

    const shadow = await job({ merge_shadow: 1, merge_rows: 150_000 });
    await runCommitStep(services(), shadow, "vacuum");
    expect(await allVisible()).toEqual([{ relname: "ville_search_terms", visible: true }, { relname: "villes", visible: true }]);
    const recorded = (await db`select id::text, timings from imports where id = any(${[small, shadow]}::uuid[])`) as Array<{ id: string; timings: Record<string, number> }>;
    const byId = new Map(recorded.map((row) => [row.id, row.timings]));
    expect(byId.get(small)).toMatchObject({ vacuum_skipped: 1, vacuum_ms: expect.any(Number) });
    expect(byId.get(shadow)).toMatchObject({ vacuum_skipped: 0, vacuum_ms: expect.any(Number) });
  });
});
