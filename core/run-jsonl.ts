// The JSONL files a run writes (predictions, sample summaries) are appended one whole line per write,
// so text after the last newline can only be a write torn by kill -9: it is dropped, even if it happens
// to parse. Any other bad line is an InputError naming the file and line. One reader for all of them.
import { readFile } from 'node:fs/promises';
import { InputError } from './errors.ts';

export function parseRunJsonl<T>(text: string, file: string, isRecord: (v: unknown) => v is T, what: string): { records: T[]; tornTail: boolean } {
  const lines = text.split('\n');
  const tail = lines.pop() ?? ''; // '' when the file ends with a newline
  const records: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new InputError(file, i + 1, 'not valid JSON (delete the line, or the file to rerun those samples)');
    }
    if (!isRecord(v)) throw new InputError(file, i + 1, `not ${what}`);
    records.push(v);
  }
  return { records, tornTail: tail.trim() !== '' };
}

/** The records of a run file, the last line per id winning (a resumed run rewrites reruns). */
export async function readRunJsonl<T extends { id: string }>(file: string, isRecord: (v: unknown) => v is T, what: string): Promise<Map<string, T>> {
  const { records } = parseRunJsonl(await readFile(file, 'utf8'), file, isRecord, what);
  return new Map(records.map((r) => [r.id, r]));
}
