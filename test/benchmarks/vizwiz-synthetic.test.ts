import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import vizwiz from '../../benchmarks/vizwiz/index.ts';
import type { Sample } from '../../core/benchmark.ts';
import type { SyntheticItem, SyntheticSet } from '../../core/synthetic.ts';
import { SHORT_ANSWER, UNANSWERABLE } from '../../benchmarks/shared/instructions.ts';
import { answerMap, mean, vqaSoft, writtenSet } from './shared/synthetic-set.ts';

type Item = Extract<SyntheticItem, { benchmark: 'vizwiz' }>;
const item = (id: string, image: string, question: string, answers: string[], target: string, answer_type: Item['answer_type'], skill: string): Item => ({
  benchmark: 'vizwiz',
  id,
  image,
  width: 0,
  height: 0,
  question,
  answer: target,
  target,
  skill,
  answers,
  answerable: answer_type === 'unanswerable' ? 0 : 1,
  answer_type,
});
const ITEMS: Item[] = [
  item('8001', 'a.png', 'What color is the box?', Array(10).fill('blue'), 'blue', 'other', 'color'),
  // Same source image as 8001: VizWiz keys questions by image, so it gets its own file.
  item('8002', 'a.png', 'How many dots are there?', [...Array(7).fill('2'), '3', '3', '3'], '2', 'number', 'count'),
  item('8003', 'b.jpg', 'Is there a triangle?', Array(10).fill('yes'), 'yes', 'yes/no', 'exist'),
  item(
    '8004',
    'c.png',
    'What does the label say?',
    [...Array(8).fill('unanswerable'), 'unsuitable', 'unsuitable image'],
    'unanswerable',
    'unanswerable',
    'text',
  ),
  // Split votes: the target matches 2 of 10, so a perfect answer gets 0.6.
  item('8005', 'c.png', 'What shape is it?', ['circle', 'circle', ...Array(8).fill('ring')], 'circle', 'other', 'shape'),
];

describe('vizwiz writeSynthetic', () => {
  let cleanup: () => Promise<void>;
  let imageDir: string;
  let ids: Map<string, string>;
  let samples: Sample[];
  const itemOf = (sampleId: string) => ITEMS.find((it) => it.id === ids.get(sampleId))!;

  beforeAll(async () => {
    ({ imageDir, ids, samples, cleanup } = await writtenSet(vizwiz, ITEMS, [
      { name: 'a.png', width: 640, height: 480 },
      { name: 'b.jpg', width: 1200, height: 400 },
      { name: 'c.png', width: 300, height: 900 },
    ]));
  });
  afterAll(() => cleanup());

  it('writes the val split load() reads by default, sample ids = image names mapped to item ids', () => {
    expect(samples.length).toBe(ITEMS.length);
    expect(samples.every((s) => s.split === 'val')).toBe(true);
    expect(samples.map((s) => s.id)).toEqual(ITEMS.map((it) => `VizWiz_val_0000${it.id}.jpg`));
    expect(new Set(ids.keys())).toEqual(new Set(samples.map((s) => s.id)));
    expect(samples.map((s) => ids.get(s.id))).toEqual(ITEMS.map((it) => it.id));
  });

  it('prompts carry the question and the unanswerable instruction; answers, type and answerable as the items', () => {
    for (const s of samples) {
      const it = itemOf(s.id);
      expect(s.prompt).toContain(it.question);
      expect(s.prompt).toBe(`${it.question}\n${UNANSWERABLE}\n${SHORT_ANSWER}`);
      expect(s.answer).toEqual(it.answers);
      expect(s.meta).toMatchObject({ answer_type: it.answer_type, answerable: it.answerable });
    }
  });

  it('one JPEG file per question, even on a shared source image', async () => {
    const file = (id: string) => (samples.find((s) => ids.get(s.id) === id)!.image as { path: string }).path;
    expect(file('8001')).not.toBe(file('8002'));
    expect(await readFile(file('8001'))).toEqual(await readFile(file('8002')));
    for (const id of ['8001', '8003', '8004']) {
      const meta = await sharp(file(id)).metadata();
      expect(meta.format).toBe('jpeg');
    }
    expect((await sharp(file('8004')).metadata()).height).toBe(900);
    expect(await readFile(file('8003'))).toEqual(await readFile(path.join(imageDir, 'b.jpg')));
  });

  it('scores the targets at the soft accuracy the answers allow, unanswerability perfect; wrong answers lower', () => {
    const perfect = vizwiz.score(samples, answerMap(samples.map((s) => [s.id, itemOf(s.id).target])));
    const expected = samples.map((s) => vqaSoft(itemOf(s.id).answers, itemOf(s.id).target));
    expect(expected).toEqual([1, 1, 1, 1, expect.closeTo(0.6, 10)]);
    for (const [i, s] of samples.entries()) expect(perfect.perSample[s.id]).toBeCloseTo(expected[i], 10);
    expect(perfect.headline).toBeCloseTo(100 * mean(expected), 2);
    expect(perfect.breakdowns.answerType).toMatchObject({ unanswerable: 100, 'yes/no': 100, number: 100 });
    expect(perfect.metrics['unanswerability.f1_score']).toBe(100);
    expect(perfect.metrics['unanswerability.average_precision']).toBe(100);
    const wrong = vizwiz.score(samples, answerMap(samples.map((s) => [s.id, 'purple'])));
    expect(wrong.headline).toBe(0);
    expect(wrong.headline).toBeLessThan(perfect.headline);
    expect(wrong.metrics['unanswerability.f1_score']).toBe(0);
  });

  it('refuses ids that would name one image twice', async () => {
    const bad: SyntheticSet = { imageDir, items: [ITEMS[0], { ...ITEMS[1], id: '0008001' }] };
    await expect(vizwiz.writeSynthetic!(await mkdtemp(path.join(tmpdir(), 'vizwiz-synthetic-')), bad)).rejects.toThrow(/would both be sample/);
  });
});
