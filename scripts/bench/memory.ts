import { readdirSync, readFileSync } from "node:fs";

/**
 * Proportional set size of a process in kB (0 once it is gone). Postgres backends all map
 * the same shared buffers, so summing RSS over the tree counts those pages once per
 * backend; PSS splits each shared page between its users, so the tree's sum is real memory.
 */
function pssKb(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+)/m);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while /proc was read
    }
  }
  return children;
}

/** Sum of PSS over a process and all its descendants, in MB. */
export function treeRssMb(rootPid: number): number {
  const children = childrenByParent();
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    total += pssKb(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return Math.round(total / 1024);
}

/** Samples a process tree's memory (PSS) every `intervalMs` and keeps the peak, until stopped. */
export function trackPeakRss(rootPid: number, intervalMs = 500): { stop(): number; peak(): number } {
  let peak = treeRssMb(rootPid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssMb(rootPid));
  }, intervalMs);
  return {
    peak: () => peak,
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
