import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mme from '../../benchmarks/mme/index.ts';
import type { Sample } from '../../core/benchmark.ts';
import type { SyntheticItem } from '../../core/synthetic.ts';
import { checkRoundTrip, loadAll, syntheticSet, writtenSet } from './shared/synthetic-set.ts';

type MmeItem = Extract<SyntheticItem, { benchmark: 'mme' }>;
const item = (id: string, image: string, category: MmeItem['category'], question: string, answer: 'Yes' | 'No'): MmeItem => ({
  benchmark: 'mme',
  id,
  image,
  width: 0,
  height: 0,
  question,
  answer,
  target: answer,
  skill: category,
  category,
});

// Every category; existence has two images; one pair lists its "No" question first; img2 is a JPEG; img0 is
// asked about in two categories (a pair in each).
const ITEMS: MmeItem[] = [
  item('1', 'img0.png', 'existence', 'Is there a circle in this image?', 'Yes'),
  item('2', 'img0.png', 'existence', 'Is there a star in this image?', 'No'),
  item('3', 'img1.png', 'existence', 'Is there a square in this image?', 'No'),
  item('4', 'img1.png', 'existence', 'Is there a triangle in this image?', 'Yes'),
  item('5', 'img2.jpg', 'count', 'Are there three circles in this image?', 'Yes'),
  item('6', 'img2.jpg', 'count', 'Are there two circles in this image?', 'No'),
  item('7', 'img3.png', 'position', 'Is the circle on the left of the square?', 'Yes'),
  item('8', 'img3.png', 'position', 'Is the circle on the right of the square?', 'No'),
  item('9', 'img0.png', 'color', 'Is there a red circle in this image?', 'Yes'),
  item('10', 'img0.png', 'color', 'Is there a blue circle in this image?', 'No'),
  item('11', 'img1.png', 'OCR', 'Is the word in the image "CAT"?', 'Yes'),
  item('12', 'img1.png', 'OCR', 'Is the word in the image "DOG"?', 'No'),
];

describe('MME writeSynthetic', () => {
  let cleanup: () => Promise<void>;
  let root: string;
  let ids: Map<string, string>;
  let samples: Sample[];
  beforeAll(async () => {
    ({ root, ids, samples, cleanup } = await writtenSet(mme, ITEMS));
  });
  afterAll(() => cleanup());

  it('loads every item through the real adapter; perfect answers score 200 per subtask', async () => {
    expect(await mme.present(root)).toBe(true);
    checkRoundTrip(mme, ITEMS, samples, ids, {
      truth: (it) => it.answer.toLowerCase(),
      wrong: (it) => (it.answer === 'Yes' ? 'No' : 'Yes'),
      perfect: 5 * 200,
    });
    expect(ids.get('existence/img1.png#1')).toBe('3');
    expect(ids.get('color/img0.png#2')).toBe('10');
    const s = samples.find((x) => ids.get(x.id) === '11')!;
    expect(s.prompt).toBe('Is the word in the image "CAT"?\nAnswer the question using a single word or phrase.');
    expect(s.meta.officialQuestion).toBe('Is the word in the image "CAT"? Please answer yes or no.');
  });

  it('writes the official lists and the release folder as MME ships them', async () => {
    const gt = await readFile(join(root, 'MME/eval_tool/Your_Results/existence.txt'), 'utf8');
    expect(gt).toBe(
      'img0.png\tIs there a circle in this image? Please answer yes or no.\tYes\n' +
        'img0.png\tIs there a star in this image? Please answer yes or no.\tNo\n' +
        'img1.png\tIs there a square in this image? Please answer yes or no.\tNo\n' +
        'img1.png\tIs there a triangle in this image? Please answer yes or no.\tYes\n',
    );
    expect(await readFile(join(root, 'MME/MME_Benchmark_release_version/count/img2.txt'), 'utf8')).toBe(
      'Are there three circles in this image? Please answer yes or no.\tYes\nAre there two circles in this image? Please answer yes or no.\tNo\n',
    );
    // The release folder alone (no eval_tool, no LLaVA file) yields the same questions and ground truth.
    const alone = await mkdtemp(join(tmpdir(), 'mme-syn-release-'));
    try {
      await cp(join(root, 'MME/MME_Benchmark_release_version'), join(alone, 'MME/MME_Benchmark_release_version'), { recursive: true });
      const fromRelease = await loadAll(mme, alone);
      const key = (x: Sample) => `${x.id} ${x.answer} ${x.prompt}`;
      expect(fromRelease.map(key).sort()).toEqual(samples.map(key).sort());
    } finally {
      await rm(alone, { recursive: true, force: true });
    }
  });

  it('refuses an image that is not an MME pair', async () => {
    const bad = await syntheticSet([item('1', 'img0.png', 'count', 'Are there two?', 'Yes'), item('2', 'img0.png', 'count', 'Are there three?', 'Yes')]);
    try {
      await expect(mme.writeSynthetic!(join(bad.dir, 'out'), bad.set)).rejects.toThrow(/one Yes and one No/);
    } finally {
      await bad.cleanup();
    }
  });
});
