import { ApiError } from "../errors.ts";

/** The most one chunk request may carry (DESIGN.md §6). */
export const MAX_CHUNK_BYTES = 10 * 1024 * 1024;

/** The client stopped sending mid-body: the rows after the last whole batch never arrived. */
export class UploadInterruptedError extends Error {
  override readonly name = "UploadInterruptedError";
}

function tooLarge(): ApiError {
  return new ApiError("payload_too_large", `A chunk carries at most ${MAX_CHUNK_BYTES} bytes; split the file into smaller chunks.`, {
    details: { maxBytes: MAX_CHUNK_BYTES },
  });
}

/** Refuses before reading anything when the declared length is already over the limit. */
export function assertDeclaredLength(contentLength: string | undefined): void {
  if (contentLength !== undefined && /^\d+$/.test(contentLength) && Number(contentLength) > MAX_CHUNK_BYTES) throw tooLarge();
}

/**
 * A request body read once as it streams: the bytes are counted (a missing or lying
 * Content-Length cannot get past the limit) and hashed, so the chunk's SHA-256 is known
 * without holding the body in memory.
 */
export class ChunkBody {
  bytes = 0;
  private readonly digest = new crypto.DigestStream("SHA-256");
  private readonly digestWriter = this.digest.getWriter();

  constructor(private readonly body: ReadableStream<Uint8Array> | null) {}

  async *pieces(): AsyncGenerator<Uint8Array> {
    if (!this.body) {
      await this.digestWriter.close();
      return;
    }
    const reader = this.body.getReader();
    let finished = false;
    try {
      for (;;) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          throw new UploadInterruptedError(`the upload stopped after ${this.bytes} bytes`, { cause: error });
        }
        if (result.done) break;
        this.bytes += result.value.byteLength;
        if (this.bytes > MAX_CHUNK_BYTES) throw tooLarge();
        await this.digestWriter.write(result.value);
        yield result.value;
      }
      finished = true;
      await this.digestWriter.close();
    } finally {
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }

  /** Hex SHA-256 of the whole body; only meaningful once `pieces()` has been read to the end. */
  async sha256(): Promise<string> {
    const digest = new Uint8Array(await this.digest.digest);
    return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }
}
