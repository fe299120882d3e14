-- Chunked admin imports (DESIGN.md §9). Custom SQL: drizzle-kit does not manage these
-- objects; their Drizzle declarations live in src/lib/db/import-tables.ts.
ALTER TABLE imports ADD COLUMN IF NOT EXISTS started_at timestamptz;
--> statement-breakpoint
ALTER TABLE imports ADD COLUMN IF NOT EXISTS rows_staged integer NOT NULL DEFAULT 0;
--> statement-breakpoint
ALTER TABLE imports ADD COLUMN IF NOT EXISTS failure text;
--> statement-breakpoint
-- One row per chunk number. A re-sent chunk replaces its row (new attempt), and the job's
-- counters are recomputed from these rows, so a retry never counts twice.
CREATE TABLE IF NOT EXISTS import_chunks (
  job_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  n integer NOT NULL,
  attempt uuid NOT NULL,
  status text NOT NULL DEFAULT 'receiving' CHECK (status IN ('receiving', 'done', 'failed')),
  rows_received integer NOT NULL DEFAULT 0,
  rows_upserted integer NOT NULL DEFAULT 0,
  rows_staged integer NOT NULL DEFAULT 0,
  rows_rejected integer NOT NULL DEFAULT 0,
  batches integer NOT NULL DEFAULT 0,
  -- Last line of the last batch written: where an interrupted upload stopped.
  last_line integer NOT NULL DEFAULT 0,
  bytes bigint,
  sha256 text,
  errors jsonb NOT NULL DEFAULT '[]'::jsonb,
  timings jsonb NOT NULL DEFAULT '{}'::jsonb,
  failure text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (job_id, n)
);
--> statement-breakpoint
-- Strict jobs park their valid rows here until commit merges them all in one transaction.
-- `attempt` ties a row to the chunk upload that wrote it, so rows of a superseded upload
-- of the same chunk (still running when the retry arrived) are never merged.
CREATE TABLE IF NOT EXISTS import_staging (
  job_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  chunk_n integer NOT NULL,
  attempt uuid NOT NULL,
  line integer NOT NULL,
  code_insee text NOT NULL,
  type text NOT NULL,
  parent_code text,
  nom text NOT NULL,
  -- '|'-joined, the shape UPSERT_VILLES_SQL takes.
  codes_postaux text NOT NULL,
  code_postal_principal text,
  departement_code text NOT NULL,
  region_code text NOT NULL,
  population integer NOT NULL,
  latitude double precision,
  longitude double precision,
  PRIMARY KEY (job_id, chunk_n, attempt, line)
);
--> statement-breakpoint
-- Runs the caller's upsert statement (UPSERT_VILLES_SQL, passed in so there is one upsert)
-- over a job's staged rows in batches, inside the caller's transaction. A key repeated in
-- the file is applied once, from its last occurrence: ON CONFLICT cannot touch a row twice
-- in one statement.
CREATE OR REPLACE FUNCTION lieux_merge_import_staging(job uuid, upsert_sql text, batch_size integer)
  RETURNS bigint
  LANGUAGE plpgsql
AS $$
DECLARE
  batch record;
  merged bigint := 0;
BEGIN
  FOR batch IN
    SELECT array_agg(code_insee) AS code_insee, array_agg(type) AS type, array_agg(parent_code) AS parent_code,
           array_agg(nom) AS nom, array_agg(codes_postaux) AS codes_postaux,
           array_agg(code_postal_principal) AS code_postal_principal, array_agg(departement_code) AS departement_code,
           array_agg(region_code) AS region_code, array_agg(population) AS population,
           array_agg(latitude) AS latitude, array_agg(longitude) AS longitude
    FROM (
      SELECT latest.*, (row_number() OVER (ORDER BY latest.code_insee, latest.type) - 1) / batch_size AS batch_no
      FROM (
        SELECT DISTINCT ON (s.code_insee, s.type) s.*
        FROM import_staging s
        JOIN import_chunks c ON c.job_id = s.job_id AND c.n = s.chunk_n AND c.attempt = s.attempt
        WHERE s.job_id = job
        ORDER BY s.code_insee, s.type, s.chunk_n DESC, s.line DESC
      ) latest
    ) numbered
    GROUP BY batch_no
    ORDER BY batch_no
  LOOP
    EXECUTE upsert_sql USING batch.code_insee, batch.type, batch.parent_code, batch.nom, batch.codes_postaux,
      batch.code_postal_principal, batch.departement_code, batch.region_code, batch.population, batch.latitude, batch.longitude;
    merged := merged + cardinality(batch.code_insee);
  END LOOP;
  RETURN merged;
END
$$;
