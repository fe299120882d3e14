import { afterAll, describe, expect, it } from "vitest";
import { SYNTHETIC_CSV_HEADER, toCsvLine, toNdjsonLine } from "../scripts/lib/synthetic-communes.ts";
import { admin, commit, commitOk, countVilles, createJob, csv, getJob, putChunk, putChunkOk, removeSyntheticRows, syntheticRows, type ErrorResponseBody } from "./helpers/admin.ts";

const LETTER = "D";
const MAX_CHUNK_BYTES = 10 * 1024 * 1024;

async function expectError(response: Response, status: number, code: string): Promise<ErrorResponseBody> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  const body = JSON.parse(text) as ErrorResponseBody;
  expect(body.error.code).toBe(code);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  return body;
}

async function expectUnreadable(response: Response, line: number, reason: RegExp): Promise<void> {
  const body = await expectError(response, 422, "unprocessable");
  expect(body.error.details).toMatchObject({ chunk: 1, line });
  expect(body.error.details.reason).toMatch(reason);
}

describe("admin imports with malformed chunks", async () => {
  afterAll(() => removeSyntheticRows(LETTER));
  const rows = await syntheticRows(LETTER, 3);
  const [a, b, c] = rows.map(toCsvLine) as [string, string, string];
  const csvChunk = async (body: BodyInit) => putChunk((await createJob()).id, 1, body);
  const ndjsonChunk = async (body: BodyInit) => putChunk((await createJob({ format: "ndjson" })).id, 1, body, "application/x-ndjson");

  it("rejects unbalanced quotes at the line the quote opens", async () => {
    await expectUnreadable(await csvChunk(`${SYNTHETIC_CSV_HEADER}\n${a}\n${b.replace(",", ',"')}\n${c}\n`), 3, /unbalanced|quote/);
  });

  it("rejects a stray quote inside a field", async () => {
    await expectUnreadable(await csvChunk(`${SYNTHETIC_CSV_HEADER}\n${a}\n${b.replace(",", ",x\"y")}\n`), 3, /quote/);
  });

  it("rejects a wrong header", async () => {
    await expectUnreadable(await csvChunk(`code,name,kind\n${a}\n`), 1, /unknown column/);
  });

  it("rejects the ';' delimiter", async () => {
    await expectUnreadable(await csvChunk(`${SYNTHETIC_CSV_HEADER.replaceAll(",", ";")}\n${a.replaceAll(",", ";")}\n`), 1, /';'.*commas/);
  });

  it("rejects a missing required column", async () => {
    await expectUnreadable(await csvChunk(`${SYNTHETIC_CSV_HEADER.replace(",population", "")}\n`), 1, /missing required column\(s\) population/);
  });

  it("rejects an unknown column", async () => {
    await expectUnreadable(await csvChunk(`${SYNTHETIC_CSV_HEADER},altitude\n${a},12\n`), 1, /unknown column.*altitude/);
  });

  it("rejects an empty CSV chunk", async () => {
    await expectUnreadable(await csvChunk(""), 1, /header/);
  });

  it("rejects truncated NDJSON at its last line", async () => {
    const lines = rows.map(toNdjsonLine);
    await expectUnreadable(await ndjsonChunk(`${lines[0]}\n${lines[1]}\n${lines[2]!.slice(0, 40)}`), 3, /truncated/);
  });

  it("rejects a line that is not JSON", async () => {
    await expectUnreadable(await ndjsonChunk(`${toNdjsonLine(rows[0]!)}\n{"code_insee": "D0001",,}\n`), 2, /not valid JSON/);
  });

  it.each([
    ["csv", (body: Uint8Array) => csvChunk(body)],
    ["ndjson", (body: Uint8Array) => ndjsonChunk(body)],
  ])("rejects binary garbage (%s)", async (_, send) => {
    const garbage = new Uint8Array(4096);
    for (let index = 0; index < garbage.length; index++) garbage[index] = (index * 7919 + 13) % 256;
    const response = await send(garbage);
    const body = await expectError(response, 422, "unprocessable");
    expect(body.error.details.line).toEqual(expect.any(Number));
  });

  it("rejects invalid UTF-8 after a valid header", async () => {
    const bytes = new TextEncoder().encode(`${SYNTHETIC_CSV_HEADER}\n${a}\n`);
    const body = new Uint8Array([...bytes, 0xff, 0xfe, 0x2c, 0x0a]);
    await expectUnreadable(await csvChunk(body), 3, /UTF-8/);
  });
});

