// File helpers shared by the VQA-family adapters (VQAv2, GQA, VizWiz, TextVQA): streamed JSONL, whole
// JSON files with one-line errors, image paths kept inside the data root, and Python-style JSON output
// (so submission files match the ones LLaVA's converters write, byte for byte).
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { InputError, UserError } from '../../harness/errors.ts';

/** One JSONL record and its 1-based line number. Blank lines are skipped (Python's json.loads would fail, but a trailing newline is common). */
export async function* readJsonl(file: string): AsyncGenerator<{ value: any; line: number }> {
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      rl.close();
      throw new InputError(file, line, `malformed JSON line (${(err as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      rl.close();
      throw new InputError(file, line, 'expected a JSON object on this line');
    }
    yield { value, line };
  }
}

/** A whole JSON file (annotation files are single documents). */
export async function readJson(file: string): Promise<any> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    // Name the line: JSON.parse reports a character position.
    const m = /position (\d+)/.exec((err as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
    throw new InputError(file, line, `malformed JSON (${(err as Error).message})`);
  }
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
 * Resolve an image name from a data file against its folder, refusing anything that escapes the data root
 * ("../../etc/passwd", absolute paths): a data file must not make eve-eval read outside --data.
 */
export function resolveInside(dataRoot: string, folder: string, name: unknown, file: string, where: number | string): string {
  if (typeof name !== 'string' || name === '') throw new InputError(file, where, 'missing image file name');
  const root = path.resolve(dataRoot);
  const full = path.resolve(folder, name);
  const rel = path.relative(root, full);
  if (path.isAbsolute(name) || rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new InputError(file, where, `image path "${name}" escapes the data root`);
  }
  return full;
}

/** A required string field of a record. */
export function str(obj: any, key: string, file: string, where: number | string): string {
  const v = obj?.[key];
  if (typeof v !== 'string') throw new InputError(file, where, `field "${key}" must be a string`);
  return v;
}

/** json.dumps with Python's defaults: ", " and ": " separators and non-ASCII escaped as \\uXXXX. */
export function pyJsonDumps(value: unknown): string {
  const json = JSON.stringify(value, null, 0);
  // Re-space separators outside strings, and escape non-ASCII inside them.
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === '\\') {
        out += c + json[++i];
        continue;
      }
      if (c === '"') inString = false;
      const code = c.charCodeAt(0);
      out += code > 0x7f ? '\\u' + code.toString(16).padStart(4, '0') : c;
    } else {
      if (c === '"') inString = true;
      out += c === ',' ? ', ' : c === ':' ? ': ' : c;
    }
  }
  return out;
}
