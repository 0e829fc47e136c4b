// Reading benchmark data files, written once for every adapter and for harness/predictions.ts: streamed
// JSONL and whole JSON documents with one-line errors naming file and line, the small existence checks,
// and the rule that an image path from a data file stays inside the data root.
import { existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, UserError } from '../../core/errors.ts';

export interface JsonLine<T = unknown> {
  value: T;
  /** 1-based line number in the file, for error messages. */
  line: number;
}

/**
 * Streams a JSON-lines file. Blank lines are skipped (Python's json.loads would fail on them, but a trailing
 * newline is common), a leading BOM is dropped, a malformed line is an InputError naming file:line, and a
 * missing file is a UserError. Lines end at \n, \r\n or a lone \r, as node:readline splits them.
 */
export async function* readJsonl(file: string): AsyncGenerator<JsonLine> {
  for await (const batch of readJsonlBatches(file)) yield* batch;
}

/**
 * readJsonl a few hundred lines at a time (one array per 64 KB read): for files of 10^5+ lines, where one
 * await per line costs more than parsing it. Larger reads make each read's text a large object that only a
 * full GC frees: with 4 MB reads, scoring VQAv2 val's 44 MB of answer lines peaked ~40 MB higher, no faster.
 * The lines before a malformed one are handed over first, then its error is thrown, so errors come in file
 * order as with readJsonl.
 */
export async function* readJsonlBatches(file: string): AsyncGenerator<JsonLine[]> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${file}: no such file`);
    throw err;
  }
  try {
    const chunk = Buffer.allocUnsafe(1 << 16);
    let carry: Buffer | null = null; // the bytes after the last line break read so far
    let line = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      const eof = bytesRead === 0;
      let data = chunk.subarray(0, bytesRead);
      if (carry) {
        data = Buffer.concat([carry, data]);
        carry = null;
      }
      let upto = data.length;
      if (!eof) {
        // Whole lines only (a \n never sits inside a UTF-8 sequence), the rest kept for the next read.
        const nl = data.lastIndexOf(0x0a);
        if (nl < 0) {
          carry = Buffer.from(data);
          continue;
        }
        upto = nl + 1;
        carry = Buffer.from(data.subarray(upto));
      }
      const text = data.toString('utf8', 0, upto);
      const lines = text.includes('\r') ? text.split(/\r?\n|\r(?!\n)/) : text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop(); // after the last break: not a line
      const batch: JsonLine[] = [];
      let failure: InputError | undefined;
      for (let raw of lines) {
        line++;
        if (line === 1) raw = raw.replace(/^\uFEFF/, '');
        if (raw.charCodeAt(0) !== 0x7b && raw.trim() === '') continue;
        try {
          batch.push({ value: JSON.parse(raw), line });
        } catch (err) {
          failure = new InputError(file, line, `malformed JSON (${(err as Error).message})`);
          break;
        }
      }
      if (batch.length) yield batch;
      if (failure) throw failure;
      if (eof) return;
    }
  } finally {
    await handle.close();
  }
}

/** readJsonl for files of one JSON object per line (question and answer files); anything else is an InputError. */
export async function* readJsonlObjects(file: string): AsyncGenerator<JsonLine<Record<string, any>>> {
  for await (const { value, line } of readJsonl(file)) {
    if (!isObject(value)) throw new InputError(file, line, 'expected a JSON object on this line');
    yield { value, line };
  }
}

/** The one-line error for a data file that cannot be opened or read. */
export function unreadable(file: string, err: unknown): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  return new UserError(code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read (${code ?? (err as Error).message})`);
}

/** A whole JSON file (annotation files are single documents); errors name the file and, where known, the line. */
export async function readJson(file: string): Promise<any> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw unreadable(file, err);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    // Name the line: JSON.parse reports a character position.
    const m = /position (\d+)/.exec((err as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
    throw new InputError(file, line, `malformed JSON (${(err as Error).message})`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A required string field of a record. */
export function str(obj: any, key: string, file: string, where: number | string): string {
  const v = obj?.[key];
  if (typeof v !== 'string') throw new InputError(file, where, `field "${key}" must be a string`);
  return v;
}

/** The first path that exists, or undefined. */
export function firstExisting(candidates: string[]): string | undefined {
  return candidates.find((p) => existsSync(p));
}

export async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolve an image name from a data file against `folder`, refusing anything that escapes `root`
 * ("../../etc/passwd", absolute paths, the root itself): a data file must not make eve-eval read outside
 * the data folder. The check is on the resolved path text only; symlinks inside the root are not
 * followed here, so a researcher may link an image folder in from elsewhere on purpose.
 */
export function resolveInside(root: string, folder: string, name: unknown, file: string, where: number | string): string {
  if (typeof name !== 'string' || name === '') throw new InputError(file, where, 'missing image file name');
  const full = path.resolve(folder, name);
  const rel = path.relative(path.resolve(root), full);
  const outside = rel === '' || rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel);
  if (path.isAbsolute(name) || outside) throw new InputError(file, where, `image path "${name}" escapes the data root`);
  return full;
}

/** The non-blank lines of a text file (TSV ground truth, results folders) with their 1-based line numbers. */
export async function readTextLines(file: string): Promise<JsonLine<string>[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const out: JsonLine<string>[] = [];
  for (let i = 0; i < lines.length; i++) if (lines[i].trim() !== '') out.push({ value: lines[i], line: i + 1 });
  return out;
}

/**
 * obj[key] for a key that comes from data (a question id), own properties only: a parsed JSON object
 * would otherwise answer "constructor" or "toString" with Object.prototype's functions.
 */
export function ownValue<T>(obj: Record<string, T> | null | undefined, key: string): T | undefined {
  return obj && Object.hasOwn(obj, key) ? obj[key] : undefined;
}
