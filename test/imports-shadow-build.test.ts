import { sql } from "drizzle-orm";
import { inject, describe, expect, it, beforeEach } from "vitest";
import { canSwapShadow } from "../src/lib/imports/shadow-catalog.ts";
import { finishShadowBuild, startShadowBuild, type ShadowFinish } from "../src/lib/imports/shadow-build.ts";
import { UPSERT_SOURCE_COLUMNS } from "../src/lib/imports/merge-sql.ts";
import { mergeJob, LEASE_POLL_MS } from "../src/lib/imports/merge.ts";
import { createStagingTable, stagingTable } from "../src/lib/imports/staging.ts";
import { runCommitStep } from "../src/lib/imports/commit-steps.ts";
import { servicesWith } from "./helpers/meilisearch.ts";
import { sqlOn } from "./helpers/sql.ts";

/**
 * The shadow build of large imports (src/lib/imports/shadow-build.ts), on a database of its
 * own: the suite's primary publishes villes to its replica, which keeps every import there
 * merging in place. Each test imports rows through the same upsert the commit uses and
 * compares the swapped-in tables with what the in-place path (the trigger) writes.
 */
const FIXTURE = inject("shadowFixtureDatabaseUrl");
const services = () => servicesWith({ DATABASE_URL: FIXTURE, DATABASE_REPLICA_URLS: FIXTURE });
const OWNER = "shadow-build-test";

type SourceRow = [code: string, type: string, parent: string | null, nom: string, population: number];

