import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import textvqa from '../../benchmarks/textvqa/index.ts';
import type { Sample } from '../../core/benchmark.ts';
import type { SyntheticItem, SyntheticSet } from '../../core/synthetic.ts';
import { SHORT_ANSWER } from '../../benchmarks/shared/instructions.ts';
import { answerMap, mean, vqaSoft, writtenSet } from './shared/synthetic-set.ts';

type Item = Extract<SyntheticItem, { benchmark: 'textvqa' }>;
const item = (id: string, image: string, size: [number, number], question: string, ocr_tokens: string[], answers: string[], target: string): Item => ({
  benchmark: 'textvqa',
  id,
  image,
  width: size[0],
  height: size[1],
  question,
  answer: target,
  target,
  skill: 'text',
  answers,
  ocr_tokens,
});
const ITEMS: Item[] = [
  item('9001', 'a.png', [640, 480], 'What word is written on the sign?', ['STOP', 'HERE'], Array(10).fill('stop'), 'stop'),
  // Same image as 9001: LLaVA's question_id (the image id) and the file are shared.
  item('9002', 'a.png', [640, 480], 'What is the second word?', ['STOP', 'HERE'], [...Array(8).fill('here'), 'there', 'there'], 'here'),
  item('9003', 'b.jpg', [1200, 400], 'What number is shown?', ['42'], Array(10).fill('42'), '42'),
  // No OCR tokens, and split votes: the target matches 2 of 10, so a perfect answer gets 0.6.
  item('9004', 'c.png', [300, 900], 'What brand is this?', [], ['acme', 'acme', ...Array(8).fill('acme inc')], 'acme'),
];

describe('textvqa writeSynthetic', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let imageDir: string;
  let ids: Map<string, string>;
  let samples: Sample[];
  const itemOf = (sampleId: string) => ITEMS.find((it) => it.id === ids.get(sampleId))!;

  beforeAll(async () => {
    ({ root, imageDir, ids, samples, cleanup } = await writtenSet(textvqa, ITEMS, [
      { name: 'a.png', width: 640, height: 480 },
      { name: 'b.jpg', width: 1200, height: 400 },
      { name: 'c.png', width: 300, height: 900 },
    ]));
  });
  afterAll(() => cleanup());

  it("writes what load() reads: one sample per item, ids LLaVA's join key, mapped to the item ids", () => {
    expect(samples.length).toBe(ITEMS.length);
    expect(samples.map((s) => s.id)).toEqual([
      '9001|what word is written on the sign?',
      '9001|what is the second word?',
      '9003|what number is shown?',
      '9004|what brand is this?',
    ]);
    expect(new Set(ids.keys())).toEqual(new Set(samples.map((s) => s.id)));
    expect(samples.map((s) => ids.get(s.id))).toEqual(ITEMS.map((it) => it.id));
  });

  it("carries LLaVA's OCR-reference prompt and the 10 answers", () => {
    for (const s of samples) {
      const it = itemOf(s.id);
      expect(s.prompt).toContain(it.question);
      expect(s.prompt).toBe(`${it.question}\nReference OCR token: ${it.ocr_tokens.join(', ')}\n${SHORT_ANSWER}`);
      for (const t of it.ocr_tokens) expect(s.prompt).toContain(t);
      expect(s.answer).toEqual(it.answers);
    }
  });

  it('shares the image id and file between questions on one image; train_images/<id>.jpg hold JPEG bytes', async () => {
    const file = (id: string) => (samples.find((s) => ids.get(s.id) === id)!.image as { path: string }).path;
    expect(file('9001')).toBe(file('9002'));
    expect(file('9001')).toBe(path.join(root, 'textvqa', 'train_images', '9001.jpg'));
    for (const id of ['9001', '9004']) expect((await sharp(file(id)).metadata()).format).toBe('jpeg');
    expect(await readFile(file('9003'))).toEqual(await readFile(path.join(imageDir, 'b.jpg')));
    const ann = JSON.parse(await readFile(path.join(root, 'textvqa', 'TextVQA_0.5.1_val.json'), 'utf8'));
    expect(ann.data.map((a: { question_id: number }) => a.question_id)).toEqual([9001, 9002, 9003, 9004]);
    expect(ann.data[3]).toMatchObject({ image_id: '9004', image_width: 300, image_height: 900 });
  });

  it('scores the targets at the soft accuracy the answers allow; wrong answers lower', () => {
    const perfect = textvqa.score(samples, answerMap(samples.map((s) => [s.id, itemOf(s.id).target])));
    const expected = samples.map((s) => vqaSoft(itemOf(s.id).answers, itemOf(s.id).target));
    expect(expected).toEqual([1, 1, 1, expect.closeTo(0.6, 10)]);
    for (const [i, s] of samples.entries()) expect(perfect.perSample[s.id]).toBeCloseTo(expected[i], 10);
    expect(perfect.headline).toBeCloseTo(100 * mean(expected), 2);
    const wrong = textvqa.score(samples, answerMap(samples.map((s) => [s.id, 'purple'])));
    expect(wrong.headline).toBe(0);
    expect(wrong.headline).toBeLessThan(perfect.headline);
  });

  it('refuses a set the format cannot hold: the same question twice on one image, a line break in a question', async () => {
    const dir = () => mkdtemp(path.join(tmpdir(), 'textvqa-synthetic-'));
    const twice: SyntheticSet = { imageDir, items: [ITEMS[0], { ...ITEMS[0], id: '9010', question: 'WHAT word is written on the sign?' }] };
    await expect(textvqa.writeSynthetic!(await dir(), twice)).rejects.toThrow(/would both be sample "9001\|what word is written on the sign\?"/);
    const broken: SyntheticSet = { imageDir, items: [{ ...ITEMS[2], question: 'What number\nis shown?' }] };
    await expect(textvqa.writeSynthetic!(await dir(), broken)).rejects.toThrow(/cannot be read back/);
  });
});
