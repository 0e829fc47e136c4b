import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import vqav2 from '../../benchmarks/vqav2/index.ts';
import type { Sample } from '../../core/benchmark.ts';
import type { SyntheticItem } from '../../core/synthetic.ts';
import { SHORT_ANSWER } from '../../benchmarks/shared/instructions.ts';
import { answerMap, loadAll, mean, syntheticImages, vqaSoft, writtenSet } from './shared/synthetic-set.ts';

type Item = Extract<SyntheticItem, { benchmark: 'vqav2' }>;
const base = { benchmark: 'vqav2' as const, skill: 'color' };
const ITEMS: Item[] = [
  {
    ...base,
    id: '5001',
    image: 'shapes_0.png',
    width: 640,
    height: 480,
    question: 'What color is the square?',
    answer: 'red',
    target: 'red',
    answers: Array(10).fill('red'),
    question_type: 'what color is the',
    answer_type: 'other',
  },
  // Shares shapes_0.png: one image id, one file.
  {
    ...base,
    id: '5002',
    image: 'shapes_0.png',
    width: 640,
    height: 480,
    question: 'How many circles are there?',
    answer: '3',
    target: '3',
    answers: [...Array(8).fill('3'), '4', '4'],
    question_type: 'how many',
    answer_type: 'number',
    skill: 'count',
  },
  {
    ...base,
    id: '5003',
    image: 'wide_1.jpg',
    width: 1200,
    height: 400,
    question: 'Is there a triangle?',
    answer: 'yes',
    target: 'yes',
    answers: Array(10).fill('yes'),
    question_type: 'is there a',
    answer_type: 'yes/no',
    skill: 'exist',
  },
  // Split votes: the target matches 2 of 10 answers, so even a perfect answer gets 0.6.
  {
    ...base,
    id: '5004',
    image: 'tall_2.png',
    width: 300,
    height: 900,
    question: 'What shape is at the top?',
    answer: 'ring',
    target: 'circle',
    answers: ['circle', 'circle', ...Array(8).fill('ring')],
    question_type: 'what',
    answer_type: 'other',
    skill: 'shape',
  },
  // Leading zeros: the numeric question id is 42; the map still leads back to "0042".
  {
    ...base,
    id: '0042',
    image: 'tall_2.png',
    width: 300,
    height: 900,
    question: 'Is the circle left of the square?',
    answer: 'no',
    target: 'no',
    answers: [...Array(9).fill('no'), 'yes'],
    question_type: 'is the',
    answer_type: 'yes/no',
    skill: 'position',
  },
];

describe('vqav2 writeSynthetic', () => {
  let cleanup: () => Promise<void>;
  let ids: Map<string, string>;
  let samples: Sample[];
  let imageDir: string;
  const item = (sampleId: string) => ITEMS.find((it) => it.id === ids.get(sampleId))!;

  beforeAll(async () => {
    ({ imageDir, ids, samples, cleanup } = await writtenSet(vqav2, ITEMS, [
      { name: 'shapes_0.png', width: 640, height: 480 },
      { name: 'wide_1.jpg', width: 1200, height: 400 },
      { name: 'tall_2.png', width: 300, height: 900 },
    ]));
  });
  afterAll(() => cleanup());

  it('writes the val split that load() reads, one sample per item, ids mapped', () => {
    expect(samples.length).toBe(ITEMS.length);
    expect(samples.every((s) => s.split === 'val')).toBe(true);
    expect(new Set(ids.keys())).toEqual(new Set(samples.map((s) => s.id)));
    expect(new Set(ids.values())).toEqual(new Set(ITEMS.map((it) => it.id)));
    expect(samples.map((s) => s.id)).toEqual(['5001', '5002', '5003', '5004', '42']);
    expect(ids.get('42')).toBe('0042');
  });

  it('carries the question in the LLaVA prompt, the 10 answers and the types', () => {
    for (const s of samples) {
      const it = item(s.id);
      expect(s.prompt).toContain(it.question);
      expect(s.prompt).toBe(`${it.question}\n${SHORT_ANSWER}`);
      expect(s.answer).toEqual(it.answers);
      expect(s.meta).toMatchObject({ question_type: it.question_type, answer_type: it.answer_type });
    }
  });

  it('shares one image id and file between items on one image; COCO .jpg names hold JPEG bytes', async () => {
    const byId = new Map(samples.map((s) => [s.id, s]));
    const file = (id: string) => (byId.get(id)!.image as { path: string }).path;
    expect(file('5001')).toBe(file('5002'));
    expect(file('5004')).toBe(file('42'));
    expect(byId.get('5001')!.meta.image_id).toBe(5001);
    expect(byId.get('42')!.meta.image_id).toBe(5004);
    expect(path.basename(file('5001'))).toBe('COCO_val2014_000000005001.jpg');
    for (const id of ['5001', '5003', '5004']) {
      const meta = await sharp(file(id)).metadata();
      expect(meta.format).toBe('jpeg');
      expect([meta.width, meta.height]).toEqual([item(id).width, item(id).height]);
    }
    // A JPEG item image is copied as it is.
    expect(await readFile(file('5003'))).toEqual(await readFile(path.join(imageDir, 'wide_1.jpg')));
  });

  it('scores the targets at the soft accuracy the 10 answers allow, wrong answers lower', () => {
    const perfect = vqav2.score(samples, answerMap(samples.map((s) => [s.id, item(s.id).target])));
    const expected = samples.map((s) => vqaSoft(item(s.id).answers, item(s.id).target));
    expect(expected).toEqual([1, 1, 1, expect.closeTo(0.6, 10), 1]);
    for (const [i, s] of samples.entries()) expect(perfect.perSample[s.id]).toBeCloseTo(expected[i], 10);
    expect(perfect.headline).toBeCloseTo(100 * mean(expected), 2);
    expect(perfect.counts).toMatchObject({ samples: 5, predicted: 5, missing: 0 });
    const wrong = vqav2.score(samples, answerMap(samples.map((s) => [s.id, 'purple'])));
    expect(wrong.headline).toBe(0);
    expect(wrong.headline).toBeLessThan(perfect.headline);
  });

  it('re-encodes from the pixels a model sees: a PNG alpha channel is dropped, not composited', async () => {
    const dir = await syntheticImages([]);
    await sharp({ create: { width: 64, height: 32, channels: 4, background: { r: 200, g: 30, b: 90, alpha: 0.25 } } })
      .png()
      .toFile(path.join(dir, 'alpha.png'));
    const out = await mkdtemp(path.join(tmpdir(), 'vqav2-synthetic-'));
    const one: Item = { ...ITEMS[0], image: 'alpha.png', width: 64, height: 32 };
    await vqav2.writeSynthetic!(out, { imageDir: dir, items: [one] });
    const [s] = await loadAll(vqav2, out);
    const { data, info } = await sharp((s.image as { path: string }).path)
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([64, 32, 3]);
    for (const [i, v] of [200, 30, 90].entries()) expect(Math.abs(data[i] - v)).toBeLessThanOrEqual(3);
  });
});
