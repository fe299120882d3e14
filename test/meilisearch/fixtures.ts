import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where the recordings live: one JSON file per test file, named by the test file. */
export const FIXTURES_DIR = join(process.cwd(), "test", "fixtures", "meilisearch");

/** Whether the Authorization header carried the key the tests were given (recorded: the real server's key). */
export type AuthUsed = "valid" | "invalid" | "missing";

/** A request as it is matched: bodies by the SHA-256 of their canonical JSON, kept in full only when small. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: AuthUsed;
  bodySha256: string | null;
  body?: unknown;
}

export interface RecordedResponse {
  status: number;
  body: unknown;
}

export interface Interaction {
  request: RecordedRequest;
  response: RecordedResponse;
}

/** One test's traffic, in the order the real server saw it. */
export interface RecordedScope {
  test: string;
  interactions: Interaction[];
}

export interface FixtureFile {
  /** `GET /version` of the server the traffic came from. */
  recordedFrom: unknown;
  scopes: Record<string, RecordedScope>;
}

/** Bodies above this are kept as their hash only: a 10,000-document batch would swamp the file. */
const MAX_STORED_BODY_CHARS = 8_192;

/** JSON with object keys sorted at every level, so equal bodies hash equally whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Parses a body as JSON, or keeps the text as it came (a malformed payload is traffic too). */
export function parseBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function describeRequest(method: string, url: URL, auth: AuthUsed, bodyText: string): RecordedRequest {
  const query = Object.fromEntries([...url.searchParams].sort(([a], [b]) => (a < b ? -1 : 1)));
  const body = parseBody(bodyText);
  const canonical = body === null ? null : typeof body === "string" ? body : canonicalJson(body);
  const request: RecordedRequest = {
    method,
    path: url.pathname,
    query,
    auth,
    bodySha256: canonical === null ? null : createHash("sha256").update(canonical).digest("hex"),
  };
  if (canonical !== null && canonical.length <= MAX_STORED_BODY_CHARS) request.body = body;
  return request;
}

/** What makes two requests the same request: everything recorded but the stored copy of the body. */
export const requestKey = (request: RecordedRequest) =>
  JSON.stringify([request.method, request.path, request.query, request.auth, request.bodySha256]);

export const fixturePath = (fixture: string) => join(FIXTURES_DIR, `${fixture}.json`);

export function readFixture(fixture: string): FixtureFile | null {
  const path = fixturePath(fixture);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as FixtureFile) : null;
}

export function writeFixture(fixture: string, file: FixtureFile): string {
  mkdirSync(FIXTURES_DIR, { recursive: true });
  const path = fixturePath(fixture);
  writeFileSync(path, `${JSON.stringify(file, null, 1)}\n`);
  return path;
}
