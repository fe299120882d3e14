CREATE TABLE "departements" (
	"code" text PRIMARY KEY NOT NULL,
	"nom" text NOT NULL,
	"region_code" text NOT NULL,
	"zone" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"idempotency_key" text,
	"format" text NOT NULL,
	"mode" text DEFAULT 'lenient' NOT NULL,
	"source" text,
	"status" text DEFAULT 'open' NOT NULL,
	"rows_received" integer DEFAULT 0 NOT NULL,
	"rows_upserted" integer DEFAULT 0 NOT NULL,
	"rows_rejected" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"timings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"committed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "regions" (
	"code" text PRIMARY KEY NOT NULL,
	"nom" text NOT NULL,
	"zone" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "villes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "villes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"code_insee" text NOT NULL,
	"type" text NOT NULL,
	"parent_code" text,
	"nom" text NOT NULL,
	"nom_normalise" text GENERATED ALWAYS AS (lieux_normalize(nom)) STORED NOT NULL,
	"slug" text GENERATED ALWAYS AS (lieux_slug(nom, code_insee)) STORED NOT NULL,
	"codes_postaux" text[] DEFAULT '{}'::text[] NOT NULL,
	"code_postal_principal" text,
	"departement_code" text NOT NULL,
	"region_code" text NOT NULL,
	"population" integer DEFAULT 0 NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "villes_type_check" CHECK ("villes"."type" in ('commune-actuelle','commune-deleguee','commune-associee','arrondissement-municipal')),
	CONSTRAINT "villes_population_check" CHECK ("villes"."population" >= 0)
);
--> statement-breakpoint
ALTER TABLE "departements" ADD CONSTRAINT "departements_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "villes" ADD CONSTRAINT "villes_departement_code_departements_code_fk" FOREIGN KEY ("departement_code") REFERENCES "public"."departements"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "villes" ADD CONSTRAINT "villes_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "departements_region_code_idx" ON "departements" USING btree ("region_code");--> statement-breakpoint
CREATE UNIQUE INDEX "imports_idempotency_key_key" ON "imports" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "imports_created_at_id_idx" ON "imports" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "villes_code_insee_type_key" ON "villes" USING btree ("code_insee","type");--> statement-breakpoint
CREATE INDEX "villes_nom_id_idx" ON "villes" USING btree ("nom","id");--> statement-breakpoint
CREATE INDEX "villes_population_id_idx" ON "villes" USING btree ("population" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "villes_departement_nom_id_idx" ON "villes" USING btree ("departement_code","nom","id");--> statement-breakpoint
CREATE INDEX "villes_nom_normalise_prefix_idx" ON "villes" USING btree ("nom_normalise" text_pattern_ops);