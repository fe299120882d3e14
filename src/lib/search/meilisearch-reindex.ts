import type { Meilisearch } from "meilisearch";
import { applyVillesSettings, ensureIndex, VILLES_INDEX } from "./meilisearch-settings.ts";
import { syncVilles } from "./meilisearch-sync.ts";
import { TaskWindow } from "./meilisearch-task-window.ts";
import { waitForSuccess } from "./meilisearch-tasks.ts";
import type { IndexedVilleRow } from "./villes-for-index.ts";

/** Reads one keyset page of villes: ids above `afterId`, in id order, at most `limit`. */
export type ReadVillesPage = (afterId: number, limit: number) => Promise<IndexedVilleRow[]>;

export interface ReindexOptions {
  /** @default 10_000 */
  batchSize?: number;
  /** Called after each batch is sent (indexed or queued behind at most a few others), with the running total. */
  onProgress?: (documents: number) => void;
  /** Names the fresh index `villes_<timestamp>`. @default new Date() */
  now?: Date;
}

export interface ReindexResult {
  documents: number;
  /** The fresh index's name before the swap; it held the old documents afterwards and is deleted. */
  buildIndex: string;
}

/**
 * Full rebuild without a half-built index ever being searched: every row goes into a
 * fresh `villes_<timestamp>` with the settings applied first, then one atomic swap
 * makes it `villes`, and the old documents (now under the fresh name) are deleted.
 * A failure before the swap deletes the partial index and leaves `villes` untouched.
 */
export async function reindexVilles(client: Meilisearch, readPage: ReadVillesPage, options: ReindexOptions = {}): Promise<ReindexResult> {
  const { batchSize = 10_000, onProgress } = options;
  const buildIndex = `${VILLES_INDEX}_${(options.now ?? new Date()).toISOString().replace(/[-:.]/g, "")}`;
  let documents = 0;
  // One window over every page: the next page is read and sent while Meilisearch indexes.
  const window = new TaskWindow(client);
  try {
    await ensureIndex(client, buildIndex);
    await applyVillesSettings(client, buildIndex);
    for (let afterId = 0; ; ) {
      const rows = await readPage(afterId, batchSize);
      if (rows.length === 0) break;
      documents += await syncVilles(client, rows, { indexUid: buildIndex, batchSize, window });
      onProgress?.(documents);
      afterId = Number(rows.at(-1)!.id);
      if (rows.length < batchSize) break;
    }
    await window.drain();
    await ensureIndex(client, VILLES_INDEX);
    await waitForSuccess(client, client.swapIndexes([{ indexes: [VILLES_INDEX, buildIndex], rename: false }]), `swapping ${buildIndex} in`);
  } catch (error) {
    await waitForSuccess(client, client.deleteIndex(buildIndex), `deleting the partial ${buildIndex}`).catch(() => undefined);
    throw error;
  }
  await waitForSuccess(client, client.deleteIndex(buildIndex), `deleting the previous index (now ${buildIndex})`);
  return { documents, buildIndex };
}
