import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { vi } from "vitest";
import { readConfig } from "../../src/env.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { buildServices } from "../../src/compose-services.ts";
import { freshCaches, VILLE_NAMESPACES } from "./cache.ts";
import { primaryUrl, sqlOn, untilReplicaHolds } from "./sql.ts";
import { testEnv, workerFor } from "./worker.ts";
import { forgetInSearchIndex } from "./search-index.ts";

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown> & { level: string; message: string };

/** Collects the Worker's JSON log lines while `run` executes (every console level). */
export async function captureLogs<T>(run: () => Promise<T>): Promise<{ value: T; lines: LogLine[] }> {
  const lines: LogLine[] = [];
  const collect = (...args: unknown[]) => {
    try {
      lines.push(JSON.parse(String(args[0])) as LogLine);
    } catch {
      // Not one of ours.
    }
  };
  const spies = (["log", "warn", "error"] as const).map((level) => vi.spyOn(console, level).mockImplementation(collect));
  try {
    return { value: await run(), lines };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** Fires the real scheduled() handler for `cron` and waits for its background work. */
export async function fireScheduled(cron: string, envOverrides: Record<string, string | undefined> = {}): Promise<void> {
  const controller = createScheduledController({ cron, scheduledTime: Date.now() });
  const ctx = createExecutionContext();
  await workerFor(ctx, envOverrides).scheduled(controller);
  await waitOnExecutionContext(ctx);
}

/** The same, returning the log lines it wrote. */
export async function runCron(cron: string, envOverrides: Record<string, string | undefined> = {}): Promise<LogLine[]> {
  return (await captureLogs(() => fireScheduled(cron, envOverrides))).lines;
}

/** The one summary line each job logs. */
export const jobLines = (lines: LogLine[], job?: string) =>
  lines.filter((line) => line.message === "cron job finished" && (job === undefined || line.job === job));

export interface CronRunRecord {
  job: string;
  last_started_at: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_outcome: string | null;
  last_error: string | null;
  last_duration_ms: number | null;
  last_counts: Record<string, unknown> | null;
  runs: string;
}

export async function cronRunOf(job: string, url = primaryUrl()): Promise<CronRunRecord | undefined> {
  const rows = await sqlOn(url).query("select * from cron_runs where job = $1", [job]);
  return rows[0] as CronRunRecord | undefined;
}

/** Real services for the test env, as a job or a request builds them. */
export function testServices(envOverrides: Record<string, string | undefined> = {}) {
  const parsed = readConfig({ ...testEnv, ...envOverrides });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const ctx = createExecutionContext();
  const services = buildServices(parsed.config, createLogger({ test: "cron" }), ctx);
  return { services, settle: () => waitOnExecutionContext(ctx) };
}

/**
 * Villes no real commune can collide with: 99xxx is not an INSEE commune code. Lozère (48) is no other test's filter.
 * Returns once the replica has them and the caches that could still miss them are forgotten.
 */
export async function insertTestVilles(codes: string[], population = 7): Promise<void> {
  for (const code of codes) {
    // Letters only: a name word equal to the code would repeat one of its search terms.
    const nom = `Zzlieux test ${[...code].map((digit) => "abcdefghij"[Number(digit)]).join("")}`;
    await sqlOn(primaryUrl())`insert into villes (code_insee, type, nom, departement_code, region_code, population)
      values (${code}, 'commune-actuelle', ${nom}, '48', '76', ${population})`;
  }
  await untilReplicaHolds(codes);
  await freshCaches(VILLE_NAMESPACES);
}

export async function deleteTestVilles(codes: string[]): Promise<void> {
  const removed = (await sqlOn(primaryUrl())`delete from villes where code_insee = any(${codes}) returning id`) as Array<{ id: string }>;
  await forgetInSearchIndex(removed.map((row) => row.id));
  await untilReplicaHolds(codes, 0);
  await freshCaches(VILLE_NAMESPACES);
}
