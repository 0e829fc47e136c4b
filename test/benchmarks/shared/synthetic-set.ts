// Test helpers for the writeSynthetic tests: a small synthetic set on disk (sharp-drawn images of several aspect
// ratios, PNG and JPEG), loading an adapter's samples, the round-trip checks every benchmark's test makes through
// its real adapter, and the VQA soft accuracy the official rule gives.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { expect } from 'vitest';
import type { Answer, BenchmarkAdapter, LoadOptions, Sample } from '../../../core/benchmark.ts';
import type { SyntheticItem, SyntheticSet } from '../../../core/synthetic.ts';

export interface TestImage {
  name: string;
  width: number;
  height: number;
}

/** Images of several shapes; the extension says the encoding. */
export const IMAGES: TestImage[] = [
  { name: 'img0.png', width: 96, height: 32 }, // wide 3:1
  { name: 'img1.png', width: 32, height: 96 }, // tall 1:3
  { name: 'img2.jpg', width: 64, height: 48 },
  { name: 'img3.png', width: 40, height: 40 },
];

/** Draw `specs` ([file name, width, height]) into `images/` in a new temp folder; the format follows the extension. */
export async function syntheticImages(specs: ReadonlyArray<readonly [string, number, number]>): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'synthetic-set-')), 'images');
  await mkdir(dir, { recursive: true });
  for (const [i, [name, width, height]] of specs.entries()) {
    // A colour per image (g = 200 - 30i, wrapped into 0-255).
    const img = sharp({ create: { width, height, channels: 3, background: { r: (40 * i) % 256, g: (200 + 226 * i) % 256, b: 90 } } });
    await (name.endsWith('.png') ? img.png() : img.jpeg({ quality: 90 })).toFile(join(dir, name));
  }
  return dir;
}

/** A temp folder holding `images/` with the given images; `set` has them as its image folder. */
export async function syntheticSet(
  items: SyntheticItem[],
  images: TestImage[] = IMAGES,
): Promise<{ dir: string; set: SyntheticSet; cleanup(): Promise<void> }> {
  const imageDir = await syntheticImages(images.map((im) => [im.name, im.width, im.height] as const));
  const dir = dirname(imageDir);
  return { dir, set: { imageDir, items }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface WrittenSet {
  /** The data root the adapter wrote into. */
  root: string;
  /** Where the drawn images are (the set's imageDir). */
  imageDir: string;
  /** writeSynthetic's sample id → item id map. */
  ids: Map<string, string>;
  /** What the adapter's own loader reads back, in file order. */
  samples: Sample[];
  cleanup(): Promise<void>;
}

/** `items` written by `adapter.writeSynthetic` into a new temp data root (images drawn in another) and read back by its loader. */
export async function writtenSet(adapter: BenchmarkAdapter, items: SyntheticItem[], images: TestImage[] = IMAGES): Promise<WrittenSet> {
  const made = await syntheticSet(items, images);
  const root = await mkdtemp(join(tmpdir(), `${adapter.id}-synthetic-`));
  const ids = await adapter.writeSynthetic!(root, made.set);
  const samples = await loadAll(adapter, root);
  return {
    root,
    imageDir: made.set.imageDir,
    ids,
    samples,
    cleanup: async () => {
      await made.cleanup();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function loadAll(adapter: BenchmarkAdapter, root: string, options?: LoadOptions): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of adapter.load(root, options ?? {})) out.push(s);
  return out;
}

export const answerMap = (pairs: Iterable<[string, string]>) => new Map<string, Answer>([...pairs].map(([id, text]) => [id, { id, text }]));

export interface RoundTrip {
  /** The ground truth the adapter should yield for an item. */
  truth(item: SyntheticItem): unknown;
  /** An answer that is wrong for the item. */
  wrong(item: SyntheticItem): string;
  /** The headline of all-right answers (100, or MME's perception sum). */
  perfect: number;
  /** Option texts the prompt must show, in letter order. */
  options?(item: SyntheticItem): string[];
}

/**
 * The checks every writeSynthetic test makes: one sample per item, the returned map joins samples to items,
 * prompts hold the question (and the options, lettered), the ground truth is the item's, and scoring the items'
 * targets gives the perfect headline while wrong answers score lower.
 */
export function checkRoundTrip(adapter: BenchmarkAdapter, items: SyntheticItem[], samples: Sample[], ids: Map<string, string>, rt: RoundTrip): void {
  expect(samples).toHaveLength(items.length);
  expect(ids.size).toBe(samples.length);
  const byId = new Map(items.map((it) => [it.id, it]));
  const sampleIds = new Set(samples.map((s) => s.id));
  for (const [sampleId, itemId] of ids) {
    expect(sampleIds.has(sampleId), `sample ${sampleId} loaded`).toBe(true);
    expect(byId.has(itemId), `item ${itemId} known`).toBe(true);
  }
  expect(new Set(ids.values()).size).toBe(items.length);
  const right = new Map<string, Answer>();
  const wrong = new Map<string, Answer>();
  for (const s of samples) {
    const item = byId.get(ids.get(s.id)!)!;
    expect(s.prompt).toContain(item.question);
    for (const [i, o] of (rt.options?.(item) ?? []).entries()) expect(s.prompt).toContain(`\n${String.fromCharCode(65 + i)}. ${o}`);
    expect(s.answer).toEqual(rt.truth(item));
    right.set(s.id, { id: s.id, text: item.target });
    wrong.set(s.id, { id: s.id, text: rt.wrong(item) });
  }
  const good = adapter.score(samples, right);
  expect(good.headline).toBeCloseTo(rt.perfect, 10);
  expect(good.counts).toMatchObject({ samples: items.length, missing: 0, errors: 0, failedExtraction: 0 });
  expect(adapter.score(samples, wrong).headline).toBeLessThan(rt.perfect);
}

/** The next option letter: a wrong answer for an MC item. */
export function otherLetter(item: { answer: string; options: string[] }): string {
  return String.fromCharCode(65 + ((item.answer.charCodeAt(0) - 65 + 1) % item.options.length));
}

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
