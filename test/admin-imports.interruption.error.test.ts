import { afterAll, describe, expect, it } from "vitest";
import { commit, countLetter, createJob, csv, getJob, putChunk, putChunkOk, removeSyntheticRows, syntheticRows } from "./helpers/admin.ts";

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

describe("an upload interrupted mid-chunk", () => {
  afterAll(() => removeSyntheticRows(LETTER), 60_000);

  it("keeps whole batches only, shows where it stopped, and completes exactly on re-send", async () => {
    const rows = await syntheticRows(LETTER, ROWS);
    const body = csv(rows);
    const job = await createJob();

    const interrupted = await putChunk(job.id, 1, droppedUpload(body, 1_500), "text/csv", `?batch_size=${BATCH}`);
    expect(interrupted.status, await interrupted.clone().text()).toBe(400);

    const written = await countLetter(LETTER);
    const stopped = (await getJob(job.id)).chunks![0]!;
    expect(written).toBeGreaterThan(0);
    expect(written % BATCH).toBe(0);
    expect(written).toBeLessThan(ROWS);
    expect(stopped).toMatchObject({ n: 1, status: "failed", rows_upserted: written, batches: written / BATCH, last_line: written + 1 });
    // an incomplete chunk blocks the commit until it is re-sent
    expect((await commit(job.id)).status).toBe(409);

    const resent = await putChunkOk(job.id, 1, body);
    expect(resent).toMatchObject({ rows_received: ROWS, rows_upserted: ROWS, rows_rejected: 0 });
    expect(await getJob(job.id)).toMatchObject({ rows_received: ROWS, rows_upserted: ROWS, rows_rejected: 0 });
    const committed = await commit(job.id);
    expect(committed.status, await committed.clone().text()).toBe(200);
    expect(await committed.json()).toMatchObject({ status: "done", rows_upserted: ROWS });
    expect(await countLetter(LETTER)).toBe(ROWS);
  }, 90_000);
});
