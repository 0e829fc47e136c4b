// VLMEvalKit's GQA_TestDev_Balanced.tsv (index, question, answer, image): the same answers score the same
// eval.py accuracy and question-word breakdown as on the LLaVA-layout fixture; what needs GQA's question
// annotations (types, groups) is absent, not guessed; a result sheet joins on index.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import gqa, { SUFFIX } from '../../benchmarks/gqa/index.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { NotSupportedError } from '../../core/errors.ts';
import { readPredictions } from '../../harness/predictions.ts';
import { expectSameImages, fileBase64, writeDatasetTsv, writeResultSheet } from './vlmevalkit-cells.ts';

let llavaRoot: string;
let root: string;
let llava: Sample[];
let rows: string[];
const HEADER = 'index\timage\tquestion\tanswer';

async function all(dataRoot: string, images = true): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of gqa.load(dataRoot, { images })) out.push(s);
  return out;
}

const question = (s: Sample) => s.prompt.slice(0, -SUFFIX.length);
/** Replies that depend on the question and gold only, in forms LLaVA's conversion changes ("Yes." → "yes"). */
const answersFor = (samples: Sample[]) =>
  new Map<string, Answer>(
    samples.map((s) => {
      const k = question(s).length % 3;
      return [s.id, { id: s.id, text: k === 0 ? String(s.answer) : k === 1 ? `${String(s.answer).toUpperCase()}.` : 'a purple elephant' }];
    }),
  );

const writeTsv = (dir: string, lines: string[]) => writeDatasetTsv(dir, 'gqa', 'GQA_TestDev_Balanced', lines);

beforeAll(async () => {
  llavaRoot = await mkdtemp(join(tmpdir(), 'gqa-llava-'));
  await gqa.writeFixture!(llavaRoot);
  llava = await all(llavaRoot);
  rows = llava.map((s, i) => [i, fileBase64(s), question(s), s.answer].join('\t'));
  root = await mkdtemp(join(tmpdir(), 'gqa-vlmevalkit-'));
  await writeTsv(root, [HEADER, ...rows]);
});
afterAll(async () => {
  await rm(llavaRoot, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

describe("GQA from VLMEvalKit's GQA_TestDev_Balanced.tsv", () => {
  it('gives the same prompts and images', async () => {
    expect(await gqa.present(root, 'testdev_balanced')).toBe(true);
    const tsv = await all(root);
    expect(llava.length).toBeGreaterThan(2);
    expect(tsv.map((s) => s.prompt)).toEqual(llava.map((s) => s.prompt));
    expectSameImages(tsv, llava);
  });

  it('scores the same accuracy and word breakdown; binary/open, types and distribution are absent', async () => {
    const tsv = await all(root, false);
    const a = gqa.score(llava, answersFor(llava));
    const b = gqa.score(tsv, answersFor(tsv));
    expect(a.headline).toBeGreaterThan(0);
    expect(a.headline).toBeLessThan(100);
    expect(b.headline).toBe(a.headline);
    expect(b.metrics).toEqual({ accuracy: a.metrics.accuracy, binary: null, open: null, distribution: null });
    expect(a.metrics.binary).not.toBeNull();
    expect(b.breakdowns.words).toEqual(a.breakdowns.words);
    expect(b.breakdowns.structural).toEqual({});
    await expect(gqa.writeSubmission!(tsv, answersFor(tsv), join(root, 'pred.json'))).rejects.toThrow(NotSupportedError);
  });

  it('a VLMEvalKit result sheet scores as the records it holds', async () => {
    const tsv = await all(root, false);
    const answers = answersFor(tsv);
    const sheet = join(root, 'model_GQA_TestDev_Balanced.tsv');
    writeResultSheet(sheet, tsv, answers);
    const read = await readPredictions(sheet, gqa, tsv, root);
    expect(read.answers.size).toBe(tsv.length);
    expect(gqa.score(tsv, read.answers).headline).toBe(gqa.score(llava, answersFor(llava)).headline);
  });

  it('a broken base64 cell or a missing column is one line naming file and line', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'gqa-bad-'));
    const cells = (i: number) => rows[i].split('\t');
    const file = await writeTsv(bad, [HEADER, rows[0], [cells(1)[0], `${cells(1)[1]}A`, ...cells(1).slice(2)].join('\t')]);
    await expect(all(bad)).rejects.toThrow(`${file}:3: image cell is not valid base64`);
    await writeTsv(bad, [HEADER.replace('\tanswer', ''), cells(0).slice(0, 3).join('\t')]);
    await expect(all(bad)).rejects.toThrow(`${file}:1: VLMEvalKit GQA_TestDev_Balanced TSV header lacks column "answer"`);
    await rm(bad, { recursive: true, force: true });
  });
});
