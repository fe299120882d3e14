-- Issue 18: every point states how good it is. Points already present came from imports,
-- which give a commune's own point; the seed writes "parent" and "departement" itself.
ALTER TABLE "villes" ADD COLUMN IF NOT EXISTS "coordinates_precision" text;--> statement-breakpoint
UPDATE "villes" SET "coordinates_precision" = 'commune' WHERE "latitude" IS NOT NULL AND "longitude" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "villes" ADD CONSTRAINT "villes_coordinates_precision_check" CHECK ("villes"."coordinates_precision" in ('commune','parent','departement') and "villes"."latitude" is not null and "villes"."longitude" is not null or "villes"."coordinates_precision" is null and ("villes"."latitude" is null or "villes"."longitude" is null));--> statement-breakpoint
-- Nearest centre (GET /v1/villes/nearest, DESIGN.md §13): earthdistance's ll_to_earth puts each point on a
-- sphere as a 3-D cube, and cube's GiST opclass orders by <-> (straight-line distance, which
-- ranks exactly like the great-circle one) straight from the index: a KNN scan that reads about
-- `limit` entries at any table size: the index holds only what the route answers (communes
-- actuelles with their own point; an approximate point is no centre), so no entry is skipped.
-- earthdistance 1.2 (PostgreSQL 18) qualifies cube's schema inside ll_to_earth, so the index
-- expression does not depend on search_path.
CREATE EXTENSION IF NOT EXISTS cube;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS earthdistance;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "villes_earth_idx" ON "villes" USING gist (ll_to_earth("latitude", "longitude")) WHERE "coordinates_precision" = 'commune' AND "type" = 'commune-actuelle';
