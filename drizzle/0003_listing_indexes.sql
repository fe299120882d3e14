DROP INDEX "villes_population_id_idx";--> statement-breakpoint
CREATE INDEX "villes_created_at_id_idx" ON "villes" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "villes_departement_population_id_idx" ON "villes" USING btree ("departement_code","population" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "villes_region_nom_id_idx" ON "villes" USING btree ("region_code","nom","id");--> statement-breakpoint
CREATE INDEX "villes_region_population_id_idx" ON "villes" USING btree ("region_code","population" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "villes_population_id_idx" ON "villes" USING btree ("population" DESC NULLS LAST,"id" DESC NULLS LAST);