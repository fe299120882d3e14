import { Buffer } from "node:buffer";
import { CsvError, parse } from "csv-parse/stream";
import { ImportFormatError, NOT_TEXT, type ParsedRecord } from "./parsed-record.ts";
import { KNOWN_COLUMNS, REQUIRED_COLUMNS } from "./row-schema.ts";

/** Longest record accepted; a runaway quoted field is reported long before the chunk limit. */
const MAX_RECORD_CHARS = 64 * 1024;
const INTEGER = /^\d+$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

interface CsvOutput {
  record: string[];
  info: { lines: number };
}

function readHeader(fields: string[]): string[] {
  const columns = fields.map((field) => field.trim());
  if (columns.length === 1 && /[;\t]/.test(columns[0]!)) {
    const delimiter = columns[0]!.includes(";") ? "';'" : "a tab";
    throw new ImportFormatError(1, `the header is separated by ${delimiter}; columns must be separated by commas`);
  }
  const unknown = columns.filter((column) => !KNOWN_COLUMNS.has(column));
  if (unknown.length > 0) throw new ImportFormatError(1, `unknown column(s) ${unknown.map((c) => JSON.stringify(c)).join(", ")} in the header`);
  const duplicated = columns.filter((column, index) => columns.indexOf(column) !== index);
  if (duplicated.length > 0) throw new ImportFormatError(1, `column ${JSON.stringify(duplicated[0])} appears twice in the header`);
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.includes(column));
  if (missing.length > 0) throw new ImportFormatError(1, `missing required column(s) ${missing.join(", ")} in the header`);
  return columns;
}

/** CSV strings to the JSON types the row schema expects; anything unconvertible stays a string and fails validation there. */
function toInput(columns: string[], fields: string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  columns.forEach((column, index) => {
    const value = fields[index]!.trim();
    if (column === "codes_postaux") input[column] = value === "" ? [] : value.split("|").map((code) => code.trim());
    else if (column === "population") input[column] = value === "" ? 0 : INTEGER.test(value) ? Number(value) : value;
    else if (column === "latitude" || column === "longitude") input[column] = value === "" ? undefined : DECIMAL.test(value) ? Number(value) : value;
    else input[column] = value;
  });
  return input;
}

function countLineBreaks(fields: string[]): number {
  let count = 0;
  for (const field of fields) for (let index = field.indexOf("\n"); index !== -1; index = field.indexOf("\n", index + 1)) count++;
  return count;
}

function toFormatError(error: CsvError, lastRecordEndLine: number): ImportFormatError {
  const line = typeof error.lines === "number" ? error.lines : lastRecordEndLine + 1;
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return new ImportFormatError(lastRecordEndLine + 1, "a quoted field opened on this line is never closed (unbalanced quotes)");
    case "CSV_INVALID_CLOSING_QUOTE":
    case "INVALID_OPENING_QUOTE":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE":
      return new ImportFormatError(line, `misplaced or unbalanced quote: ${error.message}`);
    case "CSV_MAX_RECORD_SIZE":
      return new ImportFormatError(lastRecordEndLine + 1, `a record is longer than ${MAX_RECORD_CHARS} characters (unbalanced quotes?)`);
    default:
      return new ImportFormatError(line, error.message);
  }
}

function sourceOf(pieces: AsyncIterable<Uint8Array>): ReadableStream<Buffer> {
  const iterator = pieces[Symbol.asyncIterator]();
  return new ReadableStream<Buffer>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * Streams a CSV chunk: UTF-8, optional BOM, LF or CRLF, a header naming the columns in
 * any order. Yields one record per data line, numbered from the header's line 1; a
 * record spanning lines (quoted line breaks) carries the line it starts on.
 */
export async function* parseCsv(pieces: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedRecord> {
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_CHARS });
  const reader = sourceOf(pieces).pipeThrough(parser).getReader();
  let columns: string[] | undefined;
  let lastRecordEndLine = 0;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<CsvOutput>;
      try {
        result = await reader.read();
      } catch (error) {
        throw error instanceof CsvError ? toFormatError(error, lastRecordEndLine) : error;
      }
      if (result.done) break;
      const { record, info } = result.value;
      const line = info.lines - countLineBreaks(record);
      lastRecordEndLine = info.lines;
      if (record.some((field) => NOT_TEXT.test(field))) throw new ImportFormatError(line, "not valid UTF-8 text (binary data?)");
      if (columns === undefined) {
        columns = readHeader(record);
        continue;
      }
      if (record.length !== columns.length) {
        yield { line, rejected: `has ${record.length} fields, the header has ${columns.length}` };
        continue;
      }
      yield { line, input: toInput(columns, record) };
    }
    if (columns === undefined) throw new ImportFormatError(1, "the chunk is empty: a CSV chunk starts with its header line");
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
