import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

// Logical replication copies rows, not sequence state: identity/serial counters on the replica stay at their start
// value. Harmless for a read-only replica, but it must never be promoted to take writes as is.

const PUBLIC_TABLES = `
  SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence = 'p'`;

/**
 * Makes `replicaUrl` follow `primaryUrl` by logical replication of every table in schema public. Idempotent: safe to
 * call on every start. Both databases must already have the same schema (run migrations on both first). Tables listed
 * in `skipTables` are not replicated. A stale subscription (its slot vanished because the primary was re-initialised)
 * is dropped and recreated, and the replica's copies of the tables are truncated before any initial copy.
 */
export async function followPrimary(options: {
  primaryUrl: string;
  replicaUrl: string;
  publication?: string;
  subscription?: string;
  skipTables?: string[];
}): Promise<void> {
  const publication = options.publication ?? 'lieux_pub';
  const subscription = options.subscription ?? 'lieux_sub';
  const skip = new Set(options.skipTables ?? []);
  await withClient(options.primaryUrl, (primary) => withClient(options.replicaUrl, async (replica) => {
    const onReplica = new Set(await tableNames(replica, PUBLIC_TABLES));
    const onPrimary = (await tableNames(primary, PUBLIC_TABLES)).filter((name) => !skip.has(name));
    const missing = onPrimary.filter((name) => !onReplica.has(name));
    if (missing.length > 0) console.warn(`[replica] not replicated, missing on the replica: ${missing.join(', ')}`);
    const tables = onPrimary.filter((name) => onReplica.has(name));

    await ensureReplicaIdentity(primary, tables);
    await syncPublication(primary, publication, tables);

    const { rows } = await replica.query<{ oid: number; subenabled: boolean; subconninfo: string; subslotname: string | null; subpublications: string[] }>(
      `SELECT s.oid, s.subenabled, s.subconninfo, s.subslotname, s.subpublications::text[] AS subpublications FROM pg_subscription s
       JOIN pg_database d ON d.oid = s.subdbid WHERE d.datname = current_database() AND s.subname = $1`,
      [subscription],
    );
    const existing = rows[0];
    const slot = existing?.subslotname
      ? await primary.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()`, [existing.subslotname])
      : undefined;
    const name = replica.escapeIdentifier(subscription);

    if (existing && slot?.rowCount) {
      if (existing.subconninfo !== options.primaryUrl) {
        await replica.query(`ALTER SUBSCRIPTION ${name} CONNECTION ${lit(replica, options.primaryUrl)}`);
      }
      if (existing.subpublications.join() !== publication) {
        await replica.query(`ALTER SUBSCRIPTION ${name} SET PUBLICATION ${replica.escapeIdentifier(publication)} WITH (refresh = false)`);
      }
      if (!existing.subenabled) await replica.query(`ALTER SUBSCRIPTION ${name} ENABLE`);
      const subscribed = new Set(
        await tableNames(replica, `SELECT c.relname AS name FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid WHERE r.srsubid = ${existing.oid}`),
      );
      // Newly added tables get an initial copy, which would collide with rows left over from an earlier subscription.
      await truncate(replica, tables.filter((table) => !subscribed.has(table)));
      await replica.query(`ALTER SUBSCRIPTION ${name} REFRESH PUBLICATION WITH (copy_data = true)`);
      return;
    }

    if (existing) {
      // The slot is gone (primary re-initialised): detach from it first, as DROP SUBSCRIPTION would try to drop it remotely.
      await replica.query(`ALTER SUBSCRIPTION ${name} DISABLE`);
      await replica.query(`ALTER SUBSCRIPTION ${name} SET (slot_name = NONE)`);
      await replica.query(`DROP SUBSCRIPTION ${name}`);
    }
    // Inactive slots left by a replica that was wiped would otherwise block the name and pin WAL on the primary forever.
    await primary.query(
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
       WHERE NOT active AND database = current_database() AND (slot_name = $1 OR slot_name ~ '^pg_[0-9]+_sync_')`,
      [subscription],
    );
    await truncate(replica, tables);
    await replica.query(
      `CREATE SUBSCRIPTION ${name} CONNECTION ${lit(replica, options.primaryUrl)}
       PUBLICATION ${replica.escapeIdentifier(publication)} WITH (copy_data = true)`,
    );
  }));
}

/**
 * Waits until the replica has applied everything the primary had committed at call time: the primary's current WAL
 * position is compared with what the subscriber applied (its replication origin, when `replicaUrl` is given) or
 * reported back (the slot's confirmed_flush_lsn / pg_stat_replication.replay_lsn), and initial table copies must be done.
 */
