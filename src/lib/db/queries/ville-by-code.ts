import { and, eq, inArray, sql } from "drizzle-orm";
import type { HttpDb } from "../client.ts";
import { villes, type VilleType } from "../schema.ts";
import { selectVilles, type VilleRow } from "./ville-rows.ts";

/**
 * Which row a bare INSEE code means when several types share it: the commune actuelle
 * (a commune nouvelle shares its code with a commune déléguée), then an arrondissement,
 * then the déléguée or associée that alone holds its own code.
 */
const TYPE_PRECEDENCE: VilleType[] = ["commune-actuelle", "arrondissement-municipal", "commune-deleguee", "commune-associee"];

export async function findVilleByCode(db: HttpDb, codeInsee: string, type?: VilleType): Promise<VilleRow | null> {
  const types = type ? [type] : TYPE_PRECEDENCE;
  const rows = await selectVilles(db)
    .where(and(eq(villes.codeInsee, codeInsee), inArray(villes.type, types)))
    .orderBy(sql`array_position(${sql.param(TYPE_PRECEDENCE)}::text[], ${villes.type})`)
    .limit(1);
  return (rows[0] as VilleRow | undefined) ?? null;
}
