// A few fields of every record of one large array in a JSON document (VQAv2's 158 MB "annotations": per
// question only question_id, answers[].answer, question_type, answer_type), scanned over raw bytes without
// building the records: no JSON.parse of the array, no object per record or per answer, no string for a field
// nobody reads, and the short strings that repeat (answers, types) interned. The whole document is still
// checked against JSON's grammar (structure, numbers, literals, escapes, no raw control characters in
// strings), so what the scan accepts JSON.parse accepts, and gives the same values. Anything it does not
// expect (a record that is not an object, a field of another type than asked, a duplicate array key, broken
// JSON) makes it give up and answer false: the caller then reads the file the general way (json-array-stream.ts),
// which gives the same values or the same error.
//
// JSON Lines (VQAv2's 44 MB of answer lines: 214,354 objects) are scanned the same way, by the same C, one
// line per record, each with its line number. What the scan hands over is what data-files.ts's readJsonl
// reads: lines split at \n, \r\n and a lone \r, a BOM before the first line dropped, a line empty or of spaces
// and tabs skipped but counted, every other line one JSON value. It gives up where readJsonl fails, where a
// line is not one object of the fields' types, and on a blank line of whitespace JSON does not have (\v,
// U+00A0: trim() calls it blank, JSON.parse would not): the caller then reads it with readJsonl, which says
// what is wrong. ~50 ms where readJsonl's JSON.parse per line takes ~300.
//
// The bytes are scanned in WebAssembly (json-records/scan.c, built into the committed scan.wasm): VQAv2's
// annotations in ~150 ms, where the same loops in JS took ~800. The file is read in pieces (4 MB) straight
// into the instance's memory, two buffers of it: the next piece is read into one while the other is scanned,
// so memory stays bounded and the reads cost no time on this thread. Each call into C hands back up to 1024
// records, one slot per field: a number (its value where C computes it exactly, else its digits for
// Number()), an interned string's id, a string's place, or a list of those. C interns short ASCII strings in
// a hash table and says which ids are new; this side makes each new one's string once, and then hands over
// strings[id]: the same bytes give the same string object. The other strings C copies, escapes decoded, one
// after the other into the call's texts, which this side turns into one string and slices: one string per
// call rather than one per field, which is most of the time the JS side took (a slice of 13 characters or
// more keeps that whole string alive, the texts of up to 1024 records, no more than a caller keeping all of
// them keeps). Strings with bytes above ASCII are decoded from UTF-8 one by one, so broken UTF-8 comes out as
// decoding the whole file gives it (an escape decodes to a whole UTF-8 sequence, which changes nothing
// there). Those with a lone surrogate, which UTF-8 cannot hold, are decoded by JSON.parse of their quoted
// span. A list's strings that are not interned (rare: long, escaped or non-ASCII answers) are not copied but
// decoded where they lie, by JSON.parse when escaped. An instance scans one file at a time; this thread keeps
// one between scans.
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { unreadable } from './data-files.ts';

/**
 * What to take from each record: 'string' (interned: short strings that repeat), 'text' (a string, not
 * interned), 'number', 'scalar' (a string, as 'text', or a number), or `{ arrayOf: name }`: an array of
 * objects, each one's string field `name` (interned). A field that is absent gives undefined; one of another
 * type makes the scan give up.
 */
export type FieldSpec = 'string' | 'text' | 'number' | 'scalar' | { arrayOf: string };

const WASM = new WebAssembly.Module(readFileSync(new URL('./json-records/scan.wasm', import.meta.url)));
interface Scanner {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  init(specBytes: number): number;
  reserve(bytes: number): number;
  scan(from: number, to: number, eof: number): number;
}
/** The instance kept for the next scan on this thread (a second scan meanwhile makes its own). */
const idle: Scanner[] = [];
/** An instance whose memory grew past this (a very long record) is dropped after its scan. */
const KEEP_BYTES = 64 << 20;

// scan()'s answers, the slot tags and the string flags of scan.c.
const NEED = 0;
const MORE = 1;
const DONE = 2;
const ABSENT = 0;
const NUM = 1;
const NUMTEXT = 2;
const ID = 3;
const LIST = 4;
const TXT = 16;
const ESCAPED = 1;
const HIGH = 2;
// The words of scan.c's `out`.
const CUR = 0;
const NREC = 1;
const RECS = 2;
const ITEMS = 3;
const NNEWS = 4;
const NEWS = 5;
const LINES = 6;
const TEXTS = 7;
const NTEXT = 8;
/** Room scan.c needs after the bytes in hand. */
const SLACK = 32;

