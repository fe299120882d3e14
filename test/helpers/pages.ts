import { expect } from "vitest";
import { callWorker } from "./worker.ts";

export interface VillePage {
  results: Array<{ code_insee: string; type: string; nom: string; population: number; departement: { code: string }; region: { code: string } }>;
  next: string | null;
  previous: string | null;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ field: string; message: string }>; requestId: string };
}

/** `code_insee/type`: the natural key, unique even where a déléguée shares its commune's code. */
export const rowKey = (row: { code_insee: string; type: string }) => `${row.code_insee}/${row.type}`;

export async function getPage(pathOrUrl: string, envOverrides: Record<string, string | undefined> = {}): Promise<VillePage> {
  const response = await callWorker(pathOrUrl, {}, envOverrides);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as VillePage;
}

/** Follows `next` (or `previous`) links until there are none; returns the pages in visiting order. */
export async function walkPages(start: string, link: "next" | "previous" = "next"): Promise<VillePage[]> {
  const pages: VillePage[] = [];
  let url: string | null = start;
  while (url) {
    const page = await getPage(url);
    pages.push(page);
    url = page[link];
    if (pages.length > 1_000) throw new Error("walk did not end");
  }
  return pages;
}

/** Asserts the one error shape with a 400 whose details name `field`; returns the body. */
export async function expectInvalidParameter(response: Response, field: string): Promise<ErrorBody> {
  const text = await response.text();
  expect(response.status, text).toBe(400);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.code).toBe("invalid_parameter");
  expect(body.error.message).toEqual(expect.any(String));
  expect(body.error.requestId).toBe(response.headers.get("X-Request-Id"));
  expect(body.error.details?.map((detail) => detail.field).join(" "), text).toContain(field);
  return body;
}
