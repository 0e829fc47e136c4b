// VLMEvalKit's ScienceQA_TEST.tsv as a data source (index, question, hint, A–E with NaN past the last option,
// answer letter, image): the image questions get LLaVA's CQM-A prompts back, the same answers score the same
// IMG accuracy as on the LLaVA-layout fixture, and a result sheet joins on index.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sqa from '../../benchmarks/sqa/index.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { readPredictions } from '../../harness/predictions.ts';
import { expectSameImages, fileBase64, writeDatasetTsv, writeResultSheet } from './vlmevalkit-cells.ts';

let llavaRoot: string;
let root: string;
let images: Sample[]; // the LLaVA fixture's image questions
let llava: Sample[];
const HEADER = 'index\tquestion\thint\tA\tB\tC\tD\tE\tanswer\tcategory\timage';

async function all(dataRoot: string, withImages = true): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of sqa.load(dataRoot, { images: withImages })) out.push(s);
  return out;
}

/** Replies that depend on the prompt only, in the forms LLaVA's letter rule reads (and one it fails). */
const answersFor = (samples: Sample[]) =>
  new Map<string, Answer>(
    samples.map((s) => {
      const k = s.prompt.length % 4;
      return [s.id, { id: s.id, text: k === 0 ? String(s.answer) : k === 1 ? `The answer is ${s.answer}.` : k === 2 ? 'B' : 'none of them' }];
    }),
  );

function rowsOf(problems: Record<string, { question: string; hint: string; choices: string[] }>): string[] {
  return images.map((s, i) => {
    const p = problems[s.id];
    const opts = [0, 1, 2, 3, 4].map((j) => p.choices[j] ?? ''); // an empty cell is NaN to pandas: no option
    const quoted = (v: string) => (v.includes('\n') ? `"${v}"` : v);
    const img = fileBase64(s);
    return [10 + i, quoted(p.question), p.hint, ...opts.map(quoted), s.answer, 'subject', img].join('\t');
  });
}

const writeTsv = (dir: string, lines: string[]) => writeDatasetTsv(dir, 'scienceqa', 'ScienceQA_TEST', lines);

let rows: string[];
beforeAll(async () => {
  llavaRoot = await mkdtemp(join(tmpdir(), 'sqa-llava-'));
  await sqa.writeFixture(llavaRoot);
  llava = await all(llavaRoot);
  images = llava.filter((s) => s.meta.hasImage);
  rows = rowsOf(JSON.parse(readFileSync(join(llavaRoot, 'scienceqa', 'problems.json'), 'utf8')));
  root = await mkdtemp(join(tmpdir(), 'sqa-vlmevalkit-'));
  await writeTsv(root, [HEADER, ...rows]);
});
afterAll(async () => {
  await rm(llavaRoot, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

describe("ScienceQA from VLMEvalKit's ScienceQA_TEST.tsv", () => {
  it("rebuilds LLaVA's CQM-A prompts (Context line only with a hint, 2 to 5 options) and images", async () => {
    expect(await sqa.present(root)).toBe(true);
    const tsv = await all(root);
    expect(images.length).toBeGreaterThan(2);
    expect(images.length).toBeLessThan(llava.length);
    expect(tsv.map((s) => s.prompt)).toEqual(images.map((s) => s.prompt));
    expect(tsv.map((s) => s.meta.nChoices)).toEqual(images.map((s) => s.meta.nChoices));
    expectSameImages(tsv, images);
  });

  it('scores the same answers to the same IMG accuracy as the LLaVA-layout fixture', async () => {
    const tsv = await all(root, false);
    const a = sqa.score(llava, answersFor(llava));
    const b = sqa.score(tsv, answersFor(tsv));
    expect(a.headline).toBeGreaterThan(0);
    expect(a.headline).toBeLessThan(100);
    expect(b.headline).toBe(a.headline);
    expect(b.metrics['IMG-Accuracy']).toBe(a.metrics['IMG-Accuracy']);
    expect(b.metrics.Total).toBe(a.metrics['IMG-Total']);
    // Over the image questions alone, Accuracy and the counts are those of the LLaVA fixture's image questions.
    const imgOnly = sqa.score(images, answersFor(images));
    expect(b.metrics.Accuracy).toBe(imgOnly.metrics.Accuracy);
    expect(b.counts).toEqual(imgOnly.counts);
  });

  it('a VLMEvalKit result sheet scores as the records it holds', async () => {
    const tsv = await all(root, false);
    const answers = answersFor(tsv);
    const sheet = join(root, 'model_ScienceQA_TEST.tsv');
    writeResultSheet(sheet, tsv, answers);
    const read = await readPredictions(sheet, sqa, tsv, root);
    expect(read.answers.size).toBe(tsv.length);
    expect(sqa.score(tsv, read.answers).headline).toBe(sqa.score(llava, answersFor(llava)).headline);
  });

  it('a broken base64 cell, a missing column or an answer outside the options is one line naming file and line', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'sqa-bad-'));
    const file = await writeTsv(bad, [HEADER, rows[0], rows[1].replace(/\t[^\t]+$/, `\t${'A'.repeat(81)}`)]);
    await expect(all(bad)).rejects.toThrow(new RegExp(`^${file}:\\d+: image cell is not valid base64$`));
    await writeTsv(bad, [HEADER.replace('\thint', ''), rows[0]]);
    await expect(all(bad)).rejects.toThrow(`${file}:1: VLMEvalKit ScienceQA_TEST TSV header lacks column "hint"`);
    await writeTsv(bad, [HEADER, rows[0].replace(/\t[A-E]\tsubject\t/, '\tE\tsubject\t')]);
    await expect(all(bad)).rejects.toThrow(`${file}:2: answer "E" is not one of the row's option letters`);
    await rm(bad, { recursive: true, force: true });
  });
});
