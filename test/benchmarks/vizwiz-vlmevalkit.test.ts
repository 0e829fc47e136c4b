// VLMEvalKit's VizWiz.tsv (val: index, question, answers = repr() of the 10 answers, image): the same answers
// score the same VQA accuracy as on the LLaVA-layout fixture's val.json, and a result sheet joins on index.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import vizwiz, { SUFFIX } from '../../benchmarks/vizwiz/index.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { readPredictions } from '../../harness/predictions.ts';
import { expectSameImages, fileBase64, pyListRepr, writeDatasetTsv, writeResultSheet } from './vlmevalkit-cells.ts';

let llavaRoot: string;
let root: string;
let llava: Sample[];
let rows: string[];
const HEADER = 'index\timage\tquestion\tanswers\timage_path';

async function all(dataRoot: string, images = true): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of vizwiz.load(dataRoot, { split: 'val', images })) out.push(s);
  return out;
}

const question = (s: Sample) => s.prompt.slice(0, -SUFFIX.length);
/** Replies that depend on the question and gold only: the first answer, an unanswerable, or a wrong one. */
const answersFor = (samples: Sample[]) =>
  new Map<string, Answer>(
    samples.map((s) => {
      const k = question(s).length % 3;
      return [s.id, { id: s.id, text: k === 0 ? (s.answer as string[])[0] : k === 1 ? 'Unanswerable.' : 'a purple elephant' }];
    }),
  );

const writeTsv = (dir: string, lines: string[]) => writeDatasetTsv(dir, 'vizwiz', 'VizWiz', lines);

beforeAll(async () => {
  llavaRoot = await mkdtemp(join(tmpdir(), 'vizwiz-llava-'));
  await vizwiz.writeFixture!(llavaRoot);
  llava = await all(llavaRoot);
  rows = llava.map((s, i) => [i, fileBase64(s), question(s), pyListRepr(s.answer as string[]), s.meta.image].join('\t'));
  root = await mkdtemp(join(tmpdir(), 'vizwiz-vlmevalkit-'));
  await writeTsv(root, [HEADER, ...rows]);
});
afterAll(async () => {
  await rm(llavaRoot, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

describe("VizWiz from VLMEvalKit's VizWiz.tsv (val)", () => {
  it('gives the same prompts, answers and images as val.json', async () => {
    expect(await vizwiz.present(root, 'val')).toBe(true);
    const tsv = await all(root);
    expect(llava.length).toBeGreaterThan(2);
    expect(tsv.map((s) => s.prompt)).toEqual(llava.map((s) => s.prompt));
    expect(tsv.map((s) => s.answer)).toEqual(llava.map((s) => s.answer));
    expectSameImages(tsv, llava);
  });

  it('scores the same answers to the same accuracy; answer type and unanswerability are absent, not guessed', async () => {
    const tsv = await all(root, false);
    const a = vizwiz.score(llava, answersFor(llava));
    const b = vizwiz.score(tsv, answersFor(tsv));
    expect(a.headline).toBeGreaterThan(0);
    expect(a.headline).toBeLessThan(100);
    expect(b.headline).toBe(a.headline);
    // Exactly what val.json scores to without its answer_type / answerable fields.
    const bare = llava.map((s) => ({ ...s, meta: { ...s.meta, answer_type: null, answerable: null } }));
    expect(b.metrics).toEqual(vizwiz.score(bare, answersFor(bare)).metrics);
    expect(Object.keys(b.metrics)).toEqual(['overall']);
  });

  it('a VLMEvalKit result sheet scores as the records it holds', async () => {
    const tsv = await all(root, false);
    const answers = answersFor(tsv);
    const sheet = join(root, 'model_VizWiz.tsv');
    writeResultSheet(sheet, tsv, answers);
    const read = await readPredictions(sheet, vizwiz, tsv, root);
    expect(read.answers.size).toBe(tsv.length);
    expect(vizwiz.score(tsv, read.answers).headline).toBe(vizwiz.score(llava, answersFor(llava)).headline);
  });

  it('a broken base64 cell, a bad answers cell or a missing column is one line naming file and line', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'vizwiz-bad-'));
    const cells = (i: number) => rows[i].split('\t');
    const file = await writeTsv(bad, [HEADER, rows[0], [...cells(1).slice(0, 1), `${cells(1)[1].slice(0, -4)}@@@@`, ...cells(1).slice(2)].join('\t')]);
    await expect(all(bad)).rejects.toThrow(`${file}:3: image cell is not valid base64`);
    await writeTsv(bad, [HEADER, [...cells(0).slice(0, 3), 'yes', cells(0)[4]].join('\t')]);
    await expect(all(bad)).rejects.toThrow(`${file}:2: answers is not a Python list of strings: "yes"`);
    await writeTsv(bad, [HEADER.replace('\tanswers', ''), [...cells(0).slice(0, 3), cells(0)[4]].join('\t')]);
    await expect(all(bad)).rejects.toThrow(`${file}:1: VLMEvalKit VizWiz TSV header lacks column "answers"`);
    await rm(bad, { recursive: true, force: true });
  });
});
