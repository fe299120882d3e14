import { measure, percentiles, type Percentiles } from "./measure.ts";

/**
 * How long the Worker itself took to find a cached answer: the `dur` of the
 * `cache;dur=…;desc="l1-hit"` Server-Timing entry, over sequential requests (no load),
 * so the figure is the lookup and not the queueing in front of it.
 */
export async function lookupTimes(baseUrl: string, path: string, count = 200): Promise<Percentiles & { layers: Record<string, number> }> {
  const samples: number[] = [];
  const layers: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${baseUrl}${path}`);
    await response.arrayBuffer();
    const match = response.headers.get("Server-Timing")?.match(/cache;dur=([\d.]+);desc="([^"]+)"/);
    if (!match) continue;
    layers[match[2]!] = (layers[match[2]!] ?? 0) + 1;
    samples.push(Number(match[1]));
  }
  return { ...percentiles(samples), layers };
}

/** One Redis GET through the Upstash REST bridge, from this process: what an L2 hit should cost. */
export function redisRoundTrip(url: string, token: string, count = 200): Promise<Percentiles> {
  const get = () => fetch(url, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(["GET", "lieux:bench:round-trip"]) });
  return measure(async () => (await get()).arrayBuffer(), { iterations: count, warmup: 10 });
}
