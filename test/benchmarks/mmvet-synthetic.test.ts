import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import mmvet from '../../benchmarks/mmvet/index.ts';
import { mmvetNeeds } from '../../benchmarks/mmvet/score.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { UserError } from '../../core/errors.ts';
import type { SyntheticItem } from '../../core/synthetic.ts';
import { scoreRun } from '../../harness/runner/evaluate.ts';
import { fmtUnscored } from '../../reports/table.ts';
import { answerMap, writtenSet } from './shared/synthetic-set.ts';

type Item = Extract<SyntheticItem, { benchmark: 'mmvet' }>;
const item = (id: string, image: string, question: string, answer: string, capability: string[], skill: string): Item => ({
  benchmark: 'mmvet',
  id,
  image,
  width: 0,
  height: 0,
  question,
  answer,
  target: answer.split(/<AND>|<OR>/).join(' and '),
  skill,
  capability,
});
const ITEMS: Item[] = [
  item('3001', 'a.png', 'What are the two numbers written on the card?', '12<AND>7', ['ocr', 'math'], 'text'),
  // Same image as 3001: one file, named after the first item showing it.
  item('3002', 'a.png', 'What color is the square?', 'red', ['rec'], 'color'),
  item('3003', 'b.jpg', 'What word is shown?', 'STOP<OR>stop', ['ocr', 'rec'], 'text'),
  item('3004', 'c.png', 'Is the circle to the left of the triangle?', 'yes', ['rec', 'spat'], 'position'),
];

describe('mmvet writeSynthetic', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let imageDir: string;
  let ids: Map<string, string>;
  let samples: Sample[];
  const itemOf = (sampleId: string) => ITEMS.find((it) => it.id === ids.get(sampleId))!;

  beforeAll(async () => {
    ({ root, imageDir, ids, samples, cleanup } = await writtenSet(mmvet, ITEMS, [
      { name: 'a.png', width: 640, height: 480 },
      { name: 'b.jpg', width: 1200, height: 400 },
      { name: 'c.png', width: 300, height: 900 },
    ]));
  });
  afterAll(() => cleanup());

  it('writes what load() reads: one sample per item, ids the official keys v1_<item id>', () => {
    expect(samples.length).toBe(ITEMS.length);
    expect(samples.map((s) => s.id)).toEqual(['v1_3001', 'v1_3002', 'v1_3003', 'v1_3004']);
    expect(new Set(ids.keys())).toEqual(new Set(samples.map((s) => s.id)));
    expect(samples.map((s) => ids.get(s.id))).toEqual(ITEMS.map((it) => it.id));
  });

  it('prompts are the raw question; the truth is the answer (with <AND>/<OR>) and the capabilities', () => {
    for (const s of samples) {
      const it = itemOf(s.id);
      expect(s.prompt).toContain(it.question);
      expect(s.prompt).toBe(it.question);
      expect(s.maxNewTokens).toBe(1024);
      expect(s.answer).toEqual({ answer: it.answer, capability: it.capability, question: it.question });
      expect(s.meta.capability).toBe(it.capability.join(','));
    }
  });

  it('images keep their own type; items on one image share its file', async () => {
    const file = (id: string) => (samples.find((s) => s.id === id)!.image as { path: string }).path;
    expect(file('v1_3001')).toBe(file('v1_3002'));
    expect(path.basename(file('v1_3001'))).toBe('v1_3001.png');
    expect(path.basename(file('v1_3003'))).toBe('v1_3003.jpg');
    expect(await readFile(file('v1_3001'))).toEqual(await readFile(path.join(imageDir, 'a.png')));
    expect(await readFile(file('v1_3003'))).toEqual(await readFile(path.join(imageDir, 'b.jpg')));
    const official = JSON.parse(await readFile(path.join(root, 'mm-vet', 'mm-vet.json'), 'utf8'));
    expect(official.v1_3002).toEqual({ imagename: 'v1_3001.png', capability: ['rec'], question: ITEMS[1].question, answer: 'red' });
  });

  it('without a judge there is no number: score() says what it needs, and the run records the benchmark unscored', async () => {
    const targets = answerMap(samples.map((s) => [s.id, itemOf(s.id).target]));
    expect(() => mmvet.score(samples, targets)).toThrow(UserError);
    expect(() => mmvet.score(samples, targets)).toThrow(mmvetNeeds(true));
    // What `eve-eval all` does with it (no judge configured): headline null, the counts real, "needs judge" in the table.
    const result = await scoreRun(mmvet, 'test', 'tiny', samples, targets, { data: root, out: root, mmbenchRules: 'opencompass' });
    expect(result.headline).toBeNull();
    expect(result.unscored).toBe(mmvetNeeds(true));
    expect(result.counts).toMatchObject({ samples: 4, predicted: 4, missing: 0, errors: 0 });
    expect(fmtUnscored(result.unscored)).toBe('needs judge');
  });

  it('with judge grades it scores: all correct 100 (per capability too), all wrong 0', () => {
    const graded = (score: number) => new Map<string, Answer>(samples.map((s) => [s.id, { id: s.id, text: itemOf(s.id).target, judge: { scores: [score] } }]));
    const perfect = mmvet.score(samples, graded(1));
    expect(perfect.headline).toBe(100);
    expect(perfect.breakdowns.capability).toEqual({ rec: 100, ocr: 100, math: 100, spat: 100, total: 100 });
    const wrong = mmvet.score(samples, graded(0));
    expect(wrong.headline).toBe(0);
    expect(wrong.headline).toBeLessThan(perfect.headline);
  });
});
