import { describe, expect, it } from "vitest";
import { yieldingEvery } from "../src/lib/imports/cooperative.ts";

/** Items produced through microtasks only, as a buffered chunk body parses. */
async function* numbers(count: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) yield i;
}

describe("a chunk's parse yields to the isolate's other requests (src/lib/imports/cooperative.ts)", () => {
  it("lets a task queued before the loop run after each slice, not only after the loop", async () => {
    let consumed = 0;
    const seenAt: number[] = [];
    // Stands for a reader's request waiting on the same isolate.
    const waiting = () => {
      seenAt.push(consumed);
      if (seenAt.length < 3) setTimeout(waiting, 0);
    };
    setTimeout(waiting, 0);
    const passed: number[] = [];
    for await (const item of yieldingEvery(numbers(10), 4)) {
      passed.push(item);
      consumed++;
    }
    // Without the yields the loop ends before any waiting task runs: seenAt would still be [].
    expect(seenAt).toEqual([4, 8]);
    expect(passed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("passes an empty source through without waiting", async () => {
    const passed: number[] = [];
    for await (const item of yieldingEvery(numbers(0), 4)) passed.push(item);
    expect(passed).toEqual([]);
  });
});
