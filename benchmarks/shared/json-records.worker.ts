// A worker thread that scans one file into columns (json-columns.ts) and moves them to the thread that asked
// (json-records-thread.ts).
import { parentPort } from 'node:worker_threads';
import { columnBuffers, type RecordColumns, scanColumns } from './json-columns.ts';
import type { FieldSpec } from './json-records.ts';

export interface ScanJob {
  file: string;
  arrayKey: string;
  fields: Record<string, FieldSpec>;
}

export type ScanReply = ({ ok: true } & RecordColumns) | { ok: false } | { error: string };

parentPort!.on('message', async (job: ScanJob) => {
  try {
    const scanned = await scanColumns(job.file, job.arrayKey, job.fields);
    if (!scanned) parentPort!.postMessage({ ok: false } satisfies ScanReply);
    else parentPort!.postMessage({ ok: true, ...scanned } satisfies ScanReply, columnBuffers(scanned.columns));
  } catch (err) {
    // The scan's own errors (a file that cannot be read) carry their message; the main thread rethrows it.
    parentPort!.postMessage({ error: String((err as Error)?.message ?? err) } satisfies ScanReply);
  }
});
