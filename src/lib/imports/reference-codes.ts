import type { HttpDb } from "../db/client.ts";
import { departements, regions } from "../db/schema.ts";

/** The codes an imported row may use, with each département's région to check the pair. */
export interface ReferenceCodes {
  regionOfDepartement: ReadonlyMap<string, string>;
  regions: ReadonlySet<string>;
}

/** Read once per chunk request, from the primary: a région added just before an import must count. */
export async function loadReferenceCodes(db: HttpDb): Promise<ReferenceCodes> {
  const [departementRows, regionRows] = await db.batch([
    db.select({ code: departements.code, regionCode: departements.regionCode }).from(departements),
    db.select({ code: regions.code }).from(regions),
  ]);
  return {
    regionOfDepartement: new Map(departementRows.map((row) => [row.code, row.regionCode])),
    regions: new Set(regionRows.map((row) => row.code)),
  };
}
