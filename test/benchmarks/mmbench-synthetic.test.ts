import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import mmbench from '../../benchmarks/mmbench/index.ts';
import type { Sample } from '../../core/benchmark.ts';
import type { SyntheticItem } from '../../core/synthetic.ts';
import { checkRoundTrip, otherLetter, syntheticSet, writtenSet } from './shared/synthetic-set.ts';

type MMBenchItem = Extract<SyntheticItem, { benchmark: 'mmbench' }>;
const item = (
  id: string,
  image: string,
  question: string,
  options: string[],
  answer: string,
  hint: string | null,
  category: string,
  l2: string,
): MMBenchItem => ({
  benchmark: 'mmbench',
  id,
  image,
  width: 0,
  height: 0,
  question,
  answer,
  target: answer,
  skill: category,
  options,
  hint,
  category,
  l2_category: l2,
});

// Two, three and four options; no hint, a hint, a hint on two lines; an option with quotes and a tab-free comma;
// img0 shared by two items; img2 a JPEG.
const ITEMS: MMBenchItem[] = [
  item('11', 'img0.png', 'What is the main color of the image?', ['red', 'green', 'blue', 'yellow'], 'C', null, 'image_color', 'coarse_perception'),
  item('12', 'img0.png', 'Is the image wider than it is tall?', ['yes', 'no'], 'A', 'Compare the sides.', 'image_style', 'coarse_perception'),
  item(
    '13',
    'img1.png',
    'Which shape is shown?',
    ['circle', 'square', 'triangle'],
    'B',
    'Look closely.\nThere is one shape.',
    'attribute_recognition',
    'finegrained_perception (instance-level)',
  ),
  item('14', 'img2.jpg', 'Which word is written?', ['"CAT"', 'DOG, BIRD', 'FISH'], 'A', null, 'ocr', 'finegrained_perception (instance-level)'),
  item('15', 'img3.png', 'Where is the circle?', ['left', 'right'], 'B', '', 'spatial_relationship', 'relation_reasoning'),
];

describe('MMBench writeSynthetic', () => {
  let cleanup: () => Promise<void>;
  let imageDir: string;
  let root: string;
  let ids: Map<string, string>;
  let samples: Sample[];
  beforeAll(async () => {
    ({ root, ids, samples, cleanup, imageDir } = await writtenSet(mmbench, ITEMS));
  });
  afterAll(() => cleanup());

  it('loads every item through the real adapter and scores its targets 100', async () => {
    expect(await mmbench.present(root)).toBe(true);
    checkRoundTrip(mmbench, ITEMS, samples, ids, {
      truth: (it) => it.answer,
      wrong: (it) => otherLetter(it as MMBenchItem),
      perfect: 100,
      options: (it) => (it as MMBenchItem).options,
    });
    expect([...ids.entries()]).toEqual(ITEMS.map((it) => [it.id, it.id]));
    expect(samples[2].prompt).toBe(
      "Look closely.\nThere is one shape.\nWhich shape is shown?\nA. circle\nB. square\nC. triangle\nAnswer with the option's letter from the given choices directly.",
    );
    expect(samples[0].prompt.startsWith('What is the main color')).toBe(true); // no hint line
    expect(samples[4].prompt.startsWith('Where is the circle?')).toBe(true); // an empty hint is no hint
    expect(samples.map((s) => s.choices)).toEqual(ITEMS.map((it) => it.options));
    expect(samples.map((s) => [s.meta.category, s.meta.l2category])).toEqual(ITEMS.map((it) => [it.category, it.l2_category]));
  });

  it('embeds each row its image file, base64', async () => {
    for (const [i, s] of samples.entries()) {
      expect(s.image?.kind).toBe('base64');
      const data = (s.image as { kind: 'base64'; data: string }).data;
      expect(Buffer.from(data, 'base64').equals(await readFile(join(imageDir, ITEMS[i].image)))).toBe(true);
    }
  });

  it('refuses what the TSV cannot hold', async () => {
    for (const [bad, why] of [
      [item('1', 'img0.png', 'Q?', ['one', 'None'], 'A', null, 'c', 'l2'), /NaN/],
      [item('1000001', 'img0.png', 'Q?', ['one', 'two'], 'A', null, 'c', 'l2'), /at most 999999/],
      [item('2', 'img0.png', 'Q?', ['one', 'two'], 'C', null, 'c', 'l2'), /option letters/],
    ] as const) {
      const made = await syntheticSet([bad]);
      try {
        await expect(mmbench.writeSynthetic!(join(made.dir, 'out'), made.set)).rejects.toThrow(why);
      } finally {
        await made.cleanup();
      }
    }
  });
});
