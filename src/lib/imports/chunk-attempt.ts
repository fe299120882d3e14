import type { VilleWrite } from "../db/upsert-villes.ts";

/** Which upload of which chunk a batch belongs to: progress is recorded only for the current attempt. */
export interface ChunkAttempt {
  jobId: string;
  n: number;
  attempt: string;
}

/** A validated row with the line of the upload it came from, for error reports. */
export interface LinedRow {
  line: number;
  row: VilleWrite;
}
