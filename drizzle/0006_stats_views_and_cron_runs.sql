-- Breakdowns read by GET /v1/stats/regions and /v1/stats/departements instead of a live
-- GROUP BY over villes (DESIGN.md §5). ville_stats (0002) keeps the totals unchanged.
-- Every région and département appears, with zeros before it has communes. As in 0002,
-- population and the largest commune count communes actuelles only, so inhabitants of
-- déléguées, associées and arrondissements are not counted twice. The largest commune is
-- one probe of the (…_code, population DESC, id DESC) keyset index per row, not a sort.
CREATE MATERIALIZED VIEW IF NOT EXISTS ville_stats_by_region AS
WITH counts AS (
  SELECT
    region_code,
    count(*) AS total_villes,
    count(*) FILTER (WHERE type = 'commune-actuelle') AS communes_actuelles,
    count(*) FILTER (WHERE type = 'commune-deleguee') AS communes_deleguees,
    count(*) FILTER (WHERE type = 'commune-associee') AS communes_associees,
    count(*) FILTER (WHERE type = 'arrondissement-municipal') AS arrondissements_municipaux,
    count(DISTINCT departement_code) AS departements,
    coalesce(sum(population) FILTER (WHERE type = 'commune-actuelle'), 0)::bigint AS population
  FROM villes
  GROUP BY region_code
)
SELECT
  r.code AS region_code,
  r.nom AS region_nom,
  r.zone,
  coalesce(c.total_villes, 0)::bigint AS total_villes,
  coalesce(c.communes_actuelles, 0)::bigint AS communes_actuelles,
  coalesce(c.communes_deleguees, 0)::bigint AS communes_deleguees,
  coalesce(c.communes_associees, 0)::bigint AS communes_associees,
  coalesce(c.arrondissements_municipaux, 0)::bigint AS arrondissements_municipaux,
  coalesce(c.departements, 0)::bigint AS departements,
  coalesce(c.population, 0)::bigint AS population,
  l.code_insee AS largest_code_insee,
  l.nom AS largest_nom,
  l.population AS largest_population,
  now() AS refreshed_at
FROM regions r
LEFT JOIN counts c ON c.region_code = r.code
LEFT JOIN LATERAL (
  SELECT v.code_insee, v.nom, v.population
  FROM villes v
  WHERE v.region_code = r.code AND v.type = 'commune-actuelle'
  ORDER BY v.population DESC, v.id DESC
  LIMIT 1
) l ON true;
--> statement-breakpoint
-- REFRESH MATERIALIZED VIEW CONCURRENTLY needs a unique index.
CREATE UNIQUE INDEX IF NOT EXISTS ville_stats_by_region_code_key ON ville_stats_by_region (region_code);
--> statement-breakpoint
CREATE MATERIALIZED VIEW IF NOT EXISTS ville_stats_by_departement AS
WITH counts AS (
  SELECT
    departement_code,
    count(*) AS total_villes,
    count(*) FILTER (WHERE type = 'commune-actuelle') AS communes_actuelles,
    count(*) FILTER (WHERE type = 'commune-deleguee') AS communes_deleguees,
    count(*) FILTER (WHERE type = 'commune-associee') AS communes_associees,
    count(*) FILTER (WHERE type = 'arrondissement-municipal') AS arrondissements_municipaux,
    coalesce(sum(population) FILTER (WHERE type = 'commune-actuelle'), 0)::bigint AS population
  FROM villes
  GROUP BY departement_code
)
SELECT
  d.code AS departement_code,
  d.nom AS departement_nom,
  d.region_code,
  r.nom AS region_nom,
  d.zone,
  coalesce(c.total_villes, 0)::bigint AS total_villes,
  coalesce(c.communes_actuelles, 0)::bigint AS communes_actuelles,
  coalesce(c.communes_deleguees, 0)::bigint AS communes_deleguees,
  coalesce(c.communes_associees, 0)::bigint AS communes_associees,
  coalesce(c.arrondissements_municipaux, 0)::bigint AS arrondissements_municipaux,
  coalesce(c.population, 0)::bigint AS population,
  l.code_insee AS largest_code_insee,
  l.nom AS largest_nom,
  l.population AS largest_population,
  now() AS refreshed_at
FROM departements d
JOIN regions r ON r.code = d.region_code
LEFT JOIN counts c ON c.departement_code = d.code
LEFT JOIN LATERAL (
  SELECT v.code_insee, v.nom, v.population
  FROM villes v
  WHERE v.departement_code = d.code AND v.type = 'commune-actuelle'
  ORDER BY v.population DESC, v.id DESC
  LIMIT 1
) l ON true;
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS ville_stats_by_departement_code_key ON ville_stats_by_departement (departement_code);
--> statement-breakpoint
-- One row per Cron Trigger job, upserted on the primary by src/cron/cron-runs.ts and shown
-- by /health. last_error belongs to last_failure_at and survives later successes.
CREATE TABLE IF NOT EXISTS cron_runs (
  job text PRIMARY KEY,
  first_started_at timestamptz NOT NULL DEFAULT now(),
  last_started_at timestamptz,
  last_success_at timestamptz,
  last_failure_at timestamptz,
  last_outcome text,
  last_error text,
  last_duration_ms integer,
  last_counts jsonb,
  runs bigint NOT NULL DEFAULT 0
);
