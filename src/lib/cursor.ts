import { z } from "zod";
import { ApiError } from "./errors.ts";

/**
 * Opaque keyset cursors: `base64url(JSON payload) + "." + base64url(HMAC-SHA256(payload))`.
 *
 * The payload names the order, a hash of the filters and the page direction, so a cursor
 * cannot be replayed against another query, and the key values of the row it points at.
 * It is signed, not encrypted: a client can read it but not forge or alter it.
 *
 * Without `CURSOR_SECRET`, each isolate signs with its own random key, so a cursor only
 * works on the isolate that issued it; production must set the secret.
 */

const CURSOR_VERSION = 1;

/** Longest cursor accepted before any decoding work; real ones are a few hundred characters. */
export const MAX_CURSOR_LENGTH = 1024;

export type CursorDirection = "next" | "previous";

export interface CursorScope {
  /** `CURSOR_SECRET`; undefined falls back to the per-isolate key. */
  secret: string | undefined;
  order: string;
  /** The query's filters; only their hash travels in the cursor. */
  filters: Record<string, string | number | undefined>;
}

export interface CursorPosition<Key> {
  direction: CursorDirection;
  key: Key;
}

const PayloadSchema = z
  .object({
    version: z.literal(CURSOR_VERSION),
    order: z.string(),
    filters: z.string(),
    direction: z.enum(["next", "previous"]),
    key: z.unknown(),
  })
  .strict();

const encoder = new TextEncoder();
const hmacKeysBySecret = new Map<string, Promise<CryptoKey>>();
// Random values may only be drawn while handling a request in workerd, hence lazily.
let isolateKey: Promise<CryptoKey> | undefined;

function importHmacKey(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

function hmacKey(secret: string | undefined): Promise<CryptoKey> {
  if (secret === undefined) return (isolateKey ??= importHmacKey(crypto.getRandomValues(new Uint8Array(32))));
  let key = hmacKeysBySecret.get(secret);
  if (!key) {
    key = importHmacKey(encoder.encode(secret));
    hmacKeysBySecret.set(secret, key);
  }
  return key;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

async function hashFilters(filters: CursorScope["filters"]): Promise<string> {
  const canonical = JSON.stringify(Object.keys(filters).sort().map((name) => [name, filters[name] ?? null]));
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(canonical));
  return toBase64Url(new Uint8Array(digest).slice(0, 16));
}

function invalidCursor(reason: string): ApiError {
  return new ApiError("invalid_parameter", "Invalid cursor: use the next/previous links exactly as returned, with the same filters and order.", {
    details: [{ field: "cursor", message: reason }],
  });
}

export async function encodeCursor<Key>(position: CursorPosition<Key>, scope: CursorScope): Promise<string> {
  const payload = {
    version: CURSOR_VERSION,
    order: scope.order,
    filters: await hashFilters(scope.filters),
    direction: position.direction,
    key: position.key,
  };
  const payloadPart = toBase64Url(encoder.encode(JSON.stringify(payload)));
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(scope.secret), encoder.encode(payloadPart));
  return `${payloadPart}.${toBase64Url(new Uint8Array(signature))}`;
}

/** Verifies the signature (in constant time, by WebCrypto), then the payload and its scope; any failure is a 400. */
export async function decodeCursor<Key>(
  token: string,
  scope: CursorScope & { keySchema: z.ZodType<Key> },
): Promise<CursorPosition<Key>> {
  if (token.length > MAX_CURSOR_LENGTH) throw invalidCursor("is too long");
  const parts = token.split(".");
  if (parts.length !== 2 || !parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) throw invalidCursor("is malformed");
  const [payloadPart, signaturePart] = parts as [string, string];

  let signature: Uint8Array;
  try {
    signature = fromBase64Url(signaturePart);
  } catch {
    throw invalidCursor("is malformed");
  }
  const authentic = await crypto.subtle.verify("HMAC", await hmacKey(scope.secret), signature, encoder.encode(payloadPart));
  if (!authentic) throw invalidCursor("has an invalid signature");

  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(fromBase64Url(payloadPart)));
  } catch {
    throw invalidCursor("is malformed");
  }
  const payload = PayloadSchema.safeParse(decoded);
  if (!payload.success) throw invalidCursor("has an unsupported format");
  if (payload.data.order !== scope.order) throw invalidCursor(`was issued for order=${payload.data.order}`);
  if (payload.data.filters !== (await hashFilters(scope.filters))) throw invalidCursor("was issued for different filters");
  const key = scope.keySchema.safeParse(payload.data.key);
  if (!key.success) throw invalidCursor("has an unsupported format");
  return { direction: payload.data.direction, key: key.data };
}
