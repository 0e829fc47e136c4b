// Large files scanned into columns (json-columns.ts) on a worker thread, so the scan runs while this thread
// does other work (VQAv2 val: the 158 MB annotations while the questions and the predictions are read). Small
// files, below what a worker's start-up costs, are scanned here. Same values, same give-up either way.
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { UserError } from '../../core/errors.ts';
import { workerScript } from '../../core/worker-script.ts';
import { eachRecord, type RecordColumns, scanColumns } from './json-columns.ts';
import type { FieldSpec } from './json-records.ts';
import type { ScanJob, ScanReply } from './json-records.worker.ts';

const SOURCE = new URL('./json-records.worker.ts', import.meta.url);
/** Below this a worker's start-up (~30 ms compiled) costs more than it saves. */
const WORKER_MIN_BYTES = 16 << 20;

/** scanColumns' contract; the scan runs on a worker thread when the file is large. */
export async function scanJsonColumns(
  file: string,
  arrayKey: string,
  fields: Record<string, FieldSpec>,
  { minBytes = WORKER_MIN_BYTES }: { minBytes?: number } = {},
): Promise<RecordColumns | false> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0, // the scan names the file that cannot be read
  );
  if (size < minBytes) return scanColumns(file, arrayKey, fields);
  const reply = await inWorker({ file, arrayKey, fields });
  if ('error' in reply) throw new UserError(reply.error);
  return reply.ok ? reply : false;
}

/** scanJsonRecords' contract, the scan on a worker thread when the file is large. */
export async function scanJsonRecordsOffThread(
  file: string,
  arrayKey: string,
  fields: Record<string, FieldSpec>,
  onRecord: (values: unknown[]) => void,
  options: { minBytes?: number } = {},
): Promise<boolean> {
  const scanned = await scanJsonColumns(file, arrayKey, fields, options);
  if (!scanned) return false;
  eachRecord(scanned, fields, onRecord);
  return true;
}

function inWorker(job: ScanJob): Promise<ScanReply> {
  const { script, eval: isEval } = workerScript(SOURCE);
  const worker = new Worker(script, { eval: isEval });
  return new Promise<ScanReply>((resolve, reject) => {
    worker.once('message', (reply: ScanReply) => resolve(reply));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the scan's worker thread exited (code ${code}) before answering`)));
    worker.postMessage(job);
  }).finally(() => void worker.terminate());
}
