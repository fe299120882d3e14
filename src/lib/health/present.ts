import { z } from "@hono/zod-openapi";
import { publicJobHealth } from "../../cron/job-health.ts";
import type { CircuitState } from "../search/circuit-breaker.ts";
import type { DetailedCheck, HealthReport } from "./collect.ts";

const CIRCUIT = z
  .enum(["closed", "open", "half_open"])
  .optional()
  .openapi({ description: "Meilisearch only: this isolate's circuit breaker, read when the response is sent. `open`: autocomplete is answered by Postgres." });
const TIMESTAMP = z.string().datetime({ offset: true });
const NULLABLE_TIMESTAMP = TIMESTAMP.nullable();
const STATUS = z.enum(["ok", "degraded", "down"]).openapi({
  description: "`down` when the primary is down (503); `degraded` when another dependency is down or a job is stale; `ok` otherwise.",
});
const CHECKED_AT = TIMESTAMP.openapi({ description: "When these checks ran; responses within the memo window repeat it." });

const CheckSchema = z
  .object({
    status: z.enum(["up", "down", "not_configured"]),
    latencyMs: z.number().optional().openapi({ description: "Absent when not configured. When down, the time until the failure or the deadline." }),
    circuit: CIRCUIT,
  })
  .strict()
  .openapi("DependencyCheck");

const JobSchema = z
  .object({
    last_started_at: NULLABLE_TIMESTAMP,
    last_success_at: NULLABLE_TIMESTAMP,
    last_failure_at: NULLABLE_TIMESTAMP,
    last_duration_ms: z.number().int().nullable(),
    last_outcome: z.enum(["success", "failure", "skipped"]).nullable(),
    never_run: z.boolean().openapi({ description: "No run recorded yet (fresh stack): reported, not degrading." }),
    failing: z.boolean().openapi({ description: "The last run failed." }),
    stale: z.boolean().openapi({ description: "No success for twice the job's interval: the status is `degraded`." }),
  })
  .strict()
  .openapi("CronJobHealth");

const checksOf = <T extends z.ZodTypeAny>(check: T) => z.object({ primary: check, replica: check, redis: check, meilisearch: check }).strict();

export const HealthSchema = z
  .object({
    status: STATUS,
    checked_at: CHECKED_AT,
    checks: checksOf(CheckSchema),
    jobs: z
      .record(z.string(), JobSchema)
      .optional()
      .openapi({ description: "Each Cron Trigger job's last runs, from `cron_runs` on the primary; absent when the primary cannot be read." }),
  })
  .strict()
  .openapi("Health");

const AdminCheckSchema = z
  .object({
    status: z.enum(["up", "down", "not_configured"]),
    latencyMs: z.number().optional(),
    error: z.enum(["timeout", "unreachable"]).optional(),
    detail: z.string().optional().openapi({ description: "The dependency's own error message (URL credentials removed)." }),
    circuit: CIRCUIT,
  })
  .strict()
  .openapi("AdminDependencyCheck");

const ReplicaCheckSchema = AdminCheckSchema.extend({
  replica: z.number().int().openapi({ description: "Position in DATABASE_REPLICA_URLS, from 0." }),
  host: z.string().openapi({ description: "host:port of that replica." }),
})
  .strict()
  .openapi("AdminReplicaCheck");

const AdminJobSchema = z
  .object({
    schedule: z.string().openapi({ example: "2,17,32,47 * * * *" }),
    last_started_at: NULLABLE_TIMESTAMP,
    last_success_at: NULLABLE_TIMESTAMP,
    last_failure_at: NULLABLE_TIMESTAMP,
    last_duration_ms: z.number().int().nullable(),
    last_error: z.string().nullable().openapi({ description: "The error of the last failure, kept after later successes." }),
    last_outcome: z.string().nullable().openapi({ example: "success", description: "`success`, `failure` or `skipped: <why>`." }),
    runs: z.number().int(),
    never_run: z.boolean(),
    failing: z.boolean(),
    stale: z.boolean(),
  })
  .strict()
  .openapi("AdminCronJobHealth");

export const AdminHealthSchema = z
  .object({
    status: STATUS,
    checked_at: CHECKED_AT,
    checks: checksOf(AdminCheckSchema),
    replicas: z.array(ReplicaCheckSchema).openapi({ description: "One check per configured replica; `checks.replica` is the worst of them." }),
    jobs: z.record(z.string(), AdminJobSchema).nullable(),
    jobs_error: z.string().nullable().openapi({ description: "Why `cron_runs` could not be read, when `jobs` is null." }),
  })
  .strict()
  .openapi("AdminHealth");

export type PublicHealth = z.infer<typeof HealthSchema>;
export type AdminHealth = z.infer<typeof AdminHealthSchema>;

/** Picks the public fields one by one: status, latency and the circuit, never the error or its text. */
function publicCheck(check: DetailedCheck, circuit: CircuitState | undefined): z.infer<typeof CheckSchema> {
  return {
    status: check.status,
    ...(check.latencyMs !== undefined ? { latencyMs: check.latencyMs } : {}),
    ...(circuit !== undefined && check.status !== "not_configured" ? { circuit } : {}),
  };
}

/**
 * The public body: no error text, no host, no URL. `circuit` is Meilisearch's breaker
 * now (in-memory state, no I/O), so it stays current while the checks are memoised.
 */
export function presentPublic(report: HealthReport, circuit: CircuitState | undefined): PublicHealth {
  const { primary, replica, redis, meilisearch } = report.checks;
  return {
    status: report.status,
    checked_at: report.checked_at,
    checks: {
      primary: publicCheck(primary, undefined),
      replica: publicCheck(replica, undefined),
      redis: publicCheck(redis, undefined),
      meilisearch: publicCheck(meilisearch, circuit),
    },
    ...(report.jobs ? { jobs: Object.fromEntries(Object.entries(report.jobs).map(([name, job]) => [name, publicJobHealth(job)])) } : {}),
  };
}

/** Every detail, with the circuit as it is now. */
export function presentAdmin(report: HealthReport, circuit: CircuitState | undefined): AdminHealth {
  const meilisearch = circuit !== undefined && report.checks.meilisearch.status !== "not_configured" ? { ...report.checks.meilisearch, circuit } : report.checks.meilisearch;
  return { ...report, checks: { ...report.checks, meilisearch } };
}