describe("admin imports refusing requests", () => {
  it("answers 413 to a declared length over 10 MB", async () => {
    const job = await createJob();
    const response = await admin(`/imports/${job.id}/chunks/1`, {
      method: "PUT",
      headers: { "Content-Type": "text/csv", "Content-Length": String(MAX_CHUNK_BYTES + 1) },
      body: `${SYNTHETIC_CSV_HEADER}\n`,
    });
    await expectError(response, 413, "payload_too_large");
    expect((await getJob(job.id)).chunks).toEqual([]);
  });

  it("answers 413 when a streamed body without a length passes 10 MB", async () => {
    const job = await createJob();
    const piece = new TextEncoder().encode(`${"y".repeat(1023)}\n`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(sent === 0 ? new TextEncoder().encode(`${SYNTHETIC_CSV_HEADER}\n`) : piece);
        sent++;
        if (sent > 11 * 1024) controller.close();
      },
    });
    await expectError(await putChunk(job.id, 1, stream), 413, "payload_too_large");
    expect((await getJob(job.id)).chunks?.[0]).toMatchObject({ n: 1, status: "failed" });
  });

  it.each([
    ["csv", "text/plain"],
    ["csv", "application/x-ndjson"],
    ["csv", "text/csv; charset=latin1"],
    ["ndjson", "application/json"],
    ["ndjson", "text/csv"],
  ] as const)("answers 415 to a %s job sent as %s", async (format, contentType) => {
    const job = await createJob({ format });
    await expectError(await putChunk(job.id, 1, "{}", contentType), 415, "unsupported_media_type");
  });

  it("answers 409 to a chunk after the commit", async () => {
    const rows = await syntheticRows(LETTER, 5, 42, 1000);
    const job = await createJob();
    await putChunkOk(job.id, 1, csv(rows));
    // The route answers 202 before the Workflow runs: the job stops taking chunks at once.
    expect((await commit(job.id)).status).toBe(202);
    await expectError(await putChunk(job.id, 2, csv(rows)), 409, "conflict");
    await expectError(await putChunk(job.id, 1, csv(rows)), 409, "conflict");
  });

  it("answers 409 to a commit with no chunks or with a failed chunk", async () => {
    await expectError(await commit((await createJob()).id), 409, "conflict");
    const job = await createJob();
    await putChunk(job.id, 1, "code,name\n");
    const body = await expectError(await commit(job.id), 409, "conflict");
    expect(body.error.details.chunks).toEqual([expect.objectContaining({ n: 1, status: "failed" })]);
  });

  it("answers 404 to an unknown job on every job route", async () => {
    const id = crypto.randomUUID();
    await expectError(await admin(`/imports/${id}`), 404, "not_found");
    await expectError(await putChunk(id, 1, csv([])), 404, "not_found");
    await expectError(await commit(id), 404, "not_found");
  });

  it.each([
    ["/imports/not-a-uuid", "id"],
    [`/imports/${crypto.randomUUID()}/chunks/0`, "n"],
    [`/imports/${crypto.randomUUID()}/chunks/abc`, "n"],
    [`/imports/${crypto.randomUUID()}/chunks/1?batch_size=5`, "batch_size"],
    ["/imports?limit=0", "limit"],
    ["/imports?cursor=forged.cursor", "cursor"],
  ])("answers 400 to %s", async (path, field) => {
    const method = path.includes("/chunks/") ? "PUT" : "GET";
    const body = await expectError(await admin(path, { method, headers: { "Content-Type": "text/csv" }, body: method === "PUT" ? "x" : undefined }), 400, "invalid_parameter");
    expect(JSON.stringify(body.error.details)).toContain(field);
  });

  it.each([
    ["an unknown field", { format: "csv", extra: 1 }],
    ["a missing format", { mode: "strict" }],
    ["an unknown mode", { format: "csv", mode: "fast" }],
  ])("answers 400 to a job with %s", async (_, body) => {
    await expectError(await admin("/imports", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }), 400, "invalid_parameter");
  });

  it("answers 409 when an Idempotency-Key is reused with other parameters", async () => {
    const key = `key-${crypto.randomUUID()}`;
    const open = (format: string) =>
      admin("/imports", { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": key }, body: JSON.stringify({ format }) });
    expect((await open("csv")).status).toBe(201);
    await expectError(await open("ndjson"), 409, "conflict");
  });

  it("answers 503 with Retry-After when the primary is down", async () => {
    const job = await createJob();
    const down = { DATABASE_URL: "postgres://lieux:lieux@127.0.0.1:9/lieux" };
    for (const response of [
      await admin(`/imports/${job.id}`, {}, down),
      await admin(`/imports/${job.id}/chunks/1`, { method: "PUT", headers: { "Content-Type": "text/csv" }, body: csv([]) }, down),
      await admin(`/imports/${job.id}/commit`, { method: "POST" }, down),
    ]) {
      await expectError(response.clone(), 503, "service_unavailable");
      expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
    }
  });
});

describe("strict imports with a bad row", () => {
  afterAll(() => removeSyntheticRows(LETTER));

  it("refuses the commit, writes nothing, and accepts it once the chunk is fixed", async () => {
    const rows = await syntheticRows(LETTER, 40, 42, 2000);
    const broken = rows.map((row, index) => (index === 17 ? { ...row, region_code: "99" } : row));
    const job = await createJob({ mode: "strict" });
    expect(await putChunkOk(job.id, 1, csv(broken.slice(0, 20)))).toMatchObject({ rows_staged: 19, rows_rejected: 1 });
    await putChunkOk(job.id, 2, csv(broken.slice(20)));

    const refused = await expectError(await commit(job.id), 422, "unprocessable");
    expect(refused.error.details).toMatchObject({ rowsRejected: 1 });
    expect(await countVilles(rows.map((row) => row.code_insee))).toBe(0);
    expect(await getJob(job.id)).toMatchObject({ status: "open", rows_rejected: 1, errors: [expect.objectContaining({ chunk: 1, line: 19 })] });

    await putChunkOk(job.id, 1, csv(rows.slice(0, 20)));
    await commitOk(job.id);
    expect(await countVilles(rows.map((row) => row.code_insee))).toBe(40);
  });
});
