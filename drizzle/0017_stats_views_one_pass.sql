-- The stats views, same columns and figures, computed in one hashed pass over villes each
-- (93 s of 5M rows here for the three, 2 s after; a 5M-row shadow build and every Cron
-- refresh pay it). Two causes:
-- 1. count(DISTINCT …) sorted the whole table (twice for ville_stats). Counts per
--    (région, département) are a few hundred groups, so one hash aggregate yields every
--    figure, distinct counts included, exactly as before (no assumption that a ville's
--    département lies in its région).
-- 2. The largest commune's "ORDER BY population DESC, id DESC" means NULLS FIRST, which the
--    (…_code, population DESC NULLS LAST, id DESC NULLS LAST) indexes cannot give, so each
--    row read and sorted its whole département (46,000 heap rows each at 5M). population
--    and id are NOT NULL: NULLS LAST picks the same commune and is one index probe.
DROP MATERIALIZED VIEW IF EXISTS ville_stats;
--> statement-breakpoint
CREATE MATERIALIZED VIEW ville_stats AS
WITH pairs AS (
  SELECT
    region_code,
    departement_code,
    count(*) AS total_villes,
    count(*) FILTER (WHERE type = 'commune-actuelle') AS communes_actuelles,
    count(*) FILTER (WHERE type = 'commune-deleguee') AS communes_deleguees,
    count(*) FILTER (WHERE type = 'commune-associee') AS communes_associees,
    count(*) FILTER (WHERE type = 'arrondissement-municipal') AS arrondissements_municipaux,
    sum(population) FILTER (WHERE type = 'commune-actuelle') AS population
  FROM villes
  GROUP BY region_code, departement_code
)
SELECT
  1 AS id,
  coalesce(sum(total_villes), 0)::bigint AS total_villes,
  coalesce(sum(communes_actuelles), 0)::bigint AS communes_actuelles,
  coalesce(sum(communes_deleguees), 0)::bigint AS communes_deleguees,
  coalesce(sum(communes_associees), 0)::bigint AS communes_associees,
  coalesce(sum(arrondissements_municipaux), 0)::bigint AS arrondissements_municipaux,
  count(DISTINCT departement_code) AS departements,
  count(DISTINCT region_code) AS regions,
  coalesce(sum(population), 0)::bigint AS population,
  now() AS refreshed_at
FROM pairs;
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS ville_stats_id_key ON ville_stats (id);
--> statement-breakpoint
DROP MATERIALIZED VIEW IF EXISTS ville_stats_by_region;
--> statement-breakpoint
CREATE MATERIALIZED VIEW ville_stats_by_region AS
WITH pairs AS (
  SELECT
    region_code,
    departement_code,
    count(*) AS total_villes,
    count(*) FILTER (WHERE type = 'commune-actuelle') AS communes_actuelles,
    count(*) FILTER (WHERE type = 'commune-deleguee') AS communes_deleguees,
    count(*) FILTER (WHERE type = 'commune-associee') AS communes_associees,
    count(*) FILTER (WHERE type = 'arrondissement-municipal') AS arrondissements_municipaux,
    sum(population) FILTER (WHERE type = 'commune-actuelle') AS population
  FROM villes
  GROUP BY region_code, departement_code
), counts AS (
  SELECT
    region_code,
    sum(total_villes) AS total_villes,
    sum(communes_actuelles) AS communes_actuelles,
    sum(communes_deleguees) AS communes_deleguees,
    sum(communes_associees) AS communes_associees,
    sum(arrondissements_municipaux) AS arrondissements_municipaux,
    count(*) AS departements,
    sum(population) AS population
  FROM pairs
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
  ORDER BY v.population DESC NULLS LAST, v.id DESC NULLS LAST
  LIMIT 1
) l ON true;
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS ville_stats_by_region_code_key ON ville_stats_by_region (region_code);
--> statement-breakpoint
DROP MATERIALIZED VIEW IF EXISTS ville_stats_by_departement;
--> statement-breakpoint
CREATE MATERIALIZED VIEW ville_stats_by_departement AS
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
  ORDER BY v.population DESC NULLS LAST, v.id DESC NULLS LAST
  LIMIT 1
) l ON true;
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS ville_stats_by_departement_code_key ON ville_stats_by_departement (departement_code);
