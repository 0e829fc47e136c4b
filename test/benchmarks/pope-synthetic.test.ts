import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import pope from '../../benchmarks/pope/index.ts';
import type { Sample } from '../../core/benchmark.ts';
import type { SyntheticItem } from '../../core/synthetic.ts';
import { checkRoundTrip, loadAll, syntheticSet, writtenSet } from './shared/synthetic-set.ts';

type PopeItem = Extract<SyntheticItem, { benchmark: 'pope' }>;
const item = (id: string, image: string, split: PopeItem['split'], object: string, answer: 'yes' | 'no'): PopeItem => ({
  benchmark: 'pope',
  id,
  image,
  width: 0,
  height: 0,
  question: `Is there a ${object} in the image?`,
  answer,
  target: answer === 'yes' ? 'Yes' : 'No',
  skill: 'exist',
  split,
  object,
});

// img0 is asked about in two splits, img2 (a JPEG) in one, img1 alone.
const ITEMS: PopeItem[] = [
  item('101', 'img0.png', 'adversarial', 'circle', 'yes'),
  item('102', 'img0.png', 'adversarial', 'square', 'no'),
  item('103', 'img2.jpg', 'adversarial', 'star', 'yes'),
  item('104', 'img2.jpg', 'adversarial', 'heart', 'no'),
  item('201', 'img1.png', 'popular', 'triangle', 'yes'),
  item('202', 'img1.png', 'popular', 'circle', 'no'),
  item('301', 'img0.png', 'random', 'circle', 'yes'),
  item('302', 'img2.jpg', 'random', 'cross', 'no'),
];

describe('POPE writeSynthetic', () => {
  let cleanup: () => Promise<void>;
  let root: string;
  let ids: Map<string, string>;
  let samples: Sample[];
  let imageDir: string;
  beforeAll(async () => {
    ({ root, ids, samples, cleanup, imageDir } = await writtenSet(pope, ITEMS));
  });
  afterAll(() => cleanup());

  it('loads every item through the real adapter and scores its targets 100', async () => {
    expect(await pope.present(root)).toBe(true);
    checkRoundTrip(pope, ITEMS, samples, ids, {
      truth: (it) => it.answer,
      wrong: (it) => (it.answer === 'yes' ? 'No' : 'Yes'),
      perfect: 100,
    });
    expect([...ids.entries()]).toEqual(ITEMS.map((it) => [it.id, it.id]));
    expect(samples[0].prompt).toBe('Is there a circle in the image?\nAnswer the question using a single word or phrase.');
    expect(samples.map((s) => s.meta.category)).toEqual(ITEMS.map((it) => it.split));
  });

  it('writes each image once, COCO-named, bytes unchanged', async () => {
    const files = (await readdir(join(root, 'pope', 'val2014'))).sort();
    expect(files).toEqual(['COCO_val2014_000000000101.png', 'COCO_val2014_000000000103.jpg', 'COCO_val2014_000000000201.png']);
    const byItem = new Map(ITEMS.map((it) => [it.id, it]));
    for (const s of samples) {
      const path = (s.image as { kind: 'file'; path: string }).path;
      const src = join(imageDir, byItem.get(ids.get(s.id)!)!.image);
      expect((await readFile(path)).equals(await readFile(src)), basename(path)).toBe(true);
    }
  });

  it('writes one split alone as the loader reads it', async () => {
    const random = await loadAll(pope, root, { split: 'random' });
    expect(random.map((s) => ids.get(s.id))).toEqual(['301', '302']);
    const right = new Map(random.map((s) => [s.id, { id: s.id, text: ITEMS.find((it) => it.id === ids.get(s.id))!.target }]));
    expect(pope.score(random, right).headline).toBe(100);
  });

  it('refuses items it cannot write', async () => {
    for (const [items, why] of [
      [[item('1', 'img0.png', 'adversarial', 'dog', 'yes'), item('01', 'img0.png', 'random', 'dog', 'no')], /same number/],
      [[item('1', 'img0.png', 'random', 'dog', 'yes'), item('2', 'img0.png', 'random', 'dog', 'no')], /same question/],
    ] as const) {
      const bad = await syntheticSet([...items]);
      try {
        await expect(pope.writeSynthetic!(join(bad.dir, 'out'), bad.set)).rejects.toThrow(why);
      } finally {
        await bad.cleanup();
      }
    }
  });
});
