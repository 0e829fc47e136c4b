// scanJsonRecords (json-records.ts) on a worker thread, so a large file is scanned while this thread does other
// work (VQAv2 val: the 158 MB annotations while the questions are read). The records come back as columns
// (json-records.worker.ts) and are handed to `onRecord` here, in file order, exactly as the scan on this
// thread hands them: same values, same give-up. Small files, or a process that cannot start a worker, scan here.
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { UserError } from '../../core/errors.ts';
import { workerScript } from '../../core/worker-script.ts';
import { type FieldSpec, scanJsonRecords } from './json-records.ts';
import type { ScanJob, ScanReply } from './json-records.worker.ts';

const SOURCE = new URL('./json-records.worker.ts', import.meta.url);
/** Below this a worker's start-up (~30 ms compiled) costs more than it saves. */
const WORKER_MIN_BYTES = 16 << 20;

/** scanJsonRecords' contract; the scan runs on a worker thread when the file is large. */
export async function scanJsonRecordsOffThread(
  file: string,
  arrayKey: string,
  fields: Record<string, FieldSpec>,
  onRecord: (values: unknown[]) => void,
  { minBytes = WORKER_MIN_BYTES }: { minBytes?: number } = {},
): Promise<boolean> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0, // scanJsonRecords names the file that cannot be read
  );
  if (size < minBytes) return scanJsonRecords(file, arrayKey, fields, onRecord);
  const reply = await inWorker({ file, arrayKey, fields });
  if ('error' in reply) throw new UserError(reply.error);
  if (!reply.ok) return false;
  const { count, strings, columns } = reply;
  const specs = Object.values(fields);
  const values: unknown[] = new Array(specs.length);
  const offsets = specs.map(() => 0);
  for (let r = 0; r < count; r++) {
    for (let f = 0; f < specs.length; f++) {
      const spec = specs[f];
      const c = columns[f];
      if (spec === 'number') {
        const v = (c as Float64Array)[r];
        values[f] = Number.isNaN(v) ? undefined : v;
      } else if (spec === 'string') {
        const i = (c as Int32Array)[r];
        values[f] = i < 0 ? undefined : strings[i];
      } else if (spec === 'text') values[f] = (c as (string | undefined)[])[r];
      else {
        const { lengths, items } = c as { lengths: Int32Array; items: Int32Array };
        const n = lengths[r];
        if (n < 0) values[f] = undefined;
        else {
          const list = new Array<string>(n);
          const from = offsets[f];
          for (let k = 0; k < n; k++) list[k] = strings[items[from + k]];
          offsets[f] = from + n;
          values[f] = list;
        }
      }
    }
    onRecord(values);
  }
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
