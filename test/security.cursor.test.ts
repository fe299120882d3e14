import { describe, expect, it } from "vitest";
import { encodeCursor } from "../src/lib/cursor.ts";
import { getPage } from "./helpers/pages.ts";
import { callWorker, testEnv } from "./helpers/worker.ts";

const FILTERS = { departement: "44", region: undefined, type: undefined, populationMin: undefined };
const LISTING = "/v1/villes?departement=44&order=-population&limit=3";

const toBase64Url = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const fromBase64Url = (part: string) => new TextDecoder().decode(Uint8Array.from(atob(part.replaceAll("-", "+").replaceAll("_", "/")), (char) => char.charCodeAt(0)));

/** A real `next` cursor from the API, split into its payload (decoded) and signature parts. */
async function issuedCursor() {
  const page = await getPage(LISTING);
  const cursor = new URL(page.next!).searchParams.get("cursor")!;
  const [payloadPart, signaturePart] = cursor.split(".") as [string, string];
  return { cursor, payloadPart, signaturePart, payload: JSON.parse(fromBase64Url(payloadPart)) as { key: [number, number]; direction: string } };
}

async function expectRejected(cursor: string, listing = LISTING) {
  const response = await callWorker(`${listing}&cursor=${encodeURIComponent(cursor)}`);
  const body = (await response.json()) as { error: { code: string; details: Array<{ field: string; message: string }> } };
  expect(response.status).toBe(400);
  expect(body.error.code).toBe("invalid_parameter");
  expect(body.error.details[0]?.field).toBe("cursor");
  return body.error.details[0]!.message;
}

describe("cursors cannot be forged", () => {
  it("accepts the cursor the API issued", async () => {
    const { cursor } = await issuedCursor();
    expect((await callWorker(`${LISTING}&cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
  });

  it("rejects a cursor signed with another secret, for the same order and filters", async () => {
    const { payload } = await issuedCursor();
    for (const secret of [`${testEnv.CURSOR_SECRET}x`, testEnv.CURSOR_SECRET!.slice(0, -1), "dev-cursor-secret-change-me-in-production", undefined]) {
      const forged = await encodeCursor({ direction: "next", key: payload.key }, { secret, order: "-population", filters: FILTERS });
      expect(await expectRejected(forged)).toBe("has an invalid signature");
    }
  });

  it("rejects a payload altered and re-encoded under the original signature", async () => {
    const { payload, signaturePart } = await issuedCursor();
    const alterations = [
      { ...payload, key: [payload.key[0] + 1, payload.key[1]] },
      { ...payload, key: [0, 0] },
      { ...payload, direction: payload.direction === "next" ? "previous" : "next" },
      { ...payload, order: "nom" },
      { ...payload, filters: "" },
    ];
    for (const altered of alterations) expect(await expectRejected(`${toBase64Url(JSON.stringify(altered))}.${signaturePart}`)).toBe("has an invalid signature");
  });

  it("rejects the same payload re-encoded byte for byte differently (whitespace, key order) under the original signature", async () => {
    const { payload, signaturePart } = await issuedCursor();
    const reordered = Object.fromEntries(Object.entries(payload).reverse());
    for (const text of [JSON.stringify(payload, null, 1), JSON.stringify(reordered), `${JSON.stringify(payload)} `]) {
      expect(await expectRejected(`${toBase64Url(text)}.${signaturePart}`)).toBe("has an invalid signature");
    }
  });

  it("rejects a truncated, extended or swapped signature, and a cursor with its parts swapped", async () => {
    const { payloadPart, signaturePart } = await issuedCursor();
    for (const forged of [`${payloadPart}.${signaturePart.slice(0, -2)}`, `${payloadPart}.${signaturePart}AA`, `${payloadPart}.`, `${signaturePart}.${payloadPart}`, `${payloadPart}.${"A".repeat(43)}`]) {
      await expectRejected(forged);
    }
  });

  it("rejects a genuine cursor replayed against another order or other filters", async () => {
    const { cursor } = await issuedCursor();
    for (const [listing, reason] of [
      ["/v1/villes?departement=44&order=nom&limit=3", "was issued for order=-population"],
      ["/v1/villes?departement=75&order=-population&limit=3", "was issued for different filters"],
      ["/v1/villes?order=-population&limit=3", "was issued for different filters"],
    ]) {
      expect(await expectRejected(cursor, listing), listing).toBe(reason);
    }
  });
});
