import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import sqa from '../../benchmarks/sqa/index.ts';
import type { Sample } from '../../core/benchmark.ts';
import type { SyntheticItem } from '../../core/synthetic.ts';
import { checkRoundTrip, IMAGES, otherLetter, writtenSet } from './shared/synthetic-set.ts';

type SqaItem = Extract<SyntheticItem, { benchmark: 'sqa' }>;
const item = (id: string, image: string, question: string, options: string[], answer: string, hint: string, subject: string, grade: string): SqaItem => ({
  benchmark: 'sqa',
  id,
  image,
  width: 0,
  height: 0,
  question,
  answer,
  target: answer,
  skill: 'color',
  options,
  hint,
  subject,
  grade,
});

// Two to four options; with and without a hint; img0 shared by two problems; img2 a JPEG (re-encoded as PNG).
const ITEMS: SqaItem[] = [
  item('7', 'img0.png', 'Which color is the circle?', ['red', 'blue'], 'B', '', 'natural science', 'grade2'),
  item('8', 'img0.png', 'How many circles are there?', ['one', 'two', 'three'], 'A', 'Count every circle.', 'natural science', 'grade4'),
  item('9', 'img1.png', 'Which word is shown?', ['cat', 'dog', 'sun', 'map'], 'D', '', 'language science', 'grade7'),
  item('10', 'img2.jpg', 'Where is the square?', ['left', 'right', 'middle'], 'C', 'The picture shows one square.', 'social science', 'grade9'),
];

describe('ScienceQA writeSynthetic', () => {
  let cleanup: () => Promise<void>;
  let imageDir: string;
  let root: string;
  let ids: Map<string, string>;
  let samples: Sample[];
  beforeAll(async () => {
    ({ root, ids, samples, cleanup, imageDir } = await writtenSet(sqa, ITEMS));
  });
  afterAll(() => cleanup());

  it('loads every item through the real adapter and scores its targets 100', async () => {
    expect(await sqa.present(root)).toBe(true);
    checkRoundTrip(sqa, ITEMS, samples, ids, {
      truth: (it) => it.answer,
      wrong: (it) => otherLetter(it as SqaItem),
      perfect: 100,
      options: (it) => (it as SqaItem).options,
    });
    expect(samples.map((s) => s.id)).toEqual(ITEMS.map((it) => it.id));
    expect(samples[1].prompt).toBe(
      "Context: Count every circle.\nHow many circles are there?\nA. one\nB. two\nC. three\nAnswer with the option's letter from the given choices directly.",
    );
    expect(samples[0].prompt.startsWith('Which color is the circle?\n')).toBe(true);
    expect(samples.map((s) => [s.meta.subject, s.meta.grade, s.meta.topic, s.meta.hasImage, s.meta.nChoices])).toEqual(
      ITEMS.map((it) => [it.subject, it.grade, it.skill, true, it.options.length]),
    );
  });

  it('gives the official breakdown from problems.json', () => {
    const right = new Map(samples.map((s) => [s.id, { id: s.id, text: ITEMS.find((it) => it.id === s.id)!.target }]));
    const score = sqa.score(samples, right);
    expect(score.metrics).toMatchObject({ 'official.NAT': 100, 'official.SOC': 100, 'official.LAN': 100, 'official.IMG': 100 });
  });

  it('writes images/test/<pid>/image.png, a JPEG re-encoded as PNG of the same size', async () => {
    for (const [i, s] of samples.entries()) {
      const path = (s.image as { kind: 'file'; path: string }).path;
      expect(path.endsWith(join('scienceqa', 'images', 'test', ITEMS[i].id, 'image.png'))).toBe(true);
      const meta = await sharp(path).metadata();
      const src = IMAGES.find((im) => im.name === ITEMS[i].image)!;
      expect([meta.format, meta.width, meta.height]).toEqual(['png', src.width, src.height]);
      if (src.name.endsWith('.png')) expect((await readFile(path)).equals(await readFile(join(imageDir, src.name)))).toBe(true);
    }
  });
});
