import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import seed from '../../benchmarks/seed/index.ts';
import type { Sample } from '../../core/benchmark.ts';
import type { SyntheticItem } from '../../core/synthetic.ts';
import { checkRoundTrip, loadAll, otherLetter, syntheticSet, writtenSet } from './shared/synthetic-set.ts';

type SeedItem = Extract<SyntheticItem, { benchmark: 'seed' }>;
const item = (id: string, image: string, type: number, question: string, options: string[], answer: string): SeedItem => ({
  benchmark: 'seed',
  id,
  image,
  width: 0,
  height: 0,
  question,
  answer,
  target: answer,
  skill: 'scene',
  options,
  question_type_id: type,
});

// Answers A-D; several dimensions; img0 shared by three items, img2 a JPEG.
const ITEMS: SeedItem[] = [
  item('501', 'img0.png', 1, 'What is the overall scene?', ['a grid', 'a beach', 'a street', 'a room'], 'A'),
  item('502', 'img0.png', 5, 'How many circles are there?', ['1', '2', '3', '4'], 'B'),
  item('503', 'img0.png', 3, 'What color is the circle?', ['red', 'green', 'blue', 'white'], 'C'),
  item('504', 'img1.png', 6, 'Where is the square relative to the circle?', ['above', 'below', 'left', 'right'], 'D'),
  item('505', 'img2.jpg', 9, 'What does the word say?', ['CAT', 'DOG', 'SUN', 'MAP'], 'A'),
  item('506', 'img3.png', 4, 'Where is the star?', ['top left', 'top right', 'bottom left', 'bottom right'], 'C'),
];

describe('SEED writeSynthetic', () => {
  let cleanup: () => Promise<void>;
  let imageDir: string;
  let root: string;
  let ids: Map<string, string>;
  let samples: Sample[];
  beforeAll(async () => {
    ({ root, ids, samples, cleanup, imageDir } = await writtenSet(seed, ITEMS));
  });
  afterAll(() => cleanup());

  it('loads every item through the real adapter and scores its targets 100', async () => {
    expect(await seed.present(root)).toBe(true);
    checkRoundTrip(seed, ITEMS, samples, ids, {
      truth: (it) => it.answer,
      wrong: (it) => otherLetter(it as SeedItem),
      perfect: 100,
      options: (it) => (it as SeedItem).options,
    });
    expect(samples.map((s) => s.id)).toEqual(ITEMS.map((it) => it.id));
    expect(samples[1].prompt).toBe("How many circles are there?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer with the option's letter from the given choices directly.");
    expect(samples.every((s) => s.meta.fromLlavaFile === true && s.meta.dataType === 'image')).toBe(true);
    expect(samples.map((s) => s.meta.questionTypeId)).toEqual(ITEMS.map((it) => it.question_type_id));
    expect(samples[4].meta.dimension).toBe('Text Understanding');
    const image = await loadAll(seed, root, { split: 'image' });
    expect(image.map((s) => s.id)).toEqual(samples.map((s) => s.id));
  });

  it('copies each image once under SEED-Bench-image/, named by data_id', async () => {
    expect((await readdir(join(root, 'seed_bench', 'SEED-Bench-image'))).sort()).toEqual(['img0.png', 'img1.png', 'img2.jpg', 'img3.png']);
    const bench = JSON.parse(await readFile(join(root, 'seed_bench', 'SEED-Bench.json'), 'utf8'));
    expect(bench.questions[4]).toMatchObject({
      question_id: '505',
      data_id: 'img2.jpg',
      data_type: 'image',
      question_type_id: 9,
      answer: 'A',
      choice_d: 'MAP',
    });
    for (const [i, s] of samples.entries()) {
      const path = (s.image as { kind: 'file'; path: string }).path;
      expect((await readFile(path)).equals(await readFile(join(imageDir, ITEMS[i].image)))).toBe(true);
    }
  });

  it('refuses what SEED cannot hold', async () => {
    for (const [bad, why] of [
      [item('1', 'img0.png', 1, 'Q?', ['a', 'b', 'c'], 'A'), /exactly four/],
      [item('1', 'img0.png', 10, 'Q?', ['a', 'b', 'c', 'd'], 'A'), /1-9/],
    ] as const) {
      const made = await syntheticSet([bad]);
      try {
        await expect(seed.writeSynthetic!(join(made.dir, 'out'), made.set)).rejects.toThrow(why);
      } finally {
        await made.cleanup();
      }
    }
  });
});