export async function waitForReplicaCatchUp(options: {
  primaryUrl: string;
  replicaUrl?: string;
  subscription?: string;
  timeoutMs?: number;
}): Promise<void> {
  const subscription = options.subscription ?? 'lieux_sub';
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  await withClient(options.primaryUrl, async (primary) => {
    const poll = (replica?: pg.Client) => pollUntilCaughtUp(primary, replica, subscription, deadline);
    await (options.replicaUrl ? withClient(options.replicaUrl, poll) : poll());
  });
}

async function pollUntilCaughtUp(primary: pg.Client, replica: pg.Client | undefined, subscription: string, deadline: number): Promise<void> {
  const target = (await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
  for (;;) {
    const fromPrimary = (
      await primary.query<{ slots: string; reported: boolean; syncing: boolean }>(
        `SELECT count(*) AS slots,
                coalesce(bool_or(s.confirmed_flush_lsn >= $1::pg_lsn OR r.replay_lsn >= $1::pg_lsn), false) AS reported,
                EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name ~ '^pg_[0-9]+_sync_') AS syncing
         FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = $2`,
        [target, subscription],
      )
    ).rows[0]!;
    const fromReplica = replica
      ? (
          await replica.query<{ pending: string; applied: boolean | null }>(
            `SELECT (SELECT count(*) FROM pg_subscription_rel r WHERE r.srsubid = s.oid AND r.srsubstate <> 'r') AS pending,
                    (SELECT o.remote_lsn >= $1::pg_lsn FROM pg_replication_origin_status o WHERE o.external_id = 'pg_' || s.oid) AS applied
             FROM pg_subscription s WHERE s.subname = $2`,
            [target, subscription],
          )
        ).rows[0]
      : undefined;
    if (fromPrimary.slots === '0' || (replica && !fromReplica)) {
      throw new Error(`Subscription ${subscription} is not set up (missing slot or subscription); call followPrimary first`);
    }
    const copied = fromReplica ? fromReplica.pending === '0' : !fromPrimary.syncing;
    if (copied && (fromPrimary.reported || fromReplica?.applied)) return;
    if (Date.now() > deadline) {
      throw new Error(`Replica did not catch up to ${target}: ${JSON.stringify({ fromPrimary, fromReplica })}`);
    }
    await sleep(20);
  }
}

async function syncPublication(primary: pg.Client, publication: string, tables: string[]): Promise<void> {
  const name = primary.escapeIdentifier(publication);
  const { rows } = await primary.query<{ exclusive: boolean }>(
    `SELECT p.puballtables OR EXISTS (SELECT 1 FROM pg_publication_namespace pn WHERE pn.pnpubid = p.oid) AS exclusive
     FROM pg_publication p WHERE p.pubname = $1`,
    [publication],
  );
  // A FOR ALL TABLES / schema-wide publication cannot skip tables, and would publish tables the replica may not have yet.
  if (rows[0]?.exclusive) await primary.query(`DROP PUBLICATION ${name}`);
  if (!rows[0] || rows[0].exclusive) {
    const list = tables.length > 0 ? ` FOR TABLE ${qualified(primary, tables)}` : '';
    await primary.query(`CREATE PUBLICATION ${name}${list}`);
    return;
  }
  const published = new Set(
    await tableNames(primary, `SELECT tablename AS name FROM pg_publication_tables WHERE schemaname = 'public' AND pubname = ${lit(primary, publication)}`),
  );
  const toAdd = tables.filter((table) => !published.has(table));
  const toDrop = [...published].filter((table) => !tables.includes(table));
  if (toAdd.length > 0) await primary.query(`ALTER PUBLICATION ${name} ADD TABLE ${qualified(primary, toAdd)}`);
  if (toDrop.length > 0) await primary.query(`ALTER PUBLICATION ${name} DROP TABLE ${qualified(primary, toDrop)}`);
}

/** Without a replica identity, a published table rejects UPDATE/DELETE on the primary itself. */
async function ensureReplicaIdentity(primary: pg.Client, tables: string[]): Promise<void> {
  const lacking = await tableNames(
    primary,
    `${PUBLIC_TABLES} AND (c.relreplident = 'n' OR (c.relreplident = 'd'
       AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)))`,
  );
  for (const table of lacking.filter((name) => tables.includes(name))) {
    await primary.query(`ALTER TABLE ${qualified(primary, [table])} REPLICA IDENTITY FULL`);
  }
}

async function truncate(client: pg.Client, tables: string[]): Promise<void> {
  if (tables.length > 0) await client.query(`TRUNCATE ${qualified(client, tables)}`);
}

async function tableNames(client: pg.Client, sql: string): Promise<string[]> {
  return (await client.query<{ name: string }>(sql)).rows.map((row) => row.name);
}

function qualified(client: pg.Client, tables: string[]): string {
  return tables.map((table) => `public.${client.escapeIdentifier(table)}`).join(', ');
}

function lit(client: pg.Client, value: string): string {
  return client.escapeLiteral(value);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
