import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * FAULT-INJECTION STAND-IN, not a Meilisearch double: an HTTP server that accepts every
 * connection and never answers, so MEILISEARCH_HOST can point at a search server that
 * hangs. `die()` closes the port, so the same host then refuses connections. It speaks
 * no Meilisearch API at all; the recorded-contract double lives in test/meilisearch-contract-double.ts.
 */
export interface StallingServer {
  url: string;
  /** Requests received and left hanging. */
  readonly stalled: number;
  die(): Promise<void>;
}

export async function startStallingServer(): Promise<StallingServer> {
  const sockets = new Set<Socket>();
  let stalled = 0;
  const server = http.createServer(() => {
    stalled++;
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get stalled() {
      return stalled;
    },
    async die() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
