import { beforeAll, describe, expect, it } from "vitest";
import { autocomplete, names } from "./helpers/autocomplete.ts";
import { replicaUrl, sqlOn } from "./helpers/sql.ts";

/**
 * A search cut off at its deadline answers what it found in time (200, nothing from the typo
 * search), and no cache may keep that answer: the next request asks again. The slowness is
 * real and reaches this test's requests only: they read the replica as a role whose search
 * path puts a schema first where `typo_dictionary` is a view that sleeps 300 ms, past the
 * typo search's 100 ms statement timeout (FUZZY_TIMEOUT_MS). Every other role and test
 * reads the table itself.
 */
const ROLE = "lieux_slow_typos";
const PASSWORD = "slow-typos-0123456789";
const POSTGRES_ENGINE = { MEILISEARCH_HOST: undefined };
// A limit and filter no other test asks for, so the first request is a miss in every tier.
const QUERY = { q: "marseile", limit: "17", departement: "13" };

function slowReplicaUrl(): string {
  const url = new URL(replicaUrl());
  url.username = ROLE;
  url.password = PASSWORD;
  return url.href;
}

beforeAll(async () => {
  const replica = sqlOn(replicaUrl());
  // Idempotent: the role and schema outlive a run on a kept database. A member of the owner, so tables swapped in later stay readable.
  await replica.query(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = '${ROLE}') then create role ${ROLE} login password '${PASSWORD}'; end if;
    end $$`);
  await replica.query(`grant ${new URL(replicaUrl()).username} to ${ROLE}`);
  await replica.query(`create schema if not exists ${ROLE}`);
  await replica.query(`create or replace view ${ROLE}.typo_dictionary as select t.* from public.typo_dictionary t, (select pg_sleep(0.3)) as slow`);
  await replica.query(`grant usage on schema ${ROLE} to ${ROLE}`);
  await replica.query(`alter role ${ROLE} set search_path = ${ROLE}, public`);
});

describe("an answer cut off at its deadline", () => {
  it("is served once, marked partial, and kept by no cache: the next request searches again", async () => {
    const slow = await autocomplete(QUERY, { ...POSTGRES_ENGINE, DATABASE_REPLICA_URLS: slowReplicaUrl() });
    expect(slow.body.match).toBe("fuzzy");
    expect(slow.body.results).toEqual([]);
    expect(slow.response.headers.get("Cache-Control")).toBe("no-store");
    expect(slow.response.headers.get("Cache-Tag")).toBeNull();
    expect(slow.response.headers.get("Server-Timing")).toMatch(/(^|, )partial;desc="typo_deadline"/);
    expect(slow.response.headers.get("Server-Timing")).toMatch(/(^|, )cache;desc="miss"/);

    const again = await autocomplete(QUERY, POSTGRES_ENGINE);
    expect(again.response.headers.get("Server-Timing")).toMatch(/(^|, )cache;desc="miss"/);
    expect(names(again.body)[0]).toBe("Marseille");
    expect(again.response.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+/);
    expect(again.response.headers.get("Server-Timing")).not.toMatch(/partial/);

    // That full answer is kept as usual.
    const cached = await autocomplete(QUERY, POSTGRES_ENGINE);
    expect(cached.response.headers.get("Server-Timing")).toMatch(/cache;(dur=[\d.]+;)?desc="l[012]-hit"/);
    expect(names(cached.body)[0]).toBe("Marseille");
  });
});
