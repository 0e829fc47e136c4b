// Shared by the *-synthetic tests: a temp synthetic image folder (PNG and JPEG, many aspect ratios, drawn
// with sharp), loading an adapter's samples, and the VQA soft accuracy the official rule gives.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Answer, BenchmarkAdapter, Sample } from '../../core/benchmark.ts';

/** Draw `specs` ([file name, width, height]) into a new temp folder; the format follows the extension. */
export async function syntheticImages(specs: ReadonlyArray<[string, number, number]>): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'synthetic-set-')), 'images');
  await mkdir(dir, { recursive: true });
  for (const [i, [name, width, height]] of specs.entries()) {
    const img = sharp({ create: { width, height, channels: 3, background: { r: (60 * i) % 256, g: 120, b: 200 - 30 * i } } });
    await (name.endsWith('.png') ? img.png() : img.jpeg({ quality: 90 })).toFile(path.join(dir, name));
  }
  return dir;
}

export async function loadAll(adapter: BenchmarkAdapter, root: string, split?: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of adapter.load(root, split ? { split } : {})) out.push(s);
  return out;
}

export const answerMap = (pairs: Iterable<[string, string]>) => new Map<string, Answer>([...pairs].map(([id, text]) => [id, { id, text }]));

/** The official VQA rule on already-normalized strings: min(#matches among the other 9 / 3, 1), averaged over the 10 leave-one-out subsets. */
export function vqaSoft(answers: readonly string[], pred: string): number {
  let sum = 0;
  for (let i = 0; i < answers.length; i++) {
    const matches = answers.filter((a, j) => j !== i && a === pred).length;
    sum += Math.min(1, matches / 3);
  }
  return sum / answers.length;
}

export const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
