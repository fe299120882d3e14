import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it, vi, type MockInstance } from "vitest";
import { adminToken, authorization, createJob } from "./helpers/admin.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";
import { callWorker } from "./helpers/worker.ts";
import { chunkBody, contentType, FUZZ_CODE_LETTER, FUZZ_SOURCE, jobBody } from "./fuzz/bodies.ts";
import { adminCredentials, adminRequest, cursorText, forgedCursor, publicRequest, type FuzzRequest } from "./fuzz/requests.ts";
import { encodedValue } from "./fuzz/values.ts";

/**
 * Every run sends the same cases: the seed is FUZZ_SEED, or a fixed default (test/global-setup.ts).
 * To explore:  FUZZ_SEED=$RANDOM npx vitest run test/fuzz.property.test.ts
 * To replay a failure, pass the seed and path fast-check printed, naming the failed test:
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run test/fuzz.property.test.ts -t "<test name>"
 */
const SEED = inject("fuzzSeed");
const PATH = inject("fuzzPath");
console.log(`fuzz: seed ${SEED}${PATH ? `, path ${PATH}` : ""} (replay: FUZZ_SEED=${SEED} npx vitest run test/fuzz.property.test.ts)`);
const RUNS = { publicRoutes: 6_000, forgedCursors: 1_500, adminWithoutToken: 2_000, adminJobsWithToken: 200, adminChunksWithToken: 300 };
const casesRun: Record<string, number> = {};
const statuses: Record<number, number> = {};

async function send(request: FuzzRequest): Promise<Response> {
  return callWorker(request.path, { method: request.method, headers: request.headers, body: request.body });
}

/** The properties every response must have, whatever was sent: never a 5xx, and every error in the one shape. */
async function expectWellFormed(request: FuzzRequest, response: Response): Promise<string> {
  const text = await response.text();
  statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  const label = `${request.method} ${request.path.slice(0, 200)} → ${response.status} ${text.slice(0, 300)}`;
  if (response.status >= 500) throw new Error(`5xx: ${label}`);
  if (response.headers.get("X-Content-Type-Options") !== "nosniff") throw new Error(`no nosniff: ${label}`);
  if (response.status < 400 || request.method === "HEAD") return text;
  const body = JSON.parse(text) as { error?: Record<string, unknown> };
  const error = body.error;
  const wellShaped =
    Object.keys(body).join() === "error" &&
    typeof error?.code === "string" &&
    typeof error.message === "string" &&
    error.requestId === response.headers.get("X-Request-Id") &&
    Object.keys(error).every((key) => ["code", "message", "requestId", "details"].includes(key));
  if (!wellShaped) throw new Error(`error shape: ${label}`);
  return text;
}

function property<T>(name: keyof typeof RUNS, arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>) {
  return fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      casesRun[name] = (casesRun[name] ?? 0) + 1;
      await check(value);
    }),
    { numRuns: RUNS[name], seed: SEED, ...(PATH ? { path: PATH } : {}), endOnFailure: true },
  );
}

/** What a fuzz request could have written: rows with the fuzz code letter, jobs with the fuzz source. */
async function fuzzFootprint() {
  const [row] = await sqlOn(primaryUrl()).query(
    `select (select count(*)::int from villes where code_insee like $1) as villes,
            (select count(*)::int from imports where source like $2) as jobs,
            (select count(*)::int from import_chunks c join imports i on i.id = c.job_id where i.source like $2) as chunks`,
    [`${FUZZ_CODE_LETTER}%`, `${FUZZ_SOURCE}%`],
  );
  return row as { villes: number; jobs: number; chunks: number };
}

const removeFuzzJobs = () => sqlOn(primaryUrl()).query("delete from imports where source like $1", [`${FUZZ_SOURCE}%`]);

