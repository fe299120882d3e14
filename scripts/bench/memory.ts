import { Worker } from "node:worker_threads";

/**
 * Runs in a worker thread. Reading smaps_rollup of every process in the tree takes tens
 * of milliseconds of synchronous I/O; on the bench's own event loop that stalled the
 * queries being timed (a 40–50 ms p99 that was the sampler, not the database).
 *
 * PSS, not RSS: Postgres backends all map the same shared buffers, so summing RSS over
 * the tree counts those pages once per backend; PSS splits each shared page between its
 * users, so the tree's sum is real memory.
 */
const SAMPLER = `
const { readdirSync, readFileSync } = require("node:fs");
const { parentPort, workerData } = require("node:worker_threads");
const pssKb = (pid) => {
  try {
    const match = readFileSync("/proc/" + pid + "/smaps_rollup", "utf8").match(/^Pss:\\s+(\\d+)/m);
    return match ? Number(match[1]) : 0;
  } catch { return 0; }
};
const childrenByParent = () => {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync("/proc/" + entry + "/stat", "utf8").split(") ")[1].split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch { /* the process ended while /proc was read */ }
  }
  return children;
};
const treeMb = (root) => {
  const children = childrenByParent();
  let total = 0;
  const stack = [root];
  while (stack.length) { const pid = stack.pop(); total += pssKb(pid); stack.push(...(children.get(pid) ?? [])); }
  return Math.round(total / 1024);
};
let peak = treeMb(workerData.rootPid);
const sample = () => { peak = Math.max(peak, treeMb(workerData.rootPid)); };
let timer = setInterval(sample, workerData.intervalMs);
parentPort.on("message", (command) => {
  clearInterval(timer);
  sample();
  if (command === "resume") timer = setInterval(sample, workerData.intervalMs);
  parentPort.postMessage(peak);
});
`;

export interface MemoryTracker {
  /**
   * Runs `timed` with the sampler stopped (one sample before, one after): even off the
   * main thread, a walk of every process's page tables takes one of the two cores for
   * milliseconds, and a sequential latency figure should not include it.
   */
  quiet<T>(timed: () => Promise<T>): Promise<T>;
  stop(): Promise<number>;
}

/** Samples a process tree's memory (PSS, in MB) every `intervalMs` off the main thread, and keeps the peak until stopped. */
export function trackPeakRss(rootPid: number, intervalMs = 500): MemoryTracker {
  const worker = new Worker(SAMPLER, { eval: true, workerData: { rootPid, intervalMs } });
  let failure: Error | undefined;
  worker.on("error", (error) => (failure = error));
  const send = (command: "pause" | "resume" | "stop") =>
    failure ? Promise.reject(failure) : new Promise<number>((resolve) => {
      worker.once("message", resolve);
      worker.postMessage(command);
    });
  return {
    async quiet(timed) {
      await send("pause");
      try {
        return await timed();
      } finally {
        await send("resume");
      }
    },
    stop: () => send("stop").then(async (peak) => (await worker.terminate(), peak)),
  };
}
