-- Chunks land in one UNLOGGED staging table per job (src/lib/imports/staging.ts) and merge
-- set-based (merge-sql.ts); the shared import_staging table and its batched merge function
-- from 0005 have had no reader or writer since.
DROP FUNCTION IF EXISTS lieux_merge_import_staging(uuid, text, integer);
--> statement-breakpoint
DROP TABLE IF EXISTS import_staging;
