import { afterAll, describe, expect, it } from "vitest";
import { commit, commitAndFollow, commitOk, countLetter, countVilles, createJob, csv, getJob, putChunk, putChunkOk, removeSyntheticRows, syntheticRows } from "./helpers/admin.ts";
import { primaryUrl, sqlOn } from "./helpers/sql.ts";

const LETTER = "B";
const ROWS = 12_000;
const BATCH = 5_000;

/**
 * A body that delivers `text` in 64 KiB pieces, then fails the way a dropped connection
 * does. The failure waits a moment so the Worker has read every piece it was given.
 */
function droppedUpload(text: string, failAfterMs: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset >= bytes.length) {
        await new Promise((resolve) => setTimeout(resolve, failAfterMs));
        controller.error(new Error("connection reset by peer"));
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + 65_536));
      offset += 65_536;
    },
  });
}

/** Rows in the job's staging table (all uploads of every chunk), as the merge will read them. */
const stagedRows = async (jobId: string) =>
  Number((await sqlOn(primaryUrl()).query(`select count(*)::int as n from import_rows_${jobId.replaceAll("-", "")}`))[0]!.n);

describe("an upload interrupted mid-chunk", () => {
  afterAll(() => removeSyntheticRows(LETTER), 60_000);

  it("keeps whole batches only, shows where it stopped, and completes exactly on re-send", async () => {
    const rows = await syntheticRows(LETTER, ROWS);
    const body = csv(rows);
    const job = await createJob();

    const interrupted = await putChunk(job.id, 1, droppedUpload(body, 1_500), "text/csv", `?batch_size=${BATCH}`);
    expect(interrupted.status, await interrupted.clone().text()).toBe(400);

    const written = await stagedRows(job.id);
    const stopped = (await getJob(job.id)).chunks![0]!;
    expect(written).toBeGreaterThan(0);
    expect(written % BATCH).toBe(0);
    expect(written).toBeLessThan(ROWS);
    expect(stopped).toMatchObject({ n: 1, status: "failed", rows_staged: written, batches: written / BATCH, last_line: written + 1 });
    expect(await countLetter(LETTER)).toBe(0);
    // an incomplete chunk blocks the commit until it is re-sent
    expect((await commit(job.id)).status).toBe(409);

    const resent = await putChunkOk(job.id, 1, body);
    expect(resent).toMatchObject({ rows_received: ROWS, rows_staged: ROWS, rows_rejected: 0 });
    expect(await getJob(job.id)).toMatchObject({ rows_received: ROWS, rows_staged: ROWS, rows_rejected: 0 });
    // The interrupted upload's batches are still in staging; the merge reads only the current upload's rows.
    expect(await stagedRows(job.id)).toBe(written + ROWS);
    expect(await commitOk(job.id)).toMatchObject({ status: "done", rows_upserted: ROWS });
    expect(await countLetter(LETTER)).toBe(ROWS);
  }, 90_000);

  it("re-opens a job whose staged rows a database restart emptied, and completes exactly once the chunk is re-sent", async () => {
    const rows = await syntheticRows(LETTER, 300, 42, ROWS);
    const job = await createJob();
    await putChunkOk(job.id, 1, csv(rows.slice(0, 200)));
    await putChunkOk(job.id, 2, csv(rows.slice(200)));
    // What crash recovery does to an UNLOGGED table: it comes back empty, while the chunks still say "done".
    await sqlOn(primaryUrl()).query(`truncate import_rows_${job.id.replaceAll("-", "")}`);

    // The merge step finds the loss, re-opens the job for those chunks and ends the Workflow without a retry.
    const refused = await commitAndFollow(job.id);
    expect(refused.outcome).toBe("errored");
    // Retrying cannot bring the rows back: the step gives up at once (NonRetryableError).
    expect(refused.error?.message).toMatch(/NonRetryableError/);
    const reopened = refused.job;
    expect(reopened).toMatchObject({ status: "open", rows_staged: 0, failure: expect.stringContaining("lost") });
    expect(reopened.chunks!.map((chunk) => [chunk.n, chunk.status])).toEqual([
      [1, "failed"],
      [2, "failed"],
    ]);

    await putChunkOk(job.id, 1, csv(rows.slice(0, 200)));
    await putChunkOk(job.id, 2, csv(rows.slice(200)));
    expect(await commitOk(job.id)).toMatchObject({ status: "done", rows_received: 300, rows_upserted: 300, rows_rejected: 0 });
    expect(await countVilles(rows.map((row) => row.code_insee))).toBe(300);
  }, 90_000);
});
