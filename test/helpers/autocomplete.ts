import { expect } from "vitest";
import { callWorker } from "./worker.ts";

export interface AutocompleteBody {
  query: { q: string; normalized: string; limit: number };
  match: "prefix" | "fuzzy";
  results: Array<{
    code_insee: string;
    nom: string;
    nom_highlight: string;
    type: string;
    codes_postaux: string[];
    code_postal_principal: string | null;
    departement: { code: string; nom: string };
    region: { code: string; nom: string };
    population: number;
  }>;
}

export async function autocomplete(params: Record<string, string>, envOverrides: Record<string, string | undefined> = {}) {
  const response = await callWorker(`/v1/villes/autocomplete?${new URLSearchParams(params)}`, {}, envOverrides);
  expect(response.status, await response.clone().text()).toBe(200);
  return { response, body: (await response.json()) as AutocompleteBody };
}

export const names = (body: AutocompleteBody) => body.results.map((result) => result.nom);
