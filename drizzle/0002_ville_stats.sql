-- Global figures, read by GET /v1/stats instead of live COUNT(*) (DESIGN.md §5).
-- Population sums communes actuelles only: déléguées, associées and arrondissements
-- are parts of a commune actuelle and would count their inhabitants twice.
CREATE MATERIALIZED VIEW IF NOT EXISTS ville_stats AS
SELECT
  1 AS id,
  count(*) AS total_villes,
  count(*) FILTER (WHERE type = 'commune-actuelle') AS communes_actuelles,
  count(*) FILTER (WHERE type = 'commune-deleguee') AS communes_deleguees,
  count(*) FILTER (WHERE type = 'commune-associee') AS communes_associees,
  count(*) FILTER (WHERE type = 'arrondissement-municipal') AS arrondissements_municipaux,
  count(DISTINCT departement_code) AS departements,
  count(DISTINCT region_code) AS regions,
  coalesce(sum(population) FILTER (WHERE type = 'commune-actuelle'), 0)::bigint AS population,
  now() AS refreshed_at
FROM villes;
--> statement-breakpoint
-- REFRESH MATERIALIZED VIEW CONCURRENTLY needs a unique index.
CREATE UNIQUE INDEX IF NOT EXISTS ville_stats_id_key ON ville_stats (id);
