import { sql } from "drizzle-orm";
import type { HttpDb } from "../db/client.ts";

export interface HeavyPrefixWatermark {
  /** max(villes.updated_at) now. */
  latestChange: string | null;
  /** max(villes.updated_at) when lieux_rebuild_heavy_prefixes last ran (search_state 'heavy_prefixes'). */
  watermark: string | null;
  behind: boolean;
}

/** Whether any ville changed since the heavy-prefix table was last rebuilt; read on the primary. */
export async function readHeavyPrefixWatermark(primary: HttpDb): Promise<HeavyPrefixWatermark> {
  const { rows } = await primary.execute(sql`
    select latest_change::text as "latestChange", watermark::text as "watermark",
           coalesce(latest_change > watermark, latest_change is not null) as "behind"
    from (select (select max(updated_at) from villes) as latest_change,
                 (select (value ->> 'watermark')::timestamptz from search_state where key = 'heavy_prefixes') as watermark) state`);
  return rows[0] as unknown as HeavyPrefixWatermark;
}
