import { runRequestLoop, type LoopRequest } from "../lib/request-loop.ts";
import { serverTimingDbMs } from "./measure.ts";
import { AUTOCOMPLETE, LISTING, type ReadersCommand, type ReadersReply } from "./readers-protocol.ts";

// The bench's readers, in a process of their own (forked by readers.ts). The bench process
// also hosts the local Neon and Upstash stand-ins, which parse each import chunk's 5 MB
// statement on their one thread: readers timed from that thread were delayed by it whether
// or not the API was, so their figures mixed the measuring tool's stalls into the API's.

let init: Extract<ReadersCommand, { type: "init" }> | undefined;
let stop: AbortController | undefined;
let sent = 0;

/** Every URL new to every cache tier; the counter runs across runs, so no run reads what an earlier one cached. */
function next(): LoopRequest {
  const { prefixes, departements } = init!;
  const index = sent++;
  const round = Math.floor(index / 2);
  if (index % 2 === 0) {
    const prefix = prefixes[round % prefixes.length]!;
    const limit = 1 + (Math.floor(round / prefixes.length) % 20);
    return { path: `${AUTOCOMPLETE}q=${encodeURIComponent(prefix)}&limit=${limit}` };
  }
  const departement = departements[round % departements.length]!;
  const limit = 1 + (Math.floor(round / departements.length) % 100);
  return { path: `${LISTING}departement=${departement}&limit=${limit}` };
}

process.on("message", (command: ReadersCommand) => {
  if (command.type === "init") init = command;
  else if (command.type === "stop") stop?.abort();
  else {
    stop = new AbortController();
    void runRequestLoop({ origin: init!.origin, ratePerSecond: init!.ratePerSecond, durationMs: command.durationMs, next, stop: stop.signal, timeoutMs: init!.timeoutMs }).then((summary) => {
      const readings = summary.responses.map(({ path, status, latencyMs, sentAtMs, headers }) => ({ path, status, latencyMs, sentAtMs, dbMs: serverTimingDbMs(headers?.get("Server-Timing")) }));
      process.send!({ type: "done", id: command.id, readings } satisfies ReadersReply);
    });
  }
});
process.on("disconnect", () => process.exit(0));
