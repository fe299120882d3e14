import { readCronRuns } from "../../cron/cron-runs.ts";
import { readJobHealth, type JobHealth } from "../../cron/job-health.ts";
import { CRON_JOBS } from "../../cron/jobs.ts";
import { pingDatabase, timeCheck, type DependencyCheck } from "../db/ping.ts";
import type { CircuitState } from "../search/circuit-breaker.ts";
import { pingMeilisearch } from "../search/meilisearch.ts";
import { meilisearchCircuit } from "../search/select-engine.ts";
import type { Services } from "../services.ts";

/** Each dependency's deadline: a hanging server costs /health at most this long. */
export const HEALTH_TIMEOUT_MS = 2_000;

export type HealthStatus = "ok" | "degraded" | "down";

/** One dependency with everything known about it: for the admin route and the logs, never the public body. */
export interface DetailedCheck {
  status: DependencyCheck["status"];
  latencyMs?: number;
  /** `timeout` or `unreachable`. */
  error?: "timeout" | "unreachable";
  /** The dependency's own error message, with any URL credentials removed. */
  detail?: string;
  /** Meilisearch only: this isolate's circuit breaker when the check ran. */
  circuit?: CircuitState;
}

/** One configured replica, named by its position in DATABASE_REPLICA_URLS and its host:port. */
export interface ReplicaCheck extends DetailedCheck {
  replica: number;
  host: string;
}

/** Plain data only: it is memoised across requests (src/lib/health/memo.ts). */
export interface HealthReport {
  status: HealthStatus;
  checked_at: string;
  checks: { primary: DetailedCheck; replica: DetailedCheck; redis: DetailedCheck; meilisearch: DetailedCheck };
  replicas: ReplicaCheck[];
  /** Null when cron_runs could not be read; `jobs_error` says why. */
  jobs: Record<string, JobHealth> | null;
  jobs_error: string | null;
}

/** Removes `user:password@` from any URL inside a message: even the admin body and the logs never carry credentials. */
export function redactCredentials(text: string): string {
  return text.replace(/\/\/[^/\s@]*@/g, "//");
}

/** host:port of a URL, without credentials, path or query. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}

function detailed(check: DependencyCheck): DetailedCheck {
  const { status, latencyMs, error, detail } = check;
  return {
    status,
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(detail !== undefined ? { detail: redactCredentials(detail) } : {}),
  };
}

const NOT_CONFIGURED: DetailedCheck = { status: "not_configured" };

async function checkReplicas(urls: string[]): Promise<ReplicaCheck[]> {
  const checks = await Promise.all(urls.map((url) => pingDatabase(url, HEALTH_TIMEOUT_MS)));
  return checks.map((check, replica) => ({ replica, host: hostOf(urls[replica]!), ...detailed(check) }));
}

/** The replica check is the worst of all configured replicas: the first one down, else the first one. */
function worstReplica(replicas: ReplicaCheck[]): DetailedCheck {
  const worst = replicas.find((check) => check.status === "down") ?? replicas[0];
  if (!worst) return NOT_CONFIGURED;
  const { replica: _replica, host: _host, ...check } = worst;
  return check;
}

/** Rethrows with the causes' messages appended: clients wrap the network error ("Request to … has failed"). */
function withCauses<T>(run: (signal: AbortSignal) => Promise<T>): (signal: AbortSignal) => Promise<T> {
  return async (signal) => {
    try {
      return await run(signal);
    } catch (error) {
      const messages: string[] = [];
      for (let cause: unknown = error; cause instanceof Error && messages.length < 4; cause = cause.cause) messages.push(cause.message);
      throw messages.length > 1 ? new Error(messages.join(": ")) : error;
    }
  };
}

async function checkMeilisearch(host: string, apiKey: string | undefined): Promise<DetailedCheck> {
  const check = await timeCheck(withCauses((signal) => pingMeilisearch({ host, apiKey }, signal)), HEALTH_TIMEOUT_MS);
  return { ...detailed(check), circuit: meilisearchCircuit(host).state() };
}

export function overallStatus(checks: HealthReport["checks"], jobs: HealthReport["jobs"]): HealthStatus {
  if (checks.primary.status === "down") return "down";
  const anyDown = Object.values(checks).some((check) => check.status === "down");
  const anyStale = Object.values(jobs ?? {}).some((job) => job.stale);
  return anyDown || anyStale ? "degraded" : "ok";
}

/** Writes what the public body leaves out to the logs, at warn: which dependency or replica failed, and why. */
function logFailures(logger: Services["logger"], report: HealthReport): void {
  for (const [dependency, check] of Object.entries(report.checks)) {
    if (dependency === "replica" || check.status !== "down") continue;
    logger.log("warn", "health check failed", { dependency, error: check.error, detail: check.detail });
  }
  for (const check of report.replicas) {
    if (check.status !== "down") continue;
    logger.log("warn", "health check failed", { dependency: "replica", replica: check.replica, host: check.host, error: check.error, detail: check.detail });
  }
  if (report.jobs_error !== null) logger.log("warn", "health could not read cron_runs", { error: report.jobs_error });
  for (const [job, health] of Object.entries(report.jobs ?? {})) {
    if (health.failing || health.stale) {
      logger.log("warn", "health: cron job failing or stale", { job, failing: health.failing, stale: health.stale, lastFailureAt: health.last_failure_at, lastError: health.last_error });
    }
  }
}

/** Runs every check at once (each under HEALTH_TIMEOUT_MS), logs the failures and returns the full report. */
export async function collectHealth(services: Services): Promise<HealthReport> {
  const { config, redis, databases, logger } = services;
  const [primary, replicas, redisCheck, meilisearch, jobs] = await Promise.all([
    pingDatabase(config.DATABASE_URL, HEALTH_TIMEOUT_MS).then(detailed),
    checkReplicas(config.DATABASE_REPLICA_URLS),
    redis ? timeCheck(withCauses(() => redis.ping()), HEALTH_TIMEOUT_MS).then(detailed) : NOT_CONFIGURED,
    config.MEILISEARCH_HOST ? checkMeilisearch(config.MEILISEARCH_HOST, config.MEILISEARCH_API_KEY) : NOT_CONFIGURED,
    readJobHealth(CRON_JOBS, () => readCronRuns(databases.primary), HEALTH_TIMEOUT_MS),
  ]);
  const checks = { primary, replica: worstReplica(replicas), redis: redisCheck, meilisearch };
  const jobsByName = jobs.ok
    ? Object.fromEntries(Object.entries(jobs.jobs).map(([name, job]) => [name, { ...job, last_error: job.last_error === null ? null : redactCredentials(job.last_error) }]))
    : null;
  const report: HealthReport = {
    status: overallStatus(checks, jobsByName),
    checked_at: new Date().toISOString(),
    checks,
    replicas,
    jobs: jobsByName,
    jobs_error: jobs.ok ? null : redactCredentials(jobs.error),
  };
  logFailures(logger, report);
  return report;
}
