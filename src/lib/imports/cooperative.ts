import { nextTurn } from "../next-turn.ts";

/**
 * Rows parsed and validated between two yields to the event loop: about 7 ms of CPU at the
 * measured 7 µs a row. An isolate serves its requests on one thread, and a chunk's body is
 * usually buffered already, so without a yield its whole parse (hundreds of ms for 4 MB)
 * runs as one task and every autocomplete sent to the same isolate waits behind it. Readers
 * during a 1M upload: p50 193 ms with no yield, 163 ms every 2,000 rows, 57 ms every 1,000
 * with 5,000-row staging statements (bench/results/2026-12-04-1000000-*).
 */
export const ROWS_PER_SLICE = 1_000;

/**
 * Passes `items` through, yielding to the event loop after every `perSlice` of them, so
 * other requests in the isolate run between slices of a long CPU-bound loop. Counted, not
 * timed: a Worker's clock does not advance while it computes.
 */
export async function* yieldingEvery<T>(items: AsyncIterable<T>, perSlice = ROWS_PER_SLICE): AsyncGenerator<T> {
  let sinceYield = 0;
  for await (const item of items) {
    yield item;
    if (++sinceYield >= perSlice) {
      sinceYield = 0;
      await nextTurn();
    }
  }
}
