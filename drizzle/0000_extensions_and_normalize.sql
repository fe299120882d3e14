-- Extensions and the SQL twin of src/lib/normalize.ts. The two must agree byte for
-- byte (test/normalize.test.ts checks every seeded name), so each step mirrors one
-- line of the TypeScript: NFD, strip combining marks, ligatures, separators to one
-- space, trim, ASCII lower-case, st/ste expanded, elided articles glued.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lieux_normalize(input text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN regexp_replace(
  regexp_replace(
    regexp_replace(
      lower(btrim(regexp_replace(
        replace(replace(replace(replace(replace(
          regexp_replace(normalize(input, NFD), '[\u0300-\u036f]', '', 'g'),
          'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE'), 'ß', 'ss'),
        '[^A-Za-z0-9]+', ' ', 'g'), ' ')),
      '(?<![a-z0-9])st(?![a-z0-9])', 'saint', 'g'),
    '(?<![a-z0-9])ste(?![a-z0-9])', 'sainte', 'g'),
  '(?<![a-z0-9])([ld]) (?=[a-z])', '\1', 'g');
--> statement-breakpoint
CREATE OR REPLACE FUNCTION lieux_slug(nom text, code_insee text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN replace(lieux_normalize(nom), ' ', '-') || '-' || lower(code_insee);