describe("fuzzing every public route and the admin routes", () => {
  const started = Date.now();
  const errorLines: string[] = [];
  let consoleSpies: MockInstance[] = [];
  beforeAll(async () => {
    await removeFuzzJobs();
    // Thousands of expected "admin authentication failed" warnings would bury the report; errors are kept and checked.
    consoleSpies = [vi.spyOn(console, "log"), vi.spyOn(console, "warn")].map((spy) => spy.mockImplementation(() => undefined));
    consoleSpies.push(vi.spyOn(console, "error").mockImplementation((line: unknown) => void errorLines.push(String(line))));
  });
  afterAll(async () => {
    for (const spy of consoleSpies) spy.mockRestore();
    await removeFuzzJobs();
    console.log(`fuzz: cases ${JSON.stringify(casesRun)}, statuses ${JSON.stringify(statuses)}, ${Date.now() - started} ms`);
  });

  it("never answers 5xx, and every 4xx has the error shape, for hostile parameters", { timeout: 120_000 }, async () => {
    await property("publicRoutes", publicRequest, async (request) => void (await expectWellFormed(request, await send(request))));
  });

  it("answers 400 invalid_parameter for every forged cursor", { timeout: 60_000 }, async () => {
    await property("forgedCursors", forgedCursor, async (forgery) => {
      const request = { method: "GET", path: `/v1/villes?order=${forgery.order}&cursor=${encodeURIComponent(await cursorText(forgery))}`, headers: {} };
      const response = await send(request);
      const text = await expectWellFormed(request, response);
      if (response.status !== 400 || !text.includes('"field":"cursor"')) throw new Error(`forged cursor accepted: ${response.status} ${text.slice(0, 200)}`);
    });
  });

  it("rejects every admin call without the valid token, and writes nothing", { timeout: 60_000 }, async () => {
    const before = await fuzzFootprint();
    await property("adminWithoutToken", adminRequest(adminCredentials(adminToken())), async (request) => {
      const response = await send(request);
      const text = await expectWellFormed(request, response);
      const expected = ({ 400: "bad_request", 401: "unauthorized" } as Record<number, string>)[response.status];
      const code = expected && (JSON.parse(text) as { error: { code: string } }).error.code;
      if (!expected || code !== expected) throw new Error(`admin call without the token answered ${response.status} ${code}: ${request.method} ${request.path}`);
    });
    expect(await fuzzFootprint()).toEqual(before);
  });

  describe("with the valid token", () => {
    let jobs: { csv: string; ndjson: string };
    beforeAll(async () => {
      // Strict jobs only stage rows until a commit, which never comes: villes is never touched.
      const [csv, ndjson] = await Promise.all([
        createJob({ format: "csv", mode: "strict", source: `${FUZZ_SOURCE}-chunks` }),
        createJob({ format: "ndjson", mode: "strict", source: `${FUZZ_SOURCE}-chunks` }),
      ]);
      jobs = { csv: csv.id, ndjson: ndjson.id };
    });

    it("answers malformed job bodies with 4xx in the error shape", { timeout: 60_000 }, async () => {
      const headers = fc.record(
        {
          "Content-Type": fc.oneof({ weight: 3, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: contentType }),
          "Idempotency-Key": fc.oneof(fc.constant("fuzz-key"), fc.stringMatching(/^[\x20-\x7e]{0,10}$/)),
        },
        { requiredKeys: [] },
      );
      await property("adminJobsWithToken", fc.tuple(jobBody, headers), async ([body, extra]) => {
        await expectWellFormed({ method: "POST", path: "/v1/admin/imports", headers: {} }, await send({ method: "POST", path: "/v1/admin/imports", headers: { ...authorization(), ...extra }, body }));
      });
    });

    it("answers malformed chunks (quotes, delimiters, encodings, truncation, binary) without a 5xx", { timeout: 90_000 }, async () => {
      // Mostly the job's own content type, so most bodies reach the parsers rather than stopping at a 415.
      const chunk = fc.constantFrom("csv" as const, "ndjson" as const).chain((format) =>
        fc.record({
          format: fc.constant(format),
          n: fc.oneof(fc.integer({ min: 1, max: 100_000 }).map(String), encodedValue(["1", "2"])),
          batchSize: fc.option(encodedValue(["100", "10000"]), { nil: undefined }),
          type: fc.oneof({ weight: 4, arbitrary: fc.constant(format === "csv" ? "text/csv" : "application/x-ndjson") }, { weight: 1, arbitrary: contentType }),
          body: chunkBody,
        }),
      );
      await property("adminChunksWithToken", chunk, async ({ format, n, batchSize, type, body }) => {
        const path = `/v1/admin/imports/${jobs[format]}/chunks/${n}${batchSize === undefined ? "" : `?batch_size=${batchSize}`}`;
        const request = { method: "PUT", path, headers: { ...authorization(), "Content-Type": type }, body };
        await expectWellFormed(request, await send(request));
      });
      expect((await fuzzFootprint()).villes).toBe(0);
    });
  });

  it("logged no error line", () => {
    expect(errorLines).toEqual([]);
  });

  it(`ran at least 10,000 cases`, () => {
    expect(Object.values(casesRun).reduce((sum, runs) => sum + runs, 0)).toBeGreaterThanOrEqual(10_000);
  });
});
