import { ImportFormatError, NOT_TEXT, type ParsedRecord } from "./parsed-record.ts";

/** Longest line accepted; a real row is a few hundred bytes. */
const MAX_LINE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

function decodeLine(bytes: Uint8Array, line: number): string {
  let text: string;
  try {
    // fatal: invalid UTF-8 is binary data, not a row to guess at
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: line !== 1 }).decode(bytes);
  } catch {
    throw new ImportFormatError(line, "not valid UTF-8 text (binary data?)");
  }
  if (NOT_TEXT.test(text)) throw new ImportFormatError(line, "not valid UTF-8 text (binary data?)");
  return text.endsWith("\r") ? text.slice(0, -1) : text;
}

function parseLine(text: string, line: number, isLast: boolean): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ImportFormatError(line, isLast ? `the last line is not complete JSON (truncated upload?): ${detail}` : `not valid JSON: ${detail}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { line, rejected: "row: must be a JSON object" };
  return { line, input: value };
}

/** Streams an NDJSON chunk: one JSON object per line, LF or CRLF, blank lines skipped. */
export async function* parseNdjson(pieces: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedRecord> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let line = 0;
  for await (const piece of pieces) {
    let start = 0;
    for (let end = piece.indexOf(NEWLINE); end !== -1; end = piece.indexOf(NEWLINE, start)) {
      line++;
      const bytes = concat([...pending, piece.subarray(start, end)], pendingBytes + end - start);
      pending = [];
      pendingBytes = 0;
      start = end + 1;
      if (bytes.byteLength > MAX_LINE_BYTES) throw new ImportFormatError(line, `line longer than ${MAX_LINE_BYTES} bytes`);
      const text = decodeLine(bytes, line);
      if (text.trim() !== "") yield parseLine(text, line, false);
    }
    if (start < piece.byteLength) {
      pending.push(piece.subarray(start));
      pendingBytes += piece.byteLength - start;
      if (pendingBytes > MAX_LINE_BYTES) throw new ImportFormatError(line + 1, `line longer than ${MAX_LINE_BYTES} bytes`);
    }
  }
  if (pendingBytes > 0) {
    line++;
    const text = decodeLine(concat(pending, pendingBytes), line);
    if (text.trim() !== "") yield parseLine(text, line, true);
  }
}
