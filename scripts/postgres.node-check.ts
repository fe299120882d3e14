// Proves scripts/postgres.ts and scripts/replica.ts against real embedded servers.
// Run: PATH=/work/main/node_modules/.bin:$PATH tsx scripts/postgres.node-check.ts
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type LocalPostgres, startPostgres } from './postgres.ts';
import { followPrimary, waitForReplicaCatchUp } from './replica.ts';

const checkRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.lieux-check');

if (process.argv[2] === '--serve') {
  // Child mode for the SIGTERM test: start a server and report the postmaster pid.
  await startPostgres({ name: 'serve', dataDir: process.argv[3]! });
  console.log(`PID ${postmasterPid(process.argv[3]!)}`);
} else {
  await main();
}

async function main(): Promise<void> {
  const root = path.join(checkRoot, `run-${process.pid}`);
  const primaryDir = path.join(root, 'pg-primary');
  const replicaDir = path.join(root, 'pg-replica');
  let failures = 0;
  const check = (label: string, ok: boolean, detail = '') => {
    if (!ok) failures++;
    console.log(`${ok ? 'PASS' : 'FAIL'} ${label}${detail ? ` — ${detail}` : ''}`);
  };
  const timedStart = async (label: string, name: string, dataDir: string) => {
    const started = Date.now();
    const server = await startPostgres({ name, dataDir });
    console.log(`TIME ${label}: ${Date.now() - started} ms (port ${server.port})`);
    return server;
  };
  const sql = async (url: string, text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  const systemId = async (server: LocalPostgres) =>
    String((await sql(server.url, 'SELECT system_identifier FROM pg_control_system()'))[0]?.system_identifier);
  const insertAndFollow = async (primary: LocalPostgres, replica: LocalPostgres, value: string) => {
    const id = (await sql(primary.url, 'INSERT INTO t (v) VALUES ($1) RETURNING id', [value]))[0]?.id;
    const before = await sql(replica.url, 'SELECT v FROM t WHERE id = $1', [id]);
    const waitStarted = Date.now();
    await waitForReplicaCatchUp({ primaryUrl: primary.url, replicaUrl: replica.url, timeoutMs: 20_000 });
    const after = await sql(replica.url, 'SELECT v FROM t WHERE id = $1', [id]);
    console.log(`INFO "${value}": on replica right after insert: ${before.length > 0}; caught up in ${Date.now() - waitStarted} ms`);
    return { lagVisible: before.length === 0, replicated: after[0]?.v === value };
  };
  const follow = (primary: LocalPostgres, replica: LocalPostgres) => followPrimary({ primaryUrl: primary.url, replicaUrl: replica.url });
  const createTable = (server: LocalPostgres) =>
    sql(server.url, 'CREATE TABLE IF NOT EXISTS t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)');

  await fs.rm(root, { recursive: true, force: true });
  try {
    let primary = await timedStart('primary first start (initdb)', 'primary', primaryDir);
    let replica = await timedStart('replica first start (initdb)', 'replica', replicaDir);

    const settings = (await sql(primary.url, `SELECT current_setting('wal_level') AS wal, current_setting('server_encoding') AS enc,
      (SELECT datcollate FROM pg_database WHERE datname = 'lieux') AS collate, current_setting('max_connections') AS conns, current_setting('listen_addresses') AS listen,
      (SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'lieux') AS scram_secret,
      (SELECT array_agg(DISTINCT auth_method) FROM pg_hba_file_rules) AS hba`))[0];
    check('settings: logical WAL, UTF8, C locale, ≥100 connections, 127.0.0.1 only', settings?.wal === 'logical' && settings?.enc === 'UTF8'
      && settings?.collate === 'C' && Number(settings?.conns) >= 100 && settings?.listen === '127.0.0.1', JSON.stringify(settings));
    check('password stored as SCRAM and every pg_hba rule is scram-sha-256', settings?.scram_secret === true && String(settings?.hba) === 'scram-sha-256');
    const wrong = await sql(primary.url.replace(':lieux@', ':wrong@'), 'SELECT 1').then(() => 'connected', (error: Error) => error.message);
    check('wrong password is rejected', wrong.includes('password authentication failed'), wrong);

    await createTable(primary);
    await createTable(replica);
    await follow(primary, replica);
    const first = await insertAndFollow(primary, replica, 'first');
    check('insert on primary reaches the replica after waitForReplicaCatchUp', first.replicated);
    console.log(`${first.lagVisible ? 'PASS' : 'INFO'} replication lag visible (row absent right after insert; best effort)`);

    await follow(primary, replica);
    await follow(primary, replica);
    const counts = (await sql(replica.url, `SELECT (SELECT count(*) FROM pg_subscription) AS subs,
      (SELECT count(*) FROM pg_subscription_rel) AS rels`))[0];
    const slots = (await sql(primary.url, 'SELECT count(*) AS n FROM pg_replication_slots'))[0];
    check('followPrimary is idempotent (called twice more)', (await insertAndFollow(primary, replica, 'after-refollow')).replicated
      && counts?.subs === '1' && counts?.rels === '1' && slots?.n === '1', JSON.stringify({ counts, slots }));

    await sql(primary.url, "INSERT INTO t (v) VALUES ('primary-side-wait')");
    await waitForReplicaCatchUp({ primaryUrl: primary.url });
    const seen = await sql(replica.url, "SELECT 1 FROM t WHERE v = 'primary-side-wait'");
    check('waitForReplicaCatchUp without replicaUrl (slot feedback only)', seen.length === 1);

    const idBefore = await systemId(primary);
    await Promise.all([primary.stop(), replica.stop()]);
    check('stop() leaves no postmaster.pid', !existsSync(path.join(primaryDir, 'postmaster.pid')) && !existsSync(path.join(replicaDir, 'postmaster.pid')));
    primary = await timedStart('primary restart (reuse)', 'primary', primaryDir);
    replica = await timedStart('replica restart (reuse)', 'replica', replicaDir);
    check('restart reuses the data (same system identifier, rows kept)', (await systemId(primary)) === idBefore
      && (await sql(replica.url, 'SELECT count(*) AS n FROM t'))[0]?.n === '3');
    await follow(primary, replica); // ports changed: the subscription's connection must follow
    check('replication resumes after restart on new ports', (await insertAndFollow(primary, replica, 'after-restart')).replicated);

    const killedPid = postmasterPid(primaryDir);
    process.kill(killedPid, 'SIGKILL');
    while (isAlive(killedPid)) await sleep(20);
    check('kill -9 left a stale postmaster.pid', existsSync(path.join(primaryDir, 'postmaster.pid')));
    primary = await timedStart('primary start after kill -9 (stale pid)', 'primary', primaryDir);
    check('stale pid recovered, same cluster', (await systemId(primary)) === idBefore);
    await follow(primary, replica);
    check('replication resumes after the primary crash', (await insertAndFollow(primary, replica, 'after-crash')).replicated);

    await primary.stop();
    await fs.rm(primaryDir, { recursive: true, force: true });
    primary = await timedStart('primary start on a wiped dir (initdb)', 'primary', primaryDir);
    await createTable(primary);
    await follow(primary, replica);
    const fresh = await insertAndFollow(primary, replica, 'fresh-primary');
    const replicaRows = (await sql(replica.url, 'SELECT v FROM t ORDER BY id')).map((row) => row.v);
    check('stale subscription to a wiped primary is recreated', fresh.replicated && replicaRows.join() === 'fresh-primary', replicaRows.join());

    const halfDir = path.join(root, 'pg-half');
    await fs.mkdir(path.join(halfDir, 'pg_wal'), { recursive: true });
    await fs.writeFile(path.join(halfDir, 'postgresql.conf'), '');
    const half = await timedStart('half-initialised dir (wipe + initdb)', 'half', halfDir);
    check('half-initialised dir re-initialised', (await sql(half.url, 'SELECT 1 AS ok'))[0]?.ok === 1);
    await half.stop();

    check('SIGTERM to the parent stops its postgres', await sigtermLeavesNoOrphan(path.join(root, 'pg-serve')));
    await Promise.all([primary.stop(), replica.stop()]);
  } catch (error) {
    check('unexpected error', false, error instanceof Error ? error.stack ?? error.message : String(error));
  } finally {
    await fs.rm(root, { recursive: true, force: true });
    await fs.rmdir(checkRoot).catch(() => undefined); // only if no other run is using it
  }
  console.log(failures === 0 ? 'ALL PASS' : `${failures} FAILED`);
  process.exit(failures === 0 ? 0 : 1);
}

async function sigtermLeavesNoOrphan(dataDir: string): Promise<boolean> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', dataDir], {
    cwd: path.dirname(checkRoot),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /PID (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error('serve child exited before starting postgres')));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  for (let waited = 0; isAlive(pid) && waited < 5_000; waited += 50) await sleep(50);
  return !isAlive(pid);
}

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

function isAlive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}
