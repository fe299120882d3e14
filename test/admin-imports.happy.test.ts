import { afterAll, afterEach, describe, expect, it } from "vitest";
import { SYNTHETIC_CSV_HEADER, toCsvLine } from "../scripts/lib/synthetic-communes.ts";
import {
  admin,
  commit,
  commitOk,
  countVilles,
  createJob,
  csv,
  getJob,
  ndjson,
  putChunkOk,
  removeSyntheticRows,
  settleSyntheticRows,
  syntheticRows,
  type JobBody,
} from "./helpers/admin.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";

const LETTER = "C";
const codes = (rows: Array<{ code_insee: string }>) => rows.map((row) => row.code_insee);

describe("admin imports", () => {
  // Lenient chunks write villes at once, without the commit that would forget the cached answers.
  afterEach(() => settleSyntheticRows(LETTER));
  afterAll(() => removeSyntheticRows(LETTER));

  it("opens a job once per Idempotency-Key", async () => {
    const key = `key-${crypto.randomUUID()}`;
    const open = () =>
      admin("/imports", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Idempotency-Key": key },
        body: JSON.stringify({ format: "ndjson", mode: "strict", source: "retry.ndjson" }),
      });
    const first = await open();
    const second = await open();
    expect([first.status, second.status]).toEqual([201, 201]);
    const [a, b] = (await Promise.all([first.json(), second.json()])) as [JobBody, JobBody];
    expect(b.id).toBe(a.id);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    expect(first.headers.get("Location")).toBe(`/v1/admin/imports/${a.id}`);
    expect(a).toMatchObject({ status: "open", format: "ndjson", mode: "strict", rows_received: 0 });
  });

  it("stages good rows, rejects bad ones with their line and reason, and merges the good ones at commit", async () => {
    const rows = await syntheticRows(LETTER, 4);
    const lines = [
      SYNTHETIC_CSV_HEADER,
      toCsvLine(rows[0]!),
      toCsvLine({ ...rows[1]!, departement_code: "00" }),
      toCsvLine(rows[2]!),
      toCsvLine({ ...rows[3]!, population: -5 }),
      `${rows[3]!.code_insee},,commune-actuelle,,44,52,1,,`,
    ];
    const job = await createJob();
    const receipt = await putChunkOk(job.id, 1, `${lines.join("\n")}\n`);
    expect(receipt).toMatchObject({ rows_received: 5, rows_staged: 2, rows_upserted: 0, rows_rejected: 3 });
    expect(receipt.errors.map((error) => [error.line, error.reason.split(":")[0]])).toEqual([
      [3, "departement_code"],
      [5, "population"],
      [6, "nom"],
    ]);
    expect(await countVilles([rows[0]!.code_insee, rows[2]!.code_insee])).toBe(0);
    const stored = await getJob(job.id);
    expect(stored.errors).toEqual(receipt.errors);
    expect(stored).toMatchObject({ rows_received: 5, rows_staged: 2, rows_upserted: 0, rows_rejected: 3 });
    expect(await commitOk(job.id)).toMatchObject({ status: "done", rows_upserted: 2, rows_rejected: 3 });
    expect(await countVilles([rows[0]!.code_insee, rows[2]!.code_insee])).toBe(2);
    expect(await countVilles([rows[1]!.code_insee, rows[3]!.code_insee])).toBe(0);
  });

  it("reads columns in any order, a BOM, CRLF line ends and quoted fields", async () => {
    const [row] = await syntheticRows(LETTER, 1, 7, 100);
    const body =
      "\ufeffpopulation,region_code,departement_code,nom,codes_postaux,type,code_insee\r\n" +
      `1234,${row!.region_code},${row!.departement_code},"Saint-Test, ""quoted""",${row!.codes_postaux.join("|")},,${row!.code_insee}\r\n`;
    const job = await createJob();
    expect(await putChunkOk(job.id, 1, body)).toMatchObject({ rows_staged: 1, rows_rejected: 0 });
    await commitOk(job.id);
    const [stored] = await sqlOn(primaryUrl()).query("select nom, type, population from villes where code_insee = $1", [row!.code_insee]);
    expect(stored).toEqual({ nom: 'Saint-Test, "quoted"', type: "commune-actuelle", population: 1234 });
  });

  it("numbers lines from where each record starts, across quoted line breaks and blank lines", async () => {
    const rows = await syntheticRows(LETTER, 3, 42, 150);
    const body = [SYNTHETIC_CSV_HEADER, toCsvLine({ ...rows[0]!, nom: "Deux\nlignes" }), "", toCsvLine({ ...rows[1]!, population: -1 }), toCsvLine(rows[2]!)].join("\n");
    const receipt = await putChunkOk((await createJob()).id, 1, `${body}\n`);
    expect(receipt).toMatchObject({ rows_received: 3, rows_staged: 1, rows_rejected: 2 });
    expect(receipt.errors.map((error) => [error.line, error.reason.split(":")[0]])).toEqual([
      [2, "nom"],
      [5, "population"],
    ]);
  });

  it("reads NDJSON with CRLF line ends and blank lines", async () => {
    const rows = await syntheticRows(LETTER, 2, 42, 160);
    const body = `${JSON.stringify(rows[0])}\r\n\r\n${JSON.stringify({ ...rows[1], codes_postaux: "44000" })}\r\n`;
    const receipt = await putChunkOk((await createJob({ format: "ndjson" })).id, 1, body, "application/x-ndjson");
    expect(receipt).toMatchObject({ rows_received: 2, rows_staged: 1, rows_rejected: 1 });
    expect(receipt.errors[0]).toMatchObject({ line: 3, reason: expect.stringContaining("codes_postaux") });
  });

  it("imports NDJSON, codes_postaux as an array", async () => {
    const rows = await syntheticRows(LETTER, 50, 42, 200);
    const job = await createJob({ format: "ndjson" });
    const receipt = await putChunkOk(job.id, 1, ndjson(rows), "application/x-ndjson");
    expect(receipt).toMatchObject({ rows_received: 50, rows_staged: 50, rows_rejected: 0 });
    await commitOk(job.id);
    expect(await countVilles(codes(rows))).toBe(50);
  });

  it("counts a chunk sent twice once, and commits idempotently", async () => {
    const rows = await syntheticRows(LETTER, 120, 42, 300);
    const job = await createJob();
    const first = await putChunkOk(job.id, 1, csv(rows.slice(0, 100)));
    const again = await putChunkOk(job.id, 1, csv(rows.slice(0, 100)));
    expect(again.sha256).toBe(first.sha256);
    await putChunkOk(job.id, 2, csv(rows.slice(100)));
    await putChunkOk(job.id, 2, csv(rows.slice(100)));
    const stored = await getJob(job.id);
    expect(stored).toMatchObject({ rows_received: 120, rows_staged: 120, rows_upserted: 0, rows_rejected: 0 });
    expect(stored.chunks?.map((chunk) => [chunk.n, chunk.status, chunk.rows_staged])).toEqual([
      [1, "done", 100],
      [2, "done", 20],
    ]);

    const done = await commitOk(job.id);
    expect(done).toMatchObject({ status: "done", rows_upserted: 120 });
    const steps = ["merge_ms", "vacuum_ms", "index_sync_ms", "heavy_prefixes_ms", "typo_dictionary_ms", "stats_views_ms", "cache_generation_ms"];
    // A 120-row import merges in place (no shadow copy), after deduplicating the staged rows.
    expect(done.timings).toMatchObject({ merge_rows: 120, merge_shadow: 0, merge_dedupe_ms: expect.any(Number), merge_in_place_ms: expect.any(Number), commit_runs: 1 });
    expect(Object.keys(done.timings).sort()).toEqual([...steps, "merge_rows", "merge_shadow", "merge_dedupe_ms", "merge_in_place_ms", "commit_runs", "commit_total_ms", "heavy_prefixes_incremental", "typo_dictionary_incremental", "stats_views_deferred", "vacuum_skipped"].sort());
    // 120 rows into the suite's villes: refreshed from the changes, stats left to their Cron refresh (under 1% of the table).
    expect(done.timings).toMatchObject({ heavy_prefixes_incremental: 1, typo_dictionary_incremental: 1, stats_views_deferred: 1, vacuum_skipped: 1 });
    for (const step of steps) expect(done.timings[step], step).toEqual(expect.any(Number));
    // A done job is returned unchanged: no second Workflow.
    const second = await commit(job.id);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual(done);
    expect(await countVilles(codes(rows))).toBe(120);
  });

  it("stages a strict job's rows and writes them only at commit", async () => {
    const rows = await syntheticRows(LETTER, 300, 42, 500);
    const job = await createJob({ mode: "strict" });
    expect(await putChunkOk(job.id, 1, csv(rows.slice(0, 200)))).toMatchObject({ rows_staged: 200, rows_upserted: 0 });
    // a re-send replaces the chunk's staged rows rather than adding to them
    await putChunkOk(job.id, 1, csv(rows.slice(0, 200)));
    await putChunkOk(job.id, 2, csv(rows.slice(200)));
    expect(await countVilles(codes(rows))).toBe(0);
    expect(await getJob(job.id)).toMatchObject({ rows_staged: 300, rows_upserted: 0, status: "open" });

    expect(await commitOk(job.id)).toMatchObject({ status: "done", rows_upserted: 300 });
    expect(await countVilles(codes(rows))).toBe(300);
    // The job's staging table is dropped with the merge.
    const [staging] = await sqlOn(primaryUrl()).query("select to_regclass($1) is null as dropped", [`import_rows_${job.id.replaceAll("-", "")}`]);
    expect(staging).toEqual({ dropped: true });
  });

  it("merges the last occurrence of a key, by chunk then line, and counts each key once", async () => {
    const [a, b, c] = await syntheticRows(LETTER, 3, 42, 900);
    const job = await createJob();
    // Chunk 2 is uploaded first: order of arrival does not matter, chunk numbers do.
    await putChunkOk(job.id, 2, csv([{ ...a!, population: 2 }, { ...c!, population: 30 }, { ...c!, population: 31 }]));
    await putChunkOk(job.id, 1, csv([{ ...a!, population: 1 }, b!]));
    expect(await commitOk(job.id)).toMatchObject({ status: "done", rows_received: 5, rows_upserted: 3 });
    const stored = await sqlOn(primaryUrl()).query("select code_insee, population from villes where code_insee = any($1) order by code_insee", [[a!.code_insee, c!.code_insee]]);
    expect(stored).toEqual([
      { code_insee: a!.code_insee, population: 2 },
      { code_insee: c!.code_insee, population: 31 },
    ]);
  });

  it("lists jobs newest first through an opaque cursor", async () => {
    const created = [await createJob({ source: "page-a" }), await createJob({ source: "page-b" }), await createJob({ source: "page-c" })];
    const seen: string[] = [];
    let url: string | null = "/imports?limit=2";
    for (let page = 0; url && page < 500 && seen.length < 10_000; page++) {
      const response = await admin(url.replace(/^.*\/v1\/admin/, ""));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { results: JobBody[]; next: string | null };
      expect(body.results.length).toBeLessThanOrEqual(2);
      seen.push(...body.results.map((job) => job.id));
      url = body.next;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const positions = created.map((job) => seen.indexOf(job.id));
    expect(positions).not.toContain(-1);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
  });
});
