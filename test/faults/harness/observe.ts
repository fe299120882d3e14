import net from "node:net";
import { realNamePrefixes } from "../../../scripts/resilience/name-prefixes.ts";

const CACHE_PATTERN = "lieux:cache:*";

/** How many L2 cache entries redis holds (`KEYS lieux:cache:*`), over plain RESP. */
export function cacheEntryCount(redisPort: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port: redisPort });
    let reply = "";
    socket.setTimeout(2_000, () => socket.destroy(new Error("redis KEYS timed out")));
    socket.once("error", reject);
    socket.once("connect", () => socket.write(`*2\r\n$4\r\nKEYS\r\n$${CACHE_PATTERN.length}\r\n${CACHE_PATTERN}\r\n`));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (reply.startsWith("-")) socket.destroy(new Error(`redis KEYS: ${reply.trim()}`));
      const header = /^\*(-?\d+)\r\n/.exec(reply);
      if (!header) return;
      const count = Math.max(0, Number(header[1]));
      // Every element is "$len\r\nkey\r\n": complete once as many CRLFs as 1 + 2 × count arrived.
      if ((reply.match(/\r\n/g) ?? []).length >= 1 + 2 * count) {
        socket.destroy();
        resolve(count);
      }
    });
  });
}

let prefixes: string[] | undefined;

/**
 * Autocomplete queries that no earlier request of this run has sent, so each one is a
 * cache miss that reaches the search engine: prefixes of real names, handed out once each.
 */
export function freshQueries(count: number): string[] {
  prefixes ??= realNamePrefixes();
  if (prefixes.length < count) throw new Error("out of fresh queries");
  return prefixes.splice(0, count);
}

export const autocompletePath = (q: string) => `/v1/villes/autocomplete?q=${encodeURIComponent(q)}`;

const ANSI_ESCAPE = /\x1b\[[0-9;]*m/g;

/** The Worker's JSON log lines among everything wrangler printed (it wraps warnings and errors in coloured banners). */
export function workerLogLines(lines: readonly string[]): Array<{ level: string; message: string }> {
  return lines.flatMap((raw) => {
    const line = raw.replace(ANSI_ESCAPE, "").trim();
    const start = line.indexOf("{");
    if (start === -1) return [];
    try {
      const parsed = JSON.parse(line.slice(start)) as { level?: unknown; message?: unknown };
      return typeof parsed.level === "string" && typeof parsed.message === "string" ? [{ level: parsed.level, message: parsed.message }] : [];
    } catch {
      return [];
    }
  });
}