/** scan.c's field kinds; `{ arrayOf }` is 3. */
const KINDS = { number: 0, string: 1, text: 2, scalar: 4 } as const;

/**
 * Scan `file`, a JSON object whose top-level field `arrayKey` is an array of objects; `onRecord` gets, per
 * record in file order, the values of `fields` in their order (the array is reused: copy what you keep).
 * Resolves true when the whole file was scanned, false when the scan gave up (nothing is known then, and
 * `onRecord` may have been called for some records: start again the general way).
 */
export function scanJsonRecords(
  file: string,
  arrayKey: string,
  fields: Record<string, FieldSpec>,
  onRecord: (values: unknown[]) => void,
  { chunkBytes = 4 << 20 }: { chunkBytes?: number } = {},
): Promise<boolean> {
  return scanFile(file, arrayKey, fields, (values) => onRecord(values), chunkBytes); // (no line numbers here)
}

/**
 * Scan `file`, JSON Lines: one object per line, lines ending at \n, \r\n or a lone \r, a line empty or of
 * spaces and tabs skipped, a UTF-8 BOM before the first ignored (as data-files.ts's readJsonl reads it).
 * `onRecord` gets, per object in file order, the values of `fields` in their order (the array is reused) and
 * its 1-based line number. Resolves false when the scan gave up, as scanJsonRecords does: on a line that is
 * not one object, a field of another type than asked, broken JSON, a blank line of other whitespace.
 */
export function scanJsonLines(
  file: string,
  fields: Record<string, FieldSpec>,
  onRecord: (values: unknown[], line: number) => void,
  { chunkBytes = 4 << 20 }: { chunkBytes?: number } = {},
): Promise<boolean> {
  return scanFile(file, null, fields, onRecord, chunkBytes);
}

