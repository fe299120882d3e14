import fc from "fast-check";

/**
 * Hostile values for URL parameters, already percent-encoded for a query string or a path
 * segment: anything a browser, a script or an attacker can put on the wire, including
 * bytes that are not UTF-8 at all.
 */

const hex = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;

/** encodeURIComponent refuses lone surrogates; these go out as the 3-byte sequences UTF-8 forbids (ED A0 80 – ED BF BF). */
export function encodeRaw(value: string): string {
  let encoded = "";
  for (let index = 0; index < value.length; index++) {
    const unit = value.charCodeAt(index);
    const next = value.charCodeAt(index + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      encoded += encodeURIComponent(value.slice(index, index + 2));
      index++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      encoded += hex(0xe0 | (unit >> 12)) + hex(0x80 | ((unit >> 6) & 0x3f)) + hex(0x80 | (unit & 0x3f));
    } else {
      encoded += encodeURIComponent(value[index]!);
    }
  }
  return encoded;
}

const bytesEncoded = (bytes: Uint8Array) => Array.from(bytes, hex).join("");

const COMBINING_MARKS = fc.integer({ min: 0x0300, max: 0x036f }).map((code) => String.fromCharCode(code));
const RTL = ["\u202e", "\u200f", "\u2067", "\u05e9\u05dc\u05d5\u05dd", "\u0627\u0644\u0633\u0644\u0627\u0645", "\u0661\u0662"];
const CONTROL = ["\u0000", "\u0001", "\n", "\r", "\t", "\u007f", "\u0085", "\u2028", "\ufeff", "\ufffe"];
const LONE_SURROGATE = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

const boundaryNumbers = fc.constantFrom(
  "-1", "0", "1", "9", "10", "19", "20", "21", "99", "100", "101", "000", "01", "+1", " 5", "5 ", "1.0", "1.5", "1e3", "0x10",
  "２０", "NaN", "Infinity", "-0", "999999999", "1000000000", "2147483648", "9007199254740993", "1".repeat(400),
);

const structural = fc.constantFrom(
  "", " ", "'", "\"", "' OR 1=1 --", "1); drop table villes; --", "$1", "${q}", "\\", "../..", "%", "%%", "<script>", "{\"a\":1}", "[]",
  "null", "undefined", "true", "__proto__", "constructor", "+", "&", "=", "#", "?", "/", ";", "*", "%s%n", "\u0000' --",
);

/** Malformed escapes, sent as is: the server must decode (or refuse) them itself. */
const malformedEscapes = fc.constantFrom("%", "%z", "%zz", "%E0%A4%A", "%C0%AF", "%FF%FE", "%00", "%2", "%25%", "%u0041", "%ED%A0%80", "%F4%90%80%80");

const unicodeText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.tuple(fc.constantFrom("a", "e", "Sain", "Nant", ""), fc.array(COMBINING_MARKS, { maxLength: 30 })).map(([base, marks]) => base + marks.join("")),
  fc.array(fc.oneof(fc.constantFrom(...RTL), fc.constantFrom("Paris", "Lyon", " ", "-")), { maxLength: 8 }).map((parts) => parts.join("")),
  fc.array(fc.oneof(fc.constantFrom(...CONTROL), LONE_SURROGATE, fc.constantFrom("nant", "é", "75")), { maxLength: 8 }).map((parts) => parts.join("")),
);

const longText = fc.tuple(fc.integer({ min: 101, max: 12_000 }), fc.constantFrom("a", "é", "\u0301", "€", "😀", "%", "\u0000")).map(([length, unit]) => unit.repeat(length));

/** Any encoded parameter value; `plausible` adds values that pass validation, so some requests reach the database. */
export function encodedValue(plausible: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: unicodeText.map(encodeRaw) },
    { weight: 2, arbitrary: boundaryNumbers.map(encodeRaw) },
    { weight: 2, arbitrary: structural.map(encodeRaw) },
    { weight: 1, arbitrary: malformedEscapes },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }).map(bytesEncoded) },
    { weight: 1, arbitrary: longText.map(encodeRaw) },
    { weight: plausible.length > 0 ? 3 : 0, arbitrary: fc.constantFrom(...(plausible.length > 0 ? plausible : ["x"])).map(encodeRaw) },
  );
}

/** A query string from (name, value) pairs: known names, repeated names and unknown ones. */
export function queryString(params: Record<string, readonly string[]>): fc.Arbitrary<string> {
  const names = Object.keys(params);
  // A route without parameters still gets unknown ones, and "q" stands in for a known name.
  const knownPair = fc.constantFrom(...names, "q").chain((name) => encodedValue(params[name] ?? []).map((value) => `${name}=${value}`));
  const unknownPair = fc
    .tuple(fc.oneof(fc.constantFrom("foo", "q[]", "limit[0]", "__proto__", "constructor", "Q", "LIMIT", ""), fc.string({ maxLength: 12 }).map(encodeRaw)), encodedValue())
    .map(([name, value]) => `${name}=${value}`);
  const bare = fc.constantFrom(...names, "&", "=", "==", "&&");
  const pairs = fc.array(fc.oneof({ weight: 6, arbitrary: knownPair }, { weight: 1, arbitrary: unknownPair }, { weight: 1, arbitrary: bare }), { maxLength: 6 });
  return pairs.map((list) => (list.length > 0 ? `?${list.join("&")}` : ""));
}
