import { z } from "zod";

/**
 * Bindings and vars, parsed once per request at the entry. A missing or malformed
 * binding answers one clear 503 naming the variable instead of crashing deep in a driver.
 */
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== "" ? value.trim() : undefined));

const commaSeparatedList = optionalString.transform((value) =>
  value ? value.split(",").map((item) => item.trim()).filter(Boolean) : [],
);

/**
 * The Neon driver throws at its first query on a URL without a user or host, which would
 * reach callers as a 500: the shape it needs is checked here instead, with the variable named.
 */
const isNeonConnectionString = (value: string) => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.username !== "" && url.hostname !== "";
};
const NEON_URL_SHAPE = "must be postgres://user:password@host/dbname";

export const EnvSchema = z.object({
  DATABASE_URL: z.string({ error: "DATABASE_URL is required" }).refine(isNeonConnectionString, `DATABASE_URL ${NEON_URL_SHAPE}`),
  DATABASE_REPLICA_URLS: commaSeparatedList.refine((urls) => urls.every(isNeonConnectionString), `each of DATABASE_REPLICA_URLS ${NEON_URL_SHAPE}`),
  /** host:port of scripts/neon-proxy.ts; set only by the local stack, never in production. */
  NEON_LOCAL_PROXY: optionalString,
  UPSTASH_REDIS_REST_URL: optionalString.pipe(z.string().url().optional()),
  UPSTASH_REDIS_REST_TOKEN: optionalString,
  /** Per-call budget for Redis, so an outage costs milliseconds, not seconds. */
  REDIS_TIMEOUT_MS: z.coerce.number().int().min(1).max(5000).default(50),
  MEILISEARCH_HOST: optionalString.pipe(z.string().url().optional()),
  MEILISEARCH_API_KEY: optionalString,
  ADMIN_TOKEN: commaSeparatedList,
  CURSOR_SECRET: optionalString,
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  ADMIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /** "off" skips the Cache API tier: the bench uses it to measure L2 hits alone. */
  CACHE_L1: z.enum(["on", "off"]).default("on"),
  /** "off" skips the in-isolate memory tier: the bench uses it to measure L1 hits alone. */
  CACHE_L0: z.enum(["on", "off"]).default("on"),
  /**
   * The Worker's public origin (https://api.example.com), the host of Cache API keys. Unset,
   * requests use their own origin and cron warm-ups fill L2 only.
   */
  PUBLIC_ORIGIN: optionalString.pipe(z.string().url().optional()).transform((value) => value?.replace(/\/+$/, "")),
});

export type AppConfig = z.infer<typeof EnvSchema>;

/** What the Worker receives from wrangler: strings (vars and secrets) and bindings. */
export type WorkerEnv = Record<string, unknown>;

const configByEnv = new WeakMap<object, AppConfig>();

export type ConfigResult = { ok: true; config: AppConfig } | { ok: false; problems: string[] };

/** Parses and memoises per env object: the isolate reuses one env object across requests. */
export function readConfig(env: WorkerEnv): ConfigResult {
  const cached = configByEnv.get(env);
  if (cached) return { ok: true, config: cached };
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) };
  }
  if (parsed.data.UPSTASH_REDIS_REST_URL && !parsed.data.UPSTASH_REDIS_REST_TOKEN) {
    return { ok: false, problems: ["UPSTASH_REDIS_REST_TOKEN: required when UPSTASH_REDIS_REST_URL is set"] };
  }
  configByEnv.set(env, parsed.data);
  return { ok: true, config: parsed.data };
}
