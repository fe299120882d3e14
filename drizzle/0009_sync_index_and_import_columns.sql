ALTER TABLE "imports" ADD COLUMN IF NOT EXISTS "rows_staged" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN IF NOT EXISTS "failure" text;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN IF NOT EXISTS "started_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "villes_updated_at_id_idx" ON "villes" USING btree ("updated_at","id");