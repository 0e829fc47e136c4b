// The fields of scanJsonRecords (json-records.ts) gathered as columns rather than handed over per record:
// typed arrays and one table of the interned strings, which a worker thread moves to the caller rather than
// copying (json-records-thread.ts), and which a caller reads by row without an object per record (VQAv2 val's
// 214k annotations become four arrays, not 214k objects and a map).
import { type FieldSpec, scanJsonRecords } from './json-records.ts';

/**
 * One column per field, in the fields' order: 'number' a Float64Array (NaN: absent; JSON has no NaN);
 * 'string' an Int32Array of indices into `strings` (-1: absent); 'text' and 'scalar' the values themselves;
 * `{ arrayOf }` each record's length (-1: absent) and all the items' indices into `strings`, in order.
 */
export type Column = Float64Array | Int32Array | (string | number | undefined)[] | { lengths: Int32Array; items: Int32Array };

export interface RecordColumns {
  count: number;
  strings: string[];
  columns: Column[];
}

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

/** scanJsonRecords on this thread, into columns; false when the scan gives up. */
export async function scanColumns(file: string, arrayKey: string, fields: Record<string, FieldSpec>): Promise<RecordColumns | false> {
  const specs = Object.values(fields);
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
  const texts: (string | number | undefined)[][] = specs.map(() => []);
  let count = 0;
  const ok = await scanJsonRecords(file, arrayKey, fields, (values) => {
    count++;
    for (let f = 0; f < specs.length; f++) {
      const spec = specs[f];
      const v = values[f];
      if (spec === 'number') numbers[f].push(v === undefined ? NaN : (v as number));
      else if (spec === 'string') ints[f].push(v === undefined ? -1 : intern(v as string));
      else if (spec === 'text' || spec === 'scalar') texts[f].push(v as string | number | undefined);
      else if (v === undefined) ints[f].push(-1);
      else {
        const list = v as string[];
        ints[f].push(list.length);
        for (const s of list) items[f].push(intern(s));
      }
    }
  });
  if (!ok) return false;
  const columns: Column[] = specs.map((spec, f) => {
    if (spec === 'number') return Float64Array.from(numbers[f]);
    if (spec === 'string') return ints[f].done();
    if (spec === 'text' || spec === 'scalar') return texts[f];
    return { lengths: ints[f].done(), items: items[f].done() };
  });
  return { count, strings, columns };
}

/** The buffers of the typed columns (what postMessage moves instead of copying). */
export function columnBuffers(columns: readonly Column[]): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const c of columns) {
    if (c instanceof Float64Array || c instanceof Int32Array) buffers.push(c.buffer as ArrayBuffer);
    else if (!Array.isArray(c)) buffers.push(c.lengths.buffer as ArrayBuffer, c.items.buffer as ArrayBuffer);
  }
  return buffers;
}

/** The records back from their columns, handed to `onRecord` in file order as scanJsonRecords hands them. */
export function eachRecord(scanned: RecordColumns, fields: Record<string, FieldSpec>, onRecord: (values: unknown[]) => void): void {
  const { count, strings, columns } = scanned;
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
      } else if (spec === 'text' || spec === 'scalar') values[f] = (c as (string | number | undefined)[])[r];
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
}
