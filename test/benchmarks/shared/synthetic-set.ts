// Test helpers for the writeSynthetic tests: a small synthetic set on disk (sharp-drawn images of several aspect
// ratios, PNG and JPEG), and the round-trip checks every benchmark's test makes through its real adapter.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** A temp folder holding `images/` with the given images; `set` has them as its image folder. */
export async function syntheticSet(
  items: SyntheticItem[],
  images: TestImage[] = IMAGES,
): Promise<{ dir: string; set: SyntheticSet; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'synthetic-'));
  const imageDir = join(dir, 'images');
  await mkdir(imageDir, { recursive: true });
  for (const [i, img] of images.entries()) {
    const base = sharp({ create: { width: img.width, height: img.height, channels: 3, background: { r: 40 * i, g: 200 - 30 * i, b: 90 } } });
    await (img.name.endsWith('.png') ? base.png() : base.jpeg({ quality: 90 })).toFile(join(imageDir, img.name));
  }
  return { dir, set: { imageDir, items }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function loadAll(adapter: BenchmarkAdapter, root: string, options?: LoadOptions): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of adapter.load(root, options)) out.push(s);
  return out;
}

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
