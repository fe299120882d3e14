import fc from "fast-check";

/**
 * Malformed import bodies. Rows that happen to be valid use synthetic codes starting
 * with FUZZ_CODE_LETTER and jobs carry FUZZ_SOURCE, so the test can tell whether anything
 * it sent was ever written.
 */
export const FUZZ_CODE_LETTER = "F";
export const FUZZ_SOURCE = "fuzz-property";

const CSV_HEADER = ["code_insee", "nom", "type", "codes_postaux", "departement_code", "region_code", "population"];

const fuzzCode = fc.stringMatching(/^[0-9A-Z]{4}$/).map((tail) => FUZZ_CODE_LETTER + tail);
const validRow = fc.record({
  code_insee: fuzzCode,
  nom: fc.string({ minLength: 1, maxLength: 30 }),
  type: fc.constantFrom("commune-actuelle", "commune-deleguee", "arrondissement-municipal", "ville"),
  codes_postaux: fc.constantFrom("44000", "44000|44100", "", "4400", "abcde"),
  departement_code: fc.constantFrom("44", "2A", "976", "00", "999"),
  region_code: fc.constantFrom("52", "94", "00"),
  population: fc.oneof(fc.integer({ min: -5, max: 3_000_000 }).map(String), fc.constantFrom("", "1.5", "1e3", "NaN", "-0")),
});

const nastyField = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('"', '""', '"a', 'a"b', '"a""b"', '"unterminated\n', ",", ";", "\t", "\r", "\r\n", "\u0000", "\ufeff", "=cmd|' /C calc'!A0", "\\"),
);

const delimiter = fc.constantFrom(",", ";", "\t", "|");
const lineEnd = fc.constantFrom("\n", "\r\n", "\r");

const csvText = fc
  .record({
    header: fc.oneof(
      fc.constant(CSV_HEADER.join(",")),
      fc.shuffledSubarray(CSV_HEADER).map((columns) => columns.join(",")),
      fc.constantFrom(`\ufeff${CSV_HEADER.join(",")}`, `"${CSV_HEADER.join('","')}"`, "", "a,b,c", `${CSV_HEADER.join(",")},${CSV_HEADER[0]}`),
    ),
    rows: fc.array(
      fc.oneof(
        validRow.map((row) => Object.values(row).join(",")),
        fc.array(nastyField, { maxLength: 9 }).chain((fields) => delimiter.map((sep) => fields.join(sep))),
      ),
      { maxLength: 12 },
    ),
    end: lineEnd,
  })
  .map(({ header, rows, end }) => [header, ...rows].join(end) + end);

const ndjsonText = fc
  .array(
    fc.oneof(
      validRow.map((row) => JSON.stringify({ ...row, codes_postaux: row.codes_postaux.split("|"), population: Number(row.population) })),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.constantFrom("{", '{"code_insee":', "[1,2", "nul", "\u0000", "{}{}"),
    ),
    { maxLength: 12 },
  )
  .map((lines) => lines.join("\n"));

/** Cuts the encoded text anywhere, even inside a multi-byte character or a JSON string. */
const truncated = (text: fc.Arbitrary<string>) =>
  fc.tuple(text, fc.nat()).map(([value, at]) => {
    const bytes = new TextEncoder().encode(value);
    return bytes.slice(0, bytes.length === 0 ? 0 : at % bytes.length);
  });

const latin1 = (text: string) => Uint8Array.from(text, (char) => char.charCodeAt(0) & 0xff);
const utf16le = (text: string) => new Uint8Array(Uint16Array.from(`\ufeff${text}`, (char) => char.charCodeAt(0)).buffer);

/** A chunk body: CSV or NDJSON, valid-looking or not, in UTF-8 or not, whole or cut, or plain binary. */
export const chunkBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 3, arbitrary: csvText.map((text) => new TextEncoder().encode(text)) },
  { weight: 2, arbitrary: ndjsonText.map((text) => new TextEncoder().encode(text)) },
  { weight: 2, arbitrary: truncated(fc.oneof(csvText, ndjsonText)) },
  { weight: 1, arbitrary: csvText.map(latin1) },
  { weight: 1, arbitrary: csvText.map(utf16le) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_000 }) },
);

/** A job-creation body; objects always carry FUZZ_SOURCE, so a job created by mistake is found. */
export const jobBody: fc.Arbitrary<string> = fc.oneof(
  fc
    .record(
      { format: fc.constantFrom("csv", "ndjson", "CSV", "xml", ""), mode: fc.constantFrom("lenient", "strict", "all", 1), extra: fc.jsonValue({ maxDepth: 2 }) },
      { requiredKeys: [] },
    )
    .map((fields) => JSON.stringify({ ...fields, source: FUZZ_SOURCE })),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.constantFrom("", "{", "[", "null", '{"format":"csv"', "\u0000", '{"format":"csv","source":"' + FUZZ_SOURCE + '"}x'),
  fc.string({ unit: "binary", maxLength: 60 }),
);

export const contentType = fc.constantFrom(
  "text/csv", "text/csv; charset=utf-8", "text/csv; charset=latin1", "application/x-ndjson", "application/json",
  "application/octet-stream", "multipart/form-data; boundary=x", "text/plain", "", "text/csv;;;", "TEXT/CSV",
);