/** Annecy, a commune nouvelle with two communes déléguées under former names, and a commune elsewhere. */
async function resetFixture(): Promise<void> {
  const db = sqlOn(FIXTURE);
  await db.transaction([
    db`drop schema if exists lieux_shadow cascade`,
    db`truncate villes, ville_search_terms, search_state, imports restart identity cascade`,
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

const sourceValues = (rows: readonly SourceRow[]) =>
  rows.map(([code, type, parent, nom, population]) => sql`(${code}, ${type}, ${parent}, ${nom}, '', null, ${code.slice(0, 2)}, ${code.startsWith("74") ? "84" : "11"}, ${population}::int, null::float8, null::float8)`);

/** The first stage, committed: the copy with `rows` merged into it, owned by OWNER. */
async function startOnShadow(rows: readonly SourceRow[]): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  await services().databases.transactional().transaction(async (tx) => {
    expect(await canSwapShadow(tx)).toBe(true);
    await tx.execute(sql`create temp table shadow_source on commit drop as
      select * from (values ${sql.join(sourceValues(rows), sql`, `)}) as s(${sql.raw(UPSERT_SOURCE_COLUMNS.join(", "))})`);
    await startShadowBuild(tx, "shadow_source", { owner: OWNER, rows: rows.length }, timings);
  });
  return timings;
}

/** The remaining stages and the swap; each stage's timing is collected, and `afterStage` may cut the build off. */
async function finishOnShadow(afterStage: (stage: string) => void = () => {}): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  const finish: ShadowFinish = {
    record: async (stage) => {
      Object.assign(timings, stage);
      for (const name of Object.keys(stage)) afterStage(name);
    },
    onSwap: async () => {},
  };
  await finishShadowBuild(services().databases, OWNER, finish);
  return timings;
}

const importOnShadow = async (rows: readonly SourceRow[]) => ({ ...(await startOnShadow(rows)), ...(await finishOnShadow()) });

/** A job row as a commit leaves it: `status`, and what its merge recorded in `timings`. */
async function jobWith(timings: Record<string, number> = {}, status = "committing"): Promise<string> {
  const [{ id }] = (await sqlOn(FIXTURE)`insert into imports (format, status, timings) values ('csv', ${status}, ${JSON.stringify(timings)}::jsonb) returning id::text`) as [{ id: string }];
  return id;
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
        and query ilike 'lock table public.villes, public.ville_search_terms, %in access exclusive mode%'`) as Array<{ pid: number }>;
      if (swapping.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // The reader lets go whatever happened, so a failure here cannot hang the next test.
    if (swapping.length !== 1) release();
    expect(swapping, String(await Promise.race([interrupted, "still running"]))).toHaveLength(1);
    await db`select pg_terminate_backend(${swapping[0]!.pid})`;
    expect(await interrupted).not.toBe("committed");
    release();
    await blocker;
    await reader.databases.close();

    const live = async () => (await db`select code_insee, population from villes order by code_insee`) as Array<{ code_insee: string; population: number }>;
    expect((await live()).find((row) => row.code_insee === "74010")?.population).toBe(130000);
    expect(await live()).toHaveLength(4);
    expect(await formerNameTerms()).toEqual(expect.arrayContaining(["pringy", "seynod"]));
    // The committed stages wait for the re-run, which goes straight to the swap's neighbours.
    expect(await db`select owner from lieux_shadow.build_owner`).toEqual([{ owner: OWNER }]);

    const resumed = await finishOnShadow();
    expect(resumed).not.toHaveProperty("shadow_copy_ms");
    expect(resumed).toHaveProperty("shadow_swap_ms");
    expect((await live()).find((row) => row.code_insee === "74010")?.population).toBe(131000);
    expect(await formerNameTerms()).toEqual(await formerNameTermsRecomputed());
    expect(await db`select 1 from pg_namespace where nspname = 'lieux_shadow'`).toEqual([]);
  });

  it("resumes a build cut off after its indexes without copying again, the live tables as they were until the swap", async () => {
    const db = sqlOn(FIXTURE);
    await startOnShadow([["77378", "commune-actuelle", null, "Pringy-sur-Seine", 2950]]);
    const cutOff = await finishOnShadow((stage) => {
      if (stage === "shadow_indexes_ms") throw new Error("worker killed");
    }).catch((error: Error) => error.message);
    expect(cutOff).toBe("worker killed");
    expect(await db`select nom from villes where code_insee = '77378'`).toEqual([{ nom: "Pringy" }]);
    const shadowIndexes = async () => Number(((await db`select count(*)::int as n from pg_indexes where schemaname = 'lieux_shadow' and tablename in ('villes', 'ville_search_terms')`) as [{ n: number }])[0].n);
    const built = await shadowIndexes();
    // Every index but the GiST, which waits for its lane.
    const live = Number(((await db`select count(*)::int as n from pg_indexes where schemaname = 'public' and tablename in ('villes', 'ville_search_terms')`) as [{ n: number }])[0].n);
    expect(built).toBe(live - 1);
    expect(await db`select to_regclass('lieux_shadow.villes_earth_idx') is null as waits`).toEqual([{ waits: true }]);

    const resumed = await finishOnShadow();
    expect(Object.keys(resumed).sort()).toEqual([
      "former_names_ms", "search_terms_lanes_ms", "shadow_analyze_ms", "shadow_freeze_ms", "shadow_indexes_ms", "shadow_lanes_ms", "shadow_search_ms", "shadow_serial_indexes_ms",
      "shadow_stats_views_ms", "shadow_swap_ms",
    ]);
    expect(await db`select nom from villes where code_insee = '77378'`).toEqual([{ nom: "Pringy-sur-Seine" }]);
    const terms = (await db`select t.term from ville_search_terms t join villes v on v.id = t.ville_id where v.code_insee = '77378' and t.word_position = 0`) as Array<{ term: string }>;
    expect(terms.map((row) => row.term)).toContain("pringy sur seine");
  });

  it("computes the merged rows' terms in lanes, each committed once: a build cut off after them resumes without computing any twice", async () => {
    const db = sqlOn(FIXTURE);
    await startOnShadow([
      ["77378", "commune-actuelle", null, "Pringy-sur-Seine", 2950],
      ["77999", "commune-actuelle", null, "Saint-Jean-les-Deux-Lanes", 120],
    ]);
    const cutOff = await finishOnShadow((stage) => {
      if (stage === "search_terms_lanes_ms") throw new Error("worker killed");
    }).catch((error: Error) => error.message);
    expect(cutOff).toBe("worker killed");
    // One merged row in each lane.
    expect(await db`select array_agg(distinct (id % 2)::int order by (id % 2)::int) as lanes from lieux_shadow.villes where code_insee in ('77378', '77999')`).toEqual([{ lanes: [0, 1] }]);
    expect(await db`select lane from lieux_shadow.lanes_done order by lane`).toEqual([{ lane: "search_terms_0" }, { lane: "search_terms_1" }]);

    // Computed twice, a term would break the primary key built by the resumed stages.
    await finishOnShadow();
    const stored = await db`select v.code_insee, t.term, t.word_position from ville_search_terms t join villes v on v.id = t.ville_id
      where v.code_insee in ('77378', '77999') order by 1, 2, 3`;
    const computed = await db`select v.code_insee, st.term, st.word_position from villes v, lieux_search_terms(v.nom, v.nom_normalise, v.codes_postaux, v.code_insee) st
      where v.code_insee in ('77378', '77999') order by 1, 2, 3`;
    expect(stored).toEqual(computed);
    expect(stored).toEqual(expect.arrayContaining([expect.objectContaining({ code_insee: "77999", term: "jean les deux lanes" })]));
  });

  it("builds the GiST beside the search lists, lets a failed lane's neighbour finish before failing, and resumes with what is missing", async () => {
    const db = sqlOn(FIXTURE);
    await db`update villes set latitude = 45.9, longitude = 6.12, coordinates_precision = 'commune' where code_insee = '74010'`;
    await startOnShadow([["77378", "commune-actuelle", null, "Pringy-sur-Seine", 2950]]);
    const seenAtFailure: string[] = [];
    const seen: string[] = [];
    const failure = await finishOnShadow((stage) => {
      seen.push(stage);
      if (stage === "shadow_serial_indexes_ms") throw new Error("lane cut off");
    }).catch((error: Error) => {
      seenAtFailure.push(...seen);
      return error.message;
    });
    expect(failure).toBe("lane cut off");
    // The other lane ran to its end before the stage failed: no retry races it.
    expect(seenAtFailure).toEqual(expect.arrayContaining(["shadow_search_ms", "shadow_stats_views_ms"]));
    expect(seenAtFailure).not.toContain("shadow_lanes_ms");
    expect(await db`select to_regclass('lieux_shadow.villes_earth_idx') is not null as built`).toEqual([{ built: true }]);
    expect(await db`select nom from villes where code_insee = '77378'`).toEqual([{ nom: "Pringy" }]);

    const resumed = await finishOnShadow();
    expect(resumed).toHaveProperty("shadow_lanes_ms");
    expect(await db`select nom from villes where code_insee = '77378'`).toEqual([{ nom: "Pringy-sur-Seine" }]);
    // The expression statistics of the GiST come with the swapped-in table.
    expect(await db`select count(*)::int as n from pg_stats where schemaname = 'public' and tablename = 'villes_earth_idx'`).toEqual([{ n: 1 }]);
    const nearest = (await db`select code_insee from villes where coordinates_precision = 'commune' and type = 'commune-actuelle'
      order by ll_to_earth(latitude, longitude) <-> ll_to_earth(46.0, 6.0) limit 1`) as Array<{ code_insee: string }>;
    expect(nearest).toEqual([{ code_insee: "74010" }]);
  });

  it("swaps in the typo dictionary and the heavy prefixes computed over the copy, so the commit's rebuild steps leave them", async () => {
    const db = sqlOn(FIXTURE);
    await db`select lieux_rebuild_typo_dictionary(50000)`;
    await db`select lieux_rebuild_heavy_prefixes(1000, 100)`;
    const typoKey = async () => (await db`select d.typo_key from typo_dictionary d join villes v on v.id = d.ville_id where v.code_insee = '77378'`) as Array<{ typo_key: string }>;
    expect(await typoKey()).toEqual([{ typo_key: ((await db`select lieux_typo_key('pringy') as k`) as [{ k: string }])[0].k }]);
    const before = ((await db`select value from search_state where key = 'heavy_prefixes'`) as [{ value: { watermark: string } }])[0].value.watermark;

    const timings = await importOnShadow([["77378", "commune-actuelle", null, "Fontainebleau-Nord", 2900]]);
    expect(timings).toHaveProperty("shadow_search_ms");
    // Under their live names, which the rebuild functions use.
    expect(await db`select to_regclass('public.typo_dictionary_key_trgm_idx') is not null as kept`).toEqual([{ kept: true }]);
    expect(await typoKey()).toEqual([{ typo_key: ((await db`select lieux_typo_key('fontainebleau nord') as k`) as [{ k: string }])[0].k }]);
    // The heavy-prefix state describes the swapped-in villes: the nightly job sees nothing to catch up.
    const after = ((await db`select value from search_state where key = 'heavy_prefixes'`) as [{ value: { watermark: string } }])[0].value.watermark;
    expect(after).not.toBe(before);
    expect(await db`select max(updated_at) = ${after}::timestamptz as current from villes`).toEqual([{ current: true }]);

    const job = await jobWith({ merge_shadow: 1, merge_rows: 150_000 });
    await db`truncate typo_dictionary`;
    await runCommitStep(services(), job, "typo_dictionary");
    await runCommitStep(services(), job, "heavy_prefixes");
    expect(await db`select count(*)::int as n from typo_dictionary`).toEqual([{ n: 0 }]);
    const [recorded] = (await db`select timings from imports where id = ${job}`) as [{ timings: Record<string, number> }];
    expect(recorded.timings).toMatchObject({ typo_dictionary_before_swap: 1, heavy_prefixes_before_swap: 1 });
  });

  it("rebuilds each index with its live options: the earth GiST stays a buffered build (drizzle/0018)", async () => {
    const options = async () => (await sqlOn(FIXTURE)`select reloptions from pg_class where relname = 'villes_earth_idx' and relnamespace = 'public'::regnamespace`) as Array<{ reloptions: string[] | null }>;
    expect(await options()).toEqual([{ reloptions: ["buffering=on"] }]);
    await importOnShadow([["74010", "commune-actuelle", null, "Annecy", 131000]]);
    expect(await options()).toEqual([{ reloptions: ["buffering=on"] }]);
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

  it("swaps in tables already frozen and all-visible, so the commit's vacuum step leaves them", async () => {
    const db = sqlOn(FIXTURE);
    await importOnShadow([["74010", "commune-actuelle", null, "Annecy", 131000]]);
    const settled = async () =>
      (await db`select relname, relpages > 0 and relallvisible = relpages and relallfrozen = relpages as frozen from pg_class
        where relname in ('villes', 'ville_search_terms') and relnamespace = 'public'::regnamespace order by relname`) as Array<{ relname: string; frozen: boolean }>;
    expect(await settled()).toEqual([{ relname: "ville_search_terms", frozen: true }, { relname: "villes", frozen: true }]);

    const shadow = await jobWith({ merge_shadow: 1, merge_rows: 150_000 });
    await runCommitStep(services(), shadow, "vacuum");
    const [recorded] = (await db`select timings from imports where id = ${shadow}`) as [{ timings: Record<string, number> }];
    expect(recorded.timings).toMatchObject({ vacuum_skipped: 1, vacuum_ms: expect.any(Number) });
  });

  it("vacuums after a large in-place merge only", async () => {
    const db = sqlOn(FIXTURE);
    await db`vacuum villes, ville_search_terms`;
    // Rewritten rows leave their pages without the all-visible bit, as an in-place merge does.
    await db`update villes set population = population + 1`;
    // The visibility map as index-only scans see it: a page not all-visible is a heap fetch.
    const heapFetches = async (query: string) => {
      const plan = (await db.transaction((tx) => [tx`set local enable_seqscan = off`, tx`set local enable_bitmapscan = off`, tx.query(`explain (analyze, format json) ${query}`)]))[2] as [{ "QUERY PLAN": [{ Plan: Record<string, unknown> }] }];
      const fetches = JSON.stringify(plan[0]["QUERY PLAN"][0].Plan).match(/"Heap Fetches":(\d+)/)?.[1];
      if (fetches === undefined) throw new Error(`not an index-only scan: ${query}`);
      return Number(fetches);
    };
    const allVisible = async () => [
      { relname: "ville_search_terms", visible: (await heapFetches("select term from ville_search_terms where term > ''")) === 0 },
      { relname: "villes", visible: (await heapFetches("select id from villes where id > 0")) === 0 },
    ];

    const small = await jobWith({ merge_shadow: 0, merge_rows: 10 });
    await runCommitStep(services(), small, "vacuum");
    expect(await allVisible()).toEqual([{ relname: "ville_search_terms", visible: false }, { relname: "villes", visible: false }]);

    const large = await jobWith({ merge_shadow: 0, merge_rows: 150_000 });
    await runCommitStep(services(), large, "vacuum");
    expect(await allVisible()).toEqual([{ relname: "ville_search_terms", visible: true }, { relname: "villes", visible: true }]);
    const recorded = (await db`select id::text, timings from imports where id = any(${[small, large]}::uuid[])`) as Array<{ id: string; timings: Record<string, number> }>;
    const byId = new Map(recorded.map((row) => [row.id, row.timings]));
    expect(byId.get(small)).toMatchObject({ vacuum_skipped: 1, vacuum_ms: expect.any(Number) });
    expect(byId.get(large)).toMatchObject({ vacuum_skipped: 0, vacuum_ms: expect.any(Number) });
  });
});

/** A job in `status` with `rows` staged as its one done chunk, as the chunk route leaves it. */
async function stagedJob(rows: readonly SourceRow[], status = "committing"): Promise<string> {
  const db = sqlOn(FIXTURE);
  const id = await jobWith({}, status);
  const attempt = crypto.randomUUID();
  const primary = services().databases.primary;
  await primary.execute(createStagingTable(id));
  const staged = rows.map(([code, type, parent, nom, population], line) =>
    sql`(1, ${attempt}::uuid, ${line + 2}, ${code}, ${type}, ${parent}, ${nom}, '', null, ${code.slice(0, 2)}, ${code.startsWith("74") ? "84" : "11"}, ${population}::int, null::float8, null::float8)`);
  await primary.execute(sql`insert into ${stagingTable(id)} values ${sql.join(staged, sql`, `)}`);
  await db`insert into import_chunks (job_id, n, attempt, status, rows_received, rows_staged) values (${id}, 1, ${attempt}, 'done', ${rows.length}, ${rows.length})`;
  return id;
}

describe("a job's merge and the shadow build's lease on villes", () => {
  beforeEach(resetFixture);
  const db = () => sqlOn(FIXTURE);
  const shadowExists = async () => ((await db()`select count(*)::int as n from pg_namespace where nspname = 'lieux_shadow'`) as [{ n: number }])[0].n === 1;

  it("merges a job through the shadow path: recorded at the swap, staging dropped, lease released", async () => {
    const jobId = await stagedJob([["74010", "commune-actuelle", null, "Annecy", 132000], ["74999", "commune-actuelle", null, "Nouvelleville", 10]]);
    const result = await mergeJob(services().databases, jobId, {}, { minRows: 1, minShare: 0 });
    expect(result).toEqual({ path: "shadow", rows: 2 });
    const [job] = (await db()`select rows_upserted, timings from imports where id = ${jobId}`) as [{ rows_upserted: number; timings: Record<string, number> }];
    expect(job.rows_upserted).toBe(2);
    expect(job.timings).toMatchObject({ merge_shadow: 1, merge_rows: 2, merge_ms: expect.any(Number), shadow_copy_ms: expect.any(Number), shadow_freeze_ms: expect.any(Number), shadow_swap_ms: expect.any(Number) });
    expect(await db()`select code_insee, population from villes where code_insee in ('74010', '74999') order by 1`).toEqual([
      { code_insee: "74010", population: 132000 },
      { code_insee: "74999", population: 10 },
    ]);
    expect(await db()`select to_regclass(${`public.${"import_rows_" + jobId.replaceAll("-", "")}`}) as staging`).toEqual([{ staging: null }]);
    expect(await shadowExists()).toBe(false);
    // A retried merge step finds the merge recorded.
    expect(await mergeJob(services().databases, jobId, {}, { minRows: 1, minShare: 0 })).toEqual({ path: "already_merged", rows: 2 });
  });

  it("keeps another job's merge waiting while a build is held, and drops a build whose job failed", async () => {
    const holder = await jobWith();
    await services().databases.transactional().transaction(async (tx) => {
      await tx.execute(sql`create temp table shadow_source on commit drop as
        select * from (values ${sql.join(sourceValues([["77378", "commune-actuelle", null, "Pringy", 999999]]), sql`, `)}) as s(${sql.raw(UPSERT_SOURCE_COLUMNS.join(", "))})`);
      await startShadowBuild(tx, "shadow_source", { owner: holder, rows: 1 }, {});
    });
    const waiting = await stagedJob([["74213", "commune-deleguee", "74010", "Pringy", 3900]]);
    const timings: Record<string, number> = {};
    const merged = mergeJob(services().databases, waiting, timings);
    await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS + 500));
    // Its rows would be lost by the swap if it merged into the live table now.
    expect(await db()`select population from villes where code_insee = '74213'`).toEqual([{ population: 3800 }]);
    expect(timings.merge_waited_ms).toBeGreaterThanOrEqual(LEASE_POLL_MS);

    await db()`update imports set status = 'failed' where id = ${holder}`;
    expect(await merged).toEqual({ path: "in_place", rows: 1 });
    expect(await db()`select code_insee, population from villes where code_insee in ('74213', '77378') order by 1`).toEqual([
      { code_insee: "74213", population: 3900 },
      { code_insee: "77378", population: 2900 },
    ]);
    expect(await shadowExists()).toBe(false);
  });
});
