import { afterAll, describe, expect, it } from "vitest";
import { freshCaches, VILLE_NAMESPACES } from "./helpers/cache.ts";
import { deleteTestVilles } from "./helpers/cron.ts";
import { getPage, rowKey, walkPages, type VillePage } from "./helpers/pages.ts";
import { primaryUrl, replicaUrl, sqlOn, untilReplicaHolds } from "./helpers/sql.ts";

// Not real INSEE codes: 990xx does not exist, so cleanup can never touch real rows.
const TEST_CODES = ["99001", "99002"];

async function insertOnPrimary(codeInsee: string, nom: string): Promise<void> {
  await sqlOn(primaryUrl())`insert into villes (code_insee, type, nom, departement_code, region_code, population)
    values (${codeInsee}, 'commune-actuelle', ${nom}, '44', '52', 1)`;
}

afterAll(() => deleteTestVilles(TEST_CODES));

describe("GET /v1/villes while rows are inserted between pages", () => {
  it("never repeats nor skips a row", async () => {
    const start = "/v1/villes?departement=44&limit=25";
    const firstPage = await getPage(start);
    expect(firstPage.results).toHaveLength(25);
    expect(firstPage.next).toEqual(expect.any(String));

    // One row sorts onto the page already read, one onto a page still to come.
    await insertOnPrimary(TEST_CODES[0]!, "Aaaa lieux test");
    await insertOnPrimary(TEST_CODES[1]!, "Zzzz lieux test");
    // Replication lag is real: wait on the replica, where the API reads, then forget cached pages.
    await untilReplicaHolds(TEST_CODES);
    await freshCaches(VILLE_NAMESPACES);

    const rest: VillePage[] = await walkPages(firstPage.next!);
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
