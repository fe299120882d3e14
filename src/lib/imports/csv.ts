import { readCsvRecords } from "./csv-records.ts";
import { ImportFormatError, NOT_TEXT, type ParsedRecord } from "./parsed-record.ts";
import { KNOWN_COLUMNS, REQUIRED_COLUMNS } from "./row-schema.ts";

const INTEGER = /^\d+$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

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

/**
 * Streams a CSV chunk: UTF-8, optional BOM, LF or CRLF, a header naming the columns in
 * any order. Yields one record per data line, numbered from the header's line 1; a
 * record spanning lines (quoted line breaks) carries the line it starts on.
 */
export async function* parseCsv(pieces: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedRecord> {
  let columns: string[] | undefined;
  for await (const { line, fields } of readCsvRecords(pieces)) {
    if (fields.some((field) => NOT_TEXT.test(field))) throw new ImportFormatError(line, "not valid UTF-8 text (binary data?)");
    if (columns === undefined) {
      columns = readHeader(fields);
      continue;
    }
    if (fields.length !== columns.length) {
      yield { line, rejected: `has ${fields.length} fields, the header has ${columns.length}` };
      continue;
    }
    yield { line, input: toInput(columns, fields) };
  }
  if (columns === undefined) throw new ImportFormatError(1, "the chunk is empty: a CSV chunk starts with its header line");
}
