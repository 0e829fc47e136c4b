import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import gqa from '../../benchmarks/gqa/index.ts';
import type { Sample } from '../../core/benchmark.ts';
import type { SyntheticItem } from '../../core/synthetic.ts';
import { SHORT_ANSWER } from '../../benchmarks/shared/instructions.ts';
import { answerMap, writtenSet } from './shared/synthetic-set.ts';

type Item = Extract<SyntheticItem, { benchmark: 'gqa' }>;
const item = (id: string, image: string, question: string, answer: string, target: string, skill: string, types: Item['types']): Item => ({
  benchmark: 'gqa',
  id,
  image,
  width: 0,
  height: 0,
  question,
  answer,
  target,
  skill,
  types,
});
const ITEMS: Item[] = [
  item('7001', 'a.png', 'Is there a red circle?', 'yes', 'yes', 'exist', { structural: 'verify', semantic: 'obj', detailed: 'existC' }),
  // Same image as 7001: one imageId, one file.
  item('7002', 'a.png', 'What color is the square?', 'blue', 'blue', 'color', { structural: 'query', semantic: 'attr', detailed: 'color' }),
  // The target as a model might say it: LLaVA's conversion (rstrip '.', lower) makes it the answer.
  item('7003', 'b.jpg', 'Is the triangle on the left or on the right?', 'left', 'Left.', 'position', {
    structural: 'choose',
    semantic: 'rel',
    detailed: 'positionChoose',
  }),
  item('7004', 'c.png', 'Are there both circles and squares?', 'no', 'no', 'exist', { structural: 'logical', semantic: 'obj', detailed: 'twoCommon' }),
  item('7005', 'c.png', 'What shape is green?', 'triangle', 'triangle', 'shape', { structural: 'query', semantic: 'cat', detailed: 'categoryThat' }),
];

describe('gqa writeSynthetic', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let imageDir: string;
  let ids: Map<string, string>;
  let samples: Sample[];
  const itemOf = (sampleId: string) => ITEMS.find((it) => it.id === ids.get(sampleId))!;

  beforeAll(async () => {
    ({ root, imageDir, ids, samples, cleanup } = await writtenSet(gqa, ITEMS, [
      { name: 'a.png', width: 640, height: 480 },
      { name: 'b.jpg', width: 1200, height: 400 },
      { name: 'c.png', width: 256, height: 1024 },
    ]));
  });
  afterAll(() => cleanup());

  it('writes what load() reads: one sample per item in file order, ids are the item ids', () => {
    expect(samples.length).toBe(ITEMS.length);
    expect(samples.map((s) => s.id)).toEqual(ITEMS.map((it) => it.id));
    expect(new Set(ids.keys())).toEqual(new Set(samples.map((s) => s.id)));
    for (const [sampleId, itemId] of ids) expect(sampleId).toBe(itemId);
  });

  it('carries the question in the LLaVA prompt, the answer and the types', () => {
    for (const s of samples) {
      const it = itemOf(s.id);
      expect(s.prompt).toContain(it.question);
      expect(s.prompt).toBe(`${it.question}\n${SHORT_ANSWER}`);
      expect(s.answer).toBe(it.answer);
      expect(s.meta).toMatchObject({ structural: it.types.structural, semantic: it.types.semantic, isBalanced: true });
      expect(s.meta.group).toBe(it.types.structural === 'query' ? it.skill : null);
    }
  });

  it('shares string image ids between items on one image; images/<imageId>.jpg hold JPEG bytes', async () => {
    const file = (id: string) => (samples.find((s) => s.id === id)!.image as { path: string }).path;
    expect(file('7001')).toBe(file('7002'));
    expect(file('7004')).toBe(file('7005'));
    expect(path.basename(file('7004'))).toBe('7004.jpg');
    const q = JSON.parse(await readFile(path.join(root, 'gqa', 'testdev_balanced_questions.json'), 'utf8'));
    expect(q['7005'].imageId).toBe('7004');
    expect(q['7005'].types).toEqual(ITEMS[4].types);
    for (const id of ['7001', '7003', '7004']) expect((await sharp(file(id)).metadata()).format).toBe('jpeg');
    expect(await readFile(file('7003'))).toEqual(await readFile(path.join(imageDir, 'b.jpg')));
  });

  it('scores the targets 100, binary and open too; wrong answers lower', () => {
    const perfect = gqa.score(samples, answerMap(samples.map((s) => [s.id, itemOf(s.id).target])));
    expect(perfect.headline).toBe(100);
    expect(perfect.metrics).toMatchObject({ accuracy: 100, binary: 100, open: 100, distribution: 0 });
    expect(perfect.breakdowns.structural).toEqual({ choose: 100, logical: 100, query: 100, verify: 100 });
    const wrong = gqa.score(samples, answerMap(samples.map((s) => [s.id, 'purple'])));
    expect(wrong.headline).toBe(0);
    expect(wrong.headline).toBeLessThan(perfect.headline);
  });
});
