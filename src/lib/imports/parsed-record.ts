/** One data line of a chunk: either an input for the row schema, or why it cannot be one. */
export type ParsedRecord = { line: number; input: unknown } | { line: number; rejected: string };

/**
 * The chunk as a whole cannot be read (unbalanced quotes, wrong header, broken JSON,
 * binary data): answered 422 with the line, unlike a bad row, which is only rejected.
 */
export class ImportFormatError extends Error {
  override readonly name = "ImportFormatError";

  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** U+FFFD is what a lossy decoder leaves for invalid UTF-8; NUL never occurs in text. */
export const NOT_TEXT = /[\u0000\ufffd]/;
