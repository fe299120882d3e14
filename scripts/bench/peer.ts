import { load, type LoadFigures, type LoadOptions } from "./http.ts";

/**
 * `--peer URL`: the same autocomplete workload against another API on this machine, through
 * an adapter for its query format. Only the adapter is ours; the peer is built and started
 * outside the repository (the README says how to point the bench at one).
 *
 * The adapter speaks geo.api.gouv.fr's engine (etalab/api-geo): `GET /communes?nom=&limit=&fields=`.
 */
export const peerAutocompletePath = (q: string, limit: number) => `/communes?nom=${encodeURIComponent(q)}&limit=${limit}&fields=nom,code`;

/** The query the hit workload repeats, and the (q, limit) pairs the miss workload walks, as lieux sends them. */
export const HIT_QUERY = { q: "saint", limit: 10 };
export function missQueries(prefixes: readonly string[]): Array<{ q: string; limit: number }> {
  const queries: Array<{ q: string; limit: number }> = [];
  for (let limit = 1; limit <= 20; limit++) for (const q of prefixes) queries.push({ q, limit });
  return queries;
}

export interface PeerFigures {
  url: string;
  /** The repeated query: the peer has no cache, so this is its engine on one hot query. */
  repeated: LoadFigures;
  /** A different query on every request: the same pairs lieux's miss workload sends. */
  varied: LoadFigures;
  /** lieux (wrangler dev) over the peer, in requests per second: above 1, lieux serves more. */
  ratios: { cachedThroughput: number; uncachedThroughput: number; cachedP99: number; uncachedP99: number };
}

const ratio = (ours: number, theirs: number) => Math.round((ours / Math.max(theirs, 0.001)) * 100) / 100;

export async function benchPeer(url: string, prefixes: readonly string[], options: LoadOptions, lieux: { hit: LoadFigures; miss: LoadFigures }): Promise<PeerFigures> {
  const probe = await fetch(`${url}${peerAutocompletePath(HIT_QUERY.q, HIT_QUERY.limit)}`);
  if (!probe.ok) throw new Error(`peer ${url} answered ${probe.status} to the adapter's query`);
  await probe.arrayBuffer();
  const repeated = await load(url, [{ path: peerAutocompletePath(HIT_QUERY.q, HIT_QUERY.limit) }], options);
  const varied = await load(url, missQueries(prefixes).map(({ q, limit }) => ({ path: peerAutocompletePath(q, limit) })), options);
  return {
    url,
    repeated,
    varied,
    ratios: {
      cachedThroughput: ratio(lieux.hit.requestsPerSecond, repeated.requestsPerSecond),
      uncachedThroughput: ratio(lieux.miss.requestsPerSecond, varied.requestsPerSecond),
      // Latency ratios the other way round: above 1, lieux answers faster.
      cachedP99: ratio(repeated.p99Ms, lieux.hit.p99Ms),
      uncachedP99: ratio(varied.p99Ms, lieux.miss.p99Ms),
    },
  };
}

export function peerLines(peer: PeerFigures | undefined): string[] {
  if (!peer) return [];
  const figures = (load: LoadFigures) => `${load.requestsPerSecond} req/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms${load.non2xx + load.errors > 0 ? `, ${load.non2xx} non-2xx, ${load.errors} errors` : ""}`;
  return [
    `| peer ${peer.url} (geo.api.gouv.fr's engine, adapter \`/communes?nom=&limit=&fields=nom,code\`): the hit workload (one repeated query) | — | ${figures(peer.repeated)} | wrangler dev hit above | lieux ${peer.ratios.cachedThroughput}× its throughput, ${peer.ratios.cachedP99}× faster at p99 |`,
    `| peer: the miss workload (a new query on every request) | — | ${figures(peer.varied)} | wrangler dev miss above | lieux ${peer.ratios.uncachedThroughput}× its throughput, ${peer.ratios.uncachedP99}× faster at p99 |`,
  ];
}
