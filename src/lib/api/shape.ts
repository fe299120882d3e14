import { z } from "@hono/zod-openapi";

/** `json` (the default) or `geojson`: a FeatureCollection, or a Feature for one ville, of Points. */
export const FormatParam = z
  .enum(["json", "geojson"])
  .default("json")
  .openapi({
    description:
      "`geojson` answers `application/geo+json`: a FeatureCollection of Points (a Feature for a single ville) whose properties are the ville's fields; `geometry` is null for a ville without a point.",
    example: "geojson",
  });
export type Format = z.infer<typeof FormatParam>;

/**
 * `fields=a,b,c` keeps only those properties of each ville; an unknown name is a 400
 * that lists the known ones.
 */
export function fieldsParam<const Field extends string>(known: readonly Field[]) {
  return z
    .string()
    .transform((value) => value.split(",").map((name) => name.trim()).filter((name) => name !== ""))
    .superRefine((names, context) => {
      const unknown = names.filter((name) => !(known as readonly string[]).includes(name));
      if (names.length === 0) context.addIssue({ code: "custom", message: "must name at least one field" });
      if (unknown.length > 0) context.addIssue({ code: "custom", message: `unknown field(s) ${unknown.join(", ")}; known: ${known.join(", ")}` });
    })
    .transform((names) => [...new Set(names)] as Field[])
    .optional()
    .openapi({ description: `Comma-separated properties to return, among: ${known.join(", ")}. Default: all.`, example: "code_insee,nom,latitude,longitude" });
}

type Properties = Record<string, unknown>;

export function pickFields<T extends Properties>(row: T, fields: readonly string[] | undefined): Partial<T> {
  if (!fields) return row;
  return Object.fromEntries(fields.filter((name) => name in row).map((name) => [name, row[name]])) as Partial<T>;
}

export interface PointFeature {
  type: "Feature";
  geometry: { type: "Point"; coordinates: [number, number] } | null;
  properties: Properties;
}

/** GeoJSON orders a position longitude first (RFC 7946 §3.1.1). */
export function toFeature(row: Properties & { latitude: number | null; longitude: number | null }, fields?: readonly string[]): PointFeature {
  const geometry = row.latitude === null || row.longitude === null ? null : { type: "Point" as const, coordinates: [row.longitude, row.latitude] as [number, number] };
  return { type: "Feature", geometry, properties: pickFields(row, fields) };
}

/** A FeatureCollection; `members` are RFC 7946 foreign members (the query, paging links). */
export function toFeatureCollection(rows: ReadonlyArray<Properties & { latitude: number | null; longitude: number | null }>, fields: readonly string[] | undefined, members: Properties = {}) {
  return { type: "FeatureCollection" as const, ...members, features: rows.map((row) => toFeature(row, fields)) };
}

export const GEOJSON_CONTENT_TYPE = "application/geo+json";

const PointSchema = z.object({ type: z.literal("Point"), coordinates: z.array(z.number()).length(2).openapi({ description: "[longitude, latitude], WGS 84.", example: [-1.55336, 47.21725] }) });

/** OpenAPI shapes of a Feature and a FeatureCollection whose properties follow `properties`. */
export function geoJsonSchemas(name: string, properties: z.ZodTypeAny) {
  const feature = z
    .object({ type: z.literal("Feature"), geometry: PointSchema.nullable().openapi({ description: "null when the ville has no point." }), properties })
    .openapi(`${name}Feature`);
  const collection = z
    .object({ type: z.literal("FeatureCollection"), features: z.array(feature) })
    .passthrough()
    .openapi(`${name}FeatureCollection`, { description: "GeoJSON (RFC 7946). Foreign members carry what the JSON shape has beside its results (query, match, next, previous)." });
  return { feature, collection };
}
