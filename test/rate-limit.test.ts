import { describe, expect, it } from "vitest";
import { CLOSED_PORT_URL, callWorker } from "./helpers/worker.ts";

const uniqueIp = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID().slice(0, 8)}`;

describe("rate limiting (real @upstash/ratelimit scripts through the bridge)", () => {
  it("answers 429 with Retry-After and RateLimit-* once over the limit, and leaves another client alone", async () => {
    const ip = uniqueIp();
    const limited = { RATE_LIMIT_PER_MINUTE: "3" };
    const statuses = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await callWorker("/v1/regions", { headers: { "CF-Connecting-IP": ip } }, limited);
      statuses.push(last.status);
      // A cacheable answer is shared by every client (Workers Cache), so it carries no one's budget.
      if (i === 0) expect(last.headers.get("RateLimit-Remaining")).toBeNull();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const body = (await last!.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe("rate_limited");
    expect(Number(last!.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(last!.headers.get("RateLimit-Remaining")).toBe("0");
    expect(Number(last!.headers.get("RateLimit-Reset"))).toBeGreaterThan(0);

    const other = await callWorker("/v1/regions", { headers: { "CF-Connecting-IP": uniqueIp() } }, limited);
    expect(other.status).toBe(200);
  });

  it("fails open when Redis is unreachable: requests over the limit still answer 200, quickly", async () => {
    const started = Date.now();
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++) {
      const response = await callWorker("/v1/villes/autocomplete?q=toulouse&limit=15", { headers: { "CF-Connecting-IP": ip } }, {
        UPSTASH_REDIS_REST_URL: CLOSED_PORT_URL,
        RATE_LIMIT_PER_MINUTE: "1",
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { results: Array<{ nom: string }> }).results[0]?.nom).toBe("Toulouse");
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