/** Either scan: of the array `arrayKey` of one document, or of JSON Lines when that is null. */
async function scanFile(
  file: string,
  arrayKey: string | null,
  fields: Record<string, FieldSpec>,
  onRecord: (values: unknown[], line: number) => void,
  chunkBytes: number,
): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw unreadable(file, err);
  }
  const specs = Object.values(fields);
  const names = [arrayKey ?? '', ...Object.keys(fields).flatMap((k, f) => [k, (specs[f] as { arrayOf?: string }).arrayOf ?? ''])];
  // Names are compared as UTF-8 bytes: one with a lone surrogate has none, and one with U+FFFD would equal a
  // key of broken UTF-8 that JSON.parse decodes to it.
  if (names.some((s) => s.includes('\ufffd') || Buffer.from(s).toString() !== s)) {
    await handle.close();
    return false;
  }
  const e = idle.pop() ?? (new WebAssembly.Instance(WASM, {}).exports as unknown as Scanner);
  let next: Promise<{ bytesRead: number }> | undefined; // a read in flight
  try {
    const bytes = names.map((s) => Buffer.from(s));
    const head = new Int32Array(3 + 3 * specs.length);
    head[0] = arrayKey === null ? 1 : 0;
    head[1] = specs.length;
    head[2] = bytes[0].length;
    specs.forEach((s, f) => head.set([typeof s === 'object' ? 3 : KINDS[s], bytes[1 + 2 * f].length, bytes[2 + 2 * f].length], 3 + 3 * f));
    const spec = Buffer.concat([new Uint8Array(head.buffer), ...bytes]);
    const heapBase = e.__heap_base.value as number;
    const short = heapBase + spec.length - e.memory.buffer.byteLength;
    if (short > 0) e.memory.grow(Math.ceil(short / 65536));
    new Uint8Array(e.memory.buffer).set(spec, heapBase);
    const out = e.init(spec.length) >> 2;

    // Views of the memory, made again when it grows.
    let mem: ArrayBufferLike = e.memory.buffer;
    let u8 = Buffer.from(mem);
    let i32 = new Int32Array(mem);
    let f64 = new Float64Array(mem);
    const views = () => {
      if (e.memory.buffer === mem) return;
      mem = e.memory.buffer;
      u8 = Buffer.from(mem);
      i32 = new Int32Array(mem);
      f64 = new Float64Array(mem);
    };

    const strings: string[] = [];
    const text = (flags: number, at: number, n: number): string =>
      flags & ESCAPED ? (JSON.parse(u8.toString('utf8', at - 1, at + n + 1)) as string) : u8.toString(flags & HIGH ? 'utf8' : 'latin1', at, at + n);
    let texts = 0; // this call's texts: where they lie, and all of them as one string
    let all = '';
    const value = (s: number, items: number): unknown => {
      const tag = i32[s];
      if (tag === ID) return strings[i32[s + 1]];
      if (tag === NUM) return f64[(s >> 1) + 1];
      if (tag === ABSENT) return undefined;
      if (tag & TXT) {
        const at = i32[s + 1];
        return tag & HIGH ? u8.toString('utf8', texts + at, texts + at + i32[s + 2]) : all.slice(at, at + i32[s + 2]);
      }
      if (tag === LIST) {
        const list: string[] = [];
        for (let k = i32[s + 2], w = items + i32[s + 1]; k > 0; k--) {
          const v = i32[w++];
          if (v >= 0) list.push(strings[v]);
          else {
            list.push(text(-1 - v, i32[w], i32[w + 1]));
            w += 2;
          }
        }
        return list;
      }
      if (tag === NUMTEXT) return Number(u8.toString('latin1', i32[s + 1], i32[s + 1] + i32[s + 2]));
      return text(tag, i32[s + 1], i32[s + 2]);
    };
    /** Hands over what the last scan() call found: its new strings first, then its records. */
    const values: unknown[] = new Array(specs.length);
    const take = () => {
      views();
      for (let k = i32[out + NNEWS], w = i32[out + NEWS] >> 2; k > 0; k--, w += 2) strings.push(u8.toString('latin1', i32[w], i32[w] + i32[w + 1]));
      texts = i32[out + TEXTS];
      all = u8.toString('latin1', texts, texts + i32[out + NTEXT]);
      const items = i32[out + ITEMS] >> 2;
      let s = i32[out + RECS] >> 2;
      for (let r = 0, n = i32[out + NREC], lines = i32[out + LINES] >> 2; r < n; r++) {
        for (let f = 0; f < values.length; f++, s += 4) values[f] = value(s, items);
        onRecord(values, i32[lines + r]);
      }
    };

    // Two buffers, each with room for what the scan of the last piece left unfinished (a record the piece's
    // end cut) and then a piece: the next piece is read into one while the other is scanned, and what was
    // left is copied in just before it. A record longer than the room makes both bigger. (The memory is a
    // SharedArrayBuffer: growing it never moves it from under a read in flight.)
    let size = Math.max(16, chunkBytes);
    const buffers = () => {
      if (2 * size + SLACK >= 2 ** 32) throw new RangeError('a record of 2 GB or more');
      return [e.reserve(2 * size + SLACK), e.reserve(2 * size + SLACK)];
    };
    let bufs = buffers();
    views();
    let n = (await handle.read(u8, bufs[0] + size, size, 0)).bytesRead;
    let pos = n;
    let from = bufs[0] + size;
    let to = from + n;
    for (let k = 0; ; k = 1 - k) {
      next = n === 0 ? undefined : handle.read(u8, bufs[1 - k] + size, size, pos);
      let status;
      do {
        status = e.scan(from, to, n === 0 ? 1 : 0);
        take();
        from = i32[out + CUR];
      } while (status === MORE);
      if (status !== NEED) return status === DONE;
      n = (await next!).bytesRead;
      next = undefined;
      pos += n;
      const left = to - from;
      if (left > size) {
        const piece = bufs[1 - k] + size;
        size = 2 * left;
        bufs = buffers();
        views();
        u8.copyWithin(bufs[1 - k] + size, piece, piece + n);
      }
      u8.copyWithin(bufs[1 - k] + size - left, from, to);
      from = bufs[1 - k] + size - left;
      to = bufs[1 - k] + size + n;
    }
  } catch (e) {
    // Out of memory (a huge record), or what a string's decoding refused: the general way says what it is.
    if (e instanceof RangeError || e instanceof SyntaxError || e instanceof WebAssembly.RuntimeError) return false;
    throw e;
  } finally {
    await next?.catch(() => {});
    await handle.close();
    if (idle.length === 0 && e.memory.buffer.byteLength <= KEEP_BYTES) idle.push(e);
  }
}
