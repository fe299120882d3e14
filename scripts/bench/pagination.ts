import type pg from "pg";
import { buildListingQuery, type ListingPageRequest } from "../../src/lib/db/queries/listing.ts";
import type { HttpDb } from "../../src/lib/db/client.ts";
import { measure, speedup, type Percentiles } from "./measure.ts";
import { sqlOf } from "./sql-of.ts";
import { drizzle } from "drizzle-orm/neon-http";
import * as schema from "../../src/lib/db/schema.ts";

const PAGE_SIZE = 50;
const PAGES = [1, 100, 1_000, 10_000, 100_000];

/** Renders the listing route's own query; the driver is never called. */
const renderDb = drizzle.mock({ schema }) as unknown as HttpDb;

export interface PaginationFigures {
  pageSize: number;
  byPage: Array<{ page: number; offset: Percentiles; keyset: Percentiles }>;
  page10k: { offset: Percentiles; keyset: Percentiles; speedup: number } | null;
}

/**
 * Page N of `/v1/villes?order=nom`, two ways: the listing route's keyset query from the
 * previous page's last row, against the same page by OFFSET. Pages past the table's end
 * are skipped.
 */
export async function benchPagination(client: pg.Client, rows: number, iterations: number): Promise<PaginationFigures> {
  const byPage: PaginationFigures["byPage"] = [];
  for (const page of PAGES) {
    const offset = (page - 1) * PAGE_SIZE;
    if (offset + PAGE_SIZE > rows) continue;
    const request: ListingPageRequest = { order: "nom", filters: {}, limit: PAGE_SIZE };
    if (page > 1) {
      const { rows: [previousLast] } = await client.query("select nom, id::float8 as id from villes order by nom, id offset $1 limit 1", [offset - 1]);
      request.from = { direction: "next", key: [previousLast.nom, previousLast.id] };
    }
    const keysetQuery = sqlOf(buildListingQuery(renderDb, request));
    const offsetQuery = {
      text: `select v.*, d.nom as departement_nom, r.nom as region_nom from villes v
             join departements d on d.code = v.departement_code join regions r on r.code = v.region_code
             order by v.nom, v.id offset $1 limit $2`,
      values: [offset, PAGE_SIZE],
    };
    const keyset = await measure(() => client.query(keysetQuery), { iterations });
    const offsetFigures = await measure(() => client.query(offsetQuery), { iterations: Math.max(3, Math.floor(iterations / 4)) });
    byPage.push({ page, offset: offsetFigures, keyset });
  }
  const tenK = byPage.find((entry) => entry.page === 10_000);
  return {
    pageSize: PAGE_SIZE,
    byPage,
    page10k: tenK ? { offset: tenK.offset, keyset: tenK.keyset, speedup: speedup(tenK.offset, tenK.keyset) } : null,
  };
}
