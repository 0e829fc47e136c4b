// How VLMEvalKit's TSVs write an answer list: Python's repr() of a list of str (for the fixtures' strings:
// plain text, quotes and backslashes; repr picks double quotes for a string with ' and no "), and the files
// the VLMEvalKit-TSV tests write.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Answer, Sample } from '../../core/benchmark.ts';
export const pyRepr = (s: string) => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`);
export const pyListRepr = (items: string[]) => `[${items.map(pyRepr).join(', ')}]`;

/** A sample's image file as a TSV image cell. */
export const fileBase64 = (s: Sample) => readFileSync((s.image as { path: string }).path).toString('base64');

/** Each sample read from a TSV carries, decoded, the bytes of the image file of `from`'s sample at `pick(i)`. */
export function expectSameImages(tsv: Sample[], from: Sample[], pick = (i: number) => i): void {
  tsv.forEach((s, i) => {
    expect(Buffer.from((s.image as { data: string }).data, 'base64').equals(readFileSync((from[pick(i)].image as { path: string }).path)), s.id).toBe(true);
  });
}

/** DIR/<folder>/<name>.tsv with these lines (header first). */
export async function writeDatasetTsv(dir: string, folder: string, name: string, lines: string[]): Promise<string> {
  await mkdir(join(dir, folder), { recursive: true });
  const file = join(dir, folder, `${name}.tsv`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** A VLMEvalKit result sheet (index, prediction) for samples read from a TSV, one row per sample. */
export function writeResultSheet(file: string, samples: Sample[], answers: Map<string, Answer>): void {
  writeFileSync(file, ['"index"\t"prediction"', ...samples.map((s) => `"${s.meta.vlmevalkitIndex}"\t"${answers.get(s.id)!.text}"`)].join('\n') + '\n');
}
