import { createReadStream } from "node:fs";

export type ImportFileFormat = "csv" | "ndjson";

export interface FileChunk {
  n: number;
  /** What is uploaded: for CSV, the header line then whole records. */
  body: Buffer;
  /** Data lines in the chunk (blank lines are dropped). */
  rows: number;
  /** Bytes of the file this chunk covers, for progress. */
  fileBytes: number;
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function countQuotes(buffer: Buffer, from: number, to: number): number {
  let count = 0;
  for (let index = buffer.indexOf(QUOTE, from); index !== -1 && index < to; index = buffer.indexOf(QUOTE, index + 1)) count++;
  return count;
}

const isBlank = (record: Buffer) => record.length === 0 || (record.length === 1 && record[0] === 0x0d);

/**
 * Streams a file of any size and cuts it into chunks of about `targetBytes`, always on a
 * record boundary, holding one chunk in memory. CSV line breaks inside quotes do not end
 * a record (a quote count per record tells), and every CSV chunk repeats the header.
 */
export async function* cutIntoChunks(path: string, format: ImportFileFormat, targetBytes: number): AsyncGenerator<FileChunk> {
  let header: Buffer | undefined = format === "csv" ? undefined : Buffer.alloc(0);
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let rows = 0;
  let tail: Buffer[] = [];
  let insideQuotes = false;
  let n = 0;

  const take = (record: Buffer): FileChunk | undefined => {
    const line = record.at(-1) === NEWLINE ? record : Buffer.concat([record, Buffer.from("\n")]);
    if (header === undefined) {
      header = line.subarray(0, UTF8_BOM.length).equals(UTF8_BOM) ? line.subarray(UTF8_BOM.length) : line;
      return undefined;
    }
    if (isBlank(record.subarray(0, record.at(-1) === NEWLINE ? -1 : undefined))) return undefined;
    let full: FileChunk | undefined;
    if (rows > 0 && header.length + partsBytes + line.length > targetBytes) {
      full = { n: ++n, body: Buffer.concat([header, ...parts]), rows, fileBytes: partsBytes };
      parts = [];
      partsBytes = 0;
      rows = 0;
    }
    parts.push(line);
    partsBytes += line.length;
    rows++;
    return full;
  };

  for await (const buffer of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let recordStart = 0;
    let scanned = 0;
    for (let newline = buffer.indexOf(NEWLINE); newline !== -1; newline = buffer.indexOf(NEWLINE, scanned)) {
      if (format === "csv" && countQuotes(buffer, scanned, newline) % 2 === 1) insideQuotes = !insideQuotes;
      scanned = newline + 1;
      if (insideQuotes) continue;
      const record = tail.length > 0 ? Buffer.concat([...tail, buffer.subarray(recordStart, scanned)]) : buffer.subarray(recordStart, scanned);
      tail = [];
      recordStart = scanned;
      const full = take(record);
      if (full) yield full;
    }
    if (format === "csv" && countQuotes(buffer, scanned, buffer.length) % 2 === 1) insideQuotes = !insideQuotes;
    if (recordStart < buffer.length) tail.push(buffer.subarray(recordStart));
  }
  if (tail.length > 0) {
    const full = take(Buffer.concat(tail));
    if (full) yield full;
  }
  if (rows > 0) yield { n: ++n, body: Buffer.concat([header ?? Buffer.alloc(0), ...parts]), rows, fileBytes: partsBytes };
}
