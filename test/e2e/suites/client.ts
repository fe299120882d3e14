import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { createLieuxClient, LieuxApiError, type ImportProgress } from "../../../packages/client/src/index.ts";
import type { DemoEnv } from "../helpers/demo-env.ts";

/** The token test/e2e/helpers/local-api.ts gives `wrangler dev`. */
const ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef";
const CSV_HEADER = "code_insee,nom,type,codes_postaux,departement_code,region_code,population";
/** Synthetic codes (a letter first) can never collide with a real commune. */
const csvRow = (code: string, nom: string) => `${code},${nom},commune-actuelle,44999,44,52,1`;

export function clientTests(env: DemoEnv) {
  describe("@lieux/client against the local API", () => {
    it("autocompletes, reads one commune, and throws LieuxApiError with the API's error", async () => {
      const lieux = createLieuxClient({ baseUrl: env.api.origin });
      const { match, results } = await lieux.autocomplete("nant", { limit: 5 });
      assert.equal(match, "prefix");
      assert.equal(results.length, 5);
      assert.equal(results[0]?.nom, "Nantes");
      assert.equal(results[0]?.nom_highlight, "<mark>Nant</mark>es");
      assert.equal((await lieux.getVille("44109"))?.nom, "Nantes");
      assert.equal(await lieux.getVille("44999"), null);
      const failure = await lieux.autocomplete("nant", { limit: 99 }).catch((error: unknown) => error);
      assert.ok(failure instanceof LieuxApiError);
      assert.equal(failure.status, 400);
      assert.equal(typeof failure.code, "string");
    });

    it("walks a listing page by page with the keyset cursor", async () => {
      const lieux = createLieuxClient({ baseUrl: env.api.origin });
      const codes: string[] = [];
      let pages = 0;
      for await (const page of lieux.villePages({ departement: "90", limit: 40, order: "nom" })) {
        pages += 1;
        codes.push(...page.results.map((ville) => ville.code_insee));
        for (const ville of page.results) assert.equal(ville.departement.code, "90");
      }
      assert.ok(pages >= 3, `${pages} pages`);
      assert.equal(new Set(codes).size, codes.length, "no commune twice");
      assert.ok(codes.length > 80, `${codes.length} communes in the Territoire de Belfort`);
    });

    it("imports chunks with progress callbacks: create, PUT each chunk, commit", async () => {
      const lieux = createLieuxClient({ baseUrl: env.api.origin, token: ADMIN_TOKEN });
      const seen: string[] = [];
      const chunks = [
        { n: 1, body: `${CSV_HEADER}\n${csvRow("Y0E01", "Lieuxclient-Un")}\n`, rows: 1 },
        { n: 2, body: new TextEncoder().encode(`${CSV_HEADER}\n${csvRow("Y0E02", "Lieuxclient-Deux")}\n`), rows: 1 },
      ];
      const job = await lieux.admin.import({
        format: "csv",
        source: "client-e2e.csv",
        idempotencyKey: `client-e2e-${Date.now()}`,
        chunks,
        concurrency: 2,
        onJob: (opened) => seen.push(`job ${opened.status}`),
        onChunk: ({ chunk, receipt, skipped }: ImportProgress<(typeof chunks)[number]>) => seen.push(`chunk ${chunk.n} ${receipt?.rows_staged} ${receipt?.rows_upserted} ${skipped}`),
        onCommit: () => seen.push("commit"),
      });
      assert.equal(job.status, "done");
      assert.equal(job.rows_upserted, 2);
      assert.equal(seen[0], "job open");
      assert.deepEqual(seen.slice(1, 3).sort(), ["chunk 1 1 0 false", "chunk 2 1 0 false"]);
      assert.equal(seen[3], "commit");
      assert.equal((await lieux.getVille("Y0E02"))?.nom, "Lieuxclient-Deux");
    });

    it("is what `npm run import` uses: the CLI imports a file through it", async () => {
      const dir = mkdtempSync(join(tmpdir(), "lieux-cli-"));
      try {
        const file = join(dir, "communes.csv");
        writeFileSync(file, `${CSV_HEADER}\n${csvRow("Y0E03", "Lieuxcli-Trois")}\n`);
        // Asynchronously: the stack's Upstash bridge and Neon endpoint run in this process and must keep answering.
        const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/import.ts", file, "--url", env.api.origin, "--token", ADMIN_TOKEN], { env: { ...process.env, CI: "true" }, timeout: 120_000 });
        assert.match(stdout, /job [0-9a-f-]{36}: done/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
