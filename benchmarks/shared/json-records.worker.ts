// A worker thread that runs scanJsonRecords (json-records.ts) on one file and sends the fields back as
// columns (json-records-thread.ts): typed arrays, moved rather than copied, and one table of the interned strings.
import { parentPort } from 'node:worker_threads';
import { type FieldSpec, scanJsonRecords } from './json-records.ts';

export interface ScanJob {
  file: string;
  arrayKey: string;
  fields: Record<string, FieldSpec>;
}

/**
 * One column per field, in the fields' order: 'number' a Float64Array (NaN: absent; JSON has no NaN);
 * 'string' an Int32Array of indices into `strings` (-1: absent); 'text' the strings themselves;
 * `{ arrayOf }` each record's length (-1: absent) and all the items' indices into `strings`, in order.
 */
export type Column = Float64Array | Int32Array | (string | undefined)[] | { lengths: Int32Array; items: Int32Array };

export type ScanReply = { ok: true; count: number; strings: string[]; columns: Column[] } | { ok: false } | { error: string };

/** An Int32Array that grows as values are pushed. */
class Int32Column {
  data = new Int32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

async function scan(job: ScanJob): Promise<{ reply: ScanReply; transfer: ArrayBuffer[] }> {
  const specs = Object.values(job.fields);
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const numbers: number[][] = specs.map(() => []);
  const ints = specs.map(() => new Int32Column());
  const items = specs.map(() => new Int32Column());
  const texts: (string | undefined)[][] = specs.map(() => []);
  let count = 0;
  const ok = await scanJsonRecords(job.file, job.arrayKey, job.fields, (values) => {
    count++;
    for (let f = 0; f < specs.length; f++) {
      const spec = specs[f];
      const v = values[f];
      if (spec === 'number') numbers[f].push(v === undefined ? NaN : (v as number));
      else if (spec === 'string') ints[f].push(v === undefined ? -1 : intern(v as string));
      else if (spec === 'text') texts[f].push(v as string | undefined);
      else if (v === undefined) ints[f].push(-1);
      else {
        const list = v as string[];
        ints[f].push(list.length);
        for (const s of list) items[f].push(intern(s));
      }
    }
  });
  if (!ok) return { reply: { ok: false }, transfer: [] };
  const columns: Column[] = specs.map((spec, f) => {
    if (spec === 'number') return Float64Array.from(numbers[f]);
    if (spec === 'string') return ints[f].done();
    if (spec === 'text') return texts[f];
    return { lengths: ints[f].done(), items: items[f].done() };
  });
  const transfer: ArrayBuffer[] = [];
  for (const c of columns) {
    if (c instanceof Float64Array || c instanceof Int32Array) transfer.push(c.buffer as ArrayBuffer);
    else if (!Array.isArray(c)) transfer.push(c.lengths.buffer as ArrayBuffer, c.items.buffer as ArrayBuffer);
  }
  return { reply: { ok: true, count, strings, columns }, transfer };
}

parentPort!.on('message', async (job: ScanJob) => {
  try {
    const { reply, transfer } = await scan(job);
    parentPort!.postMessage(reply, transfer);
  } catch (err) {
    // The scan's own errors (a file that cannot be read) carry their message; the main thread rethrows it.
    parentPort!.postMessage({ error: String((err as Error)?.message ?? err) } satisfies ScanReply);
  }
});
