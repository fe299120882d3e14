import { readdirSync, readFileSync } from "node:fs";

/** Resident set size of a process in kB, or 0 once it is gone. */
function rssKb(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/);
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

/** Sum of RSS over a process and all its descendants, in MB. */
export function treeRssMb(rootPid: number): number {
  const children = childrenByParent();
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    total += rssKb(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return Math.round(total / 1024);
}

/** Samples a process tree's RSS every `intervalMs` and keeps the peak, until stopped. */
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
