import { and, eq, gte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { HttpDb } from "../client.ts";
import { departements, regions, villes, type VilleType } from "../schema.ts";
import { villeFields, type VilleRow } from "./ville-rows.ts";

export const LISTING_ORDERS = ["nom", "-population", "-created_at"] as const;
export type ListingOrder = (typeof LISTING_ORDERS)[number];

export interface ListingFilters {
  departement?: string;
  region?: string;
  type?: VilleType;
  populationMin?: number;
}

/** A row's position in an order: its sort value, then its id as the tie-breaker. */
export type KeysetKey = [string | number, number];

export interface ListingPageRequest {
  order: ListingOrder;
  filters: ListingFilters;
  limit: number;
  /** Absent for the first page; otherwise rows strictly after (next) or before (previous) `key`. */
  from?: { direction: "next" | "previous"; key: KeysetKey };
}

export type ListingRow = VilleRow & { createdAtKey: string };

const id = z.number().int().positive();
/** The created_at key keeps microseconds: a Date would round them away and skip rows. */
const createdAtKeySql = sql<string>`to_char(${villes.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Each order and its index. Every index breaks ties on id in its key's direction, so the
 * keyset predicate is a single row comparison the index answers as a range.
 */
const ORDER_SPECS = {
  nom: {
    column: villes.nom,
    descending: false,
    keyValue: (value: string | number): SQL => sql`${value}`,
    keySchema: z.tuple([z.string().max(200), id]),
    keyOf: (row: ListingRow): KeysetKey => [row.nom, row.id],
  },
  "-population": {
    column: villes.population,
    descending: true,
    keyValue: (value: string | number): SQL => sql`${value}`,
    keySchema: z.tuple([z.number().int().min(0), id]),
    keyOf: (row: ListingRow): KeysetKey => [row.population, row.id],
  },
  "-created_at": {
    column: villes.createdAt,
    descending: true,
    keyValue: (value: string | number): SQL => sql`${value}::timestamptz`,
    keySchema: z.tuple([z.iso.datetime({ precision: 6 }), id]),
    keyOf: (row: ListingRow): KeysetKey => [row.createdAtKey, row.id],
  },
} as const;

export function keySchemaFor(order: ListingOrder): z.ZodType<KeysetKey> {
  return ORDER_SPECS[order].keySchema;
}

export function keyOf(order: ListingOrder, row: ListingRow): KeysetKey {
  return ORDER_SPECS[order].keyOf(row);
}

function filterConditions(filters: ListingFilters): SQL[] {
  const conditions: SQL[] = [];
  if (filters.departement !== undefined) conditions.push(eq(villes.departementCode, filters.departement));
  if (filters.region !== undefined) conditions.push(eq(villes.regionCode, filters.region));
  if (filters.type !== undefined) conditions.push(eq(villes.type, filters.type));
  if (filters.populationMin !== undefined) conditions.push(gte(villes.population, filters.populationMin));
  return conditions;
}

const { departementNom: _departementNom, regionNom: _regionNom, ...villeColumns } = villeFields;

/**
 * The page's SQL, limit + 1 rows so the caller knows whether more follow. A previous page
 * scans backwards from its key, so its rows come out reversed. Exported for the EXPLAIN tests.
 *
 * The keyset scan and its LIMIT run on villes alone, and only the page's rows are joined:
 * the row comparison's selectivity is estimated from its first column, so when many rows
 * share one created_at or population the planner expects a handful of rows and, given the
 * joins, would rather sort the whole remaining range than walk the index in order.
 */
export function buildListingQuery(db: HttpDb, request: ListingPageRequest) {
  const spec = ORDER_SPECS[request.order];
  const backwards = request.from?.direction === "previous";
  const descending = spec.descending !== backwards;
  const direction = descending ? sql`desc` : sql`asc`;
  // NULLS placement must match the index exactly (DESC defaults to NULLS FIRST), or the planner sorts instead.
  const nulls = backwards ? sql`nulls first` : sql`nulls last`;
  const orderTerms = (sortColumn: unknown, idColumn: unknown) => [
    sql`${sortColumn} ${direction} ${nulls}`,
    sql`${idColumn} ${direction} ${nulls}`,
  ];

  const conditions = filterConditions(request.filters);
  if (request.from) {
    const [value, rowId] = request.from.key;
    const comparison = descending ? sql`<` : sql`>`;
    conditions.push(sql`(${spec.column}, ${villes.id}) ${comparison} (${spec.keyValue(value)}, ${rowId})`);
  }

  const page = db
    .select({ ...villeColumns, createdAtKey: createdAtKeySql.as("created_at_key") })
    .from(villes)
    .where(and(...conditions))
    .orderBy(...orderTerms(spec.column, villes.id))
    .limit(request.limit + 1)
    .as("page");

  const pageSortColumn = { nom: page.nom, "-population": page.population, "-created_at": page.createdAt }[request.order];
  return db
    .select({
      ...pickPageColumns(page),
      departementNom: departements.nom,
      regionNom: regions.nom,
      createdAtKey: page.createdAtKey,
    })
    .from(page)
    .innerJoin(departements, eq(departements.code, page.departementCode))
    .innerJoin(regions, eq(regions.code, page.regionCode))
    .orderBy(...orderTerms(pageSortColumn, page.id));
}

function pickPageColumns<Page extends Record<keyof typeof villeColumns, unknown>>(page: Page) {
  const picked = {} as { [Name in keyof typeof villeColumns]: Page[Name] };
  for (const name of Object.keys(villeColumns) as Array<keyof typeof villeColumns>) picked[name] = page[name];
  return picked;
}

export interface ListingPage {
  /** In the order's direction, whichever way the page was read. */
  rows: ListingRow[];
  /** Whether rows exist beyond this page in the direction it was read. */
  hasMore: boolean;
}

export async function listVilles(db: HttpDb, request: ListingPageRequest): Promise<ListingPage> {
  const fetched = (await buildListingQuery(db, request)) as ListingRow[];
  const hasMore = fetched.length > request.limit;
  const rows = fetched.slice(0, request.limit);
  if (request.from?.direction === "previous") rows.reverse();
  return { rows, hasMore };
}
