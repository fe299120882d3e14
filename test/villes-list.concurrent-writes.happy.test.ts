import { afterAll, describe, expect, it } from "vitest";
import { getPage, rowKey, walkPages, type VillePage } from "./helpers/pages.ts";
import { primaryUrl, replicaUrl, sqlOn } from "./helpers/sql.ts";
import { callWorker } from "./helpers/worker.ts";

// Not real INSEE codes: 990xx does not exist, so cleanup can never touch real rows.
const TEST_CODES = ["99001", "99002"];

async function insertOnPrimary(codeInsee: string, nom: string): Promise<void> {
  await sqlOn(primaryUrl())`insert into villes (code_insee, type, nom, departement_code, region_code, population)
    values (${codeInsee}, 'commune-actuelle', ${nom}, '44', '52', 1)`;
}

/** Replication lag is real: read through the API until the replica has the row. */
async function waitUntilServed(codeInsee: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await callWorker(`/v1/villes/${codeInsee}`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${codeInsee} not replicated within 10 s`);
}

afterAll(async () => {
  await sqlOn(primaryUrl())`delete from villes where code_insee = any(${TEST_CODES})`;
});

describe("GET /v1/villes while rows are inserted between pages", () => {
  it("never repeats nor skips a row", async () => {
    const start = "/v1/villes?departement=44&limit=25";
    const firstPage = await getPage(start);
    const lastSeen = firstPage.results.at(-1)!.nom;

    // One row lands on the page already read, one on a page still to come.
    await insertOnPrimary(TEST_CODES[0]!, "Aaaa lieux test");
    await insertOnPrimary(TEST_CODES[1]!, "Zzzz lieux test");
    expect("Aaaa lieux test" < lastSeen && "Zzzz lieux test" > lastSeen).toBe(true);
    await Promise.all(TEST_CODES.map(waitUntilServed));

    const rest: VillePage[] = firstPage.next ? await walkPages(firstPage.next) : [];
    const walked = [firstPage, ...rest].flatMap((page) => page.results.map(rowKey));
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked).toContain(`${TEST_CODES[1]}/commune-actuelle`);
    expect(walked).not.toContain(`${TEST_CODES[0]}/commune-actuelle`);

    const rows = (await sqlOn(replicaUrl()).query(
      "select code_insee, type from villes where departement_code = '44' and code_insee <> $1 order by nom, id",
      [TEST_CODES[0]],
    )) as Array<{ code_insee: string; type: string }>;
    expect(walked).toEqual(rows.map(rowKey));
  });
});
