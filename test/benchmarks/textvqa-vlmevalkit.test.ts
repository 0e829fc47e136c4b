// VLMEvalKit's TextVQA_VAL.tsv (index, question, answer = repr() of the 10 answers, image): runs from it are
// refused (no OCR tokens for LLaVA's prompt), but a VLMEvalKit result sheet scores against it, joined on index,
// to the same number as the same answers on the LLaVA-layout fixture.
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import textvqa from '../../benchmarks/textvqa/index.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { NotSupportedError } from '../../core/errors.ts';
import { readPredictions } from '../../harness/predictions.ts';
import { pyListRepr, writeDatasetTsv } from './vlmevalkit-cells.ts';

let llavaRoot: string;
let root: string;
let llava: Sample[];
let rows: string[];
const HEADER = 'index\timage\tquestion\tanswer';

async function all(dataRoot: string, images = false): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of textvqa.load(dataRoot, { split: 'val', images })) out.push(s);
  return out;
}

const questionOf = (s: Sample) => s.prompt.split('\n')[0];
/** Replies that depend on the question only: some right, some partly, some wrong. */
const reply = (q: string) => (q.length % 3 === 0 ? 'dakota' : q.length % 3 === 1 ? "McDonald's" : '23');

const writeTsv = (dir: string, lines: string[]) => writeDatasetTsv(dir, 'textvqa', 'TextVQA_VAL', lines);

beforeAll(async () => {
  llavaRoot = await mkdtemp(join(tmpdir(), 'textvqa-llava-'));
  await textvqa.writeFixture!(llavaRoot);
  llava = await all(llavaRoot, true);
  rows = llava.map((s, i) =>
    [
      i,
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      questionOf(s),
      pyListRepr(s.answer as string[]),
    ].join('\t'),
  );
  root = await mkdtemp(join(tmpdir(), 'textvqa-vlmevalkit-'));
  await writeTsv(root, [HEADER, ...rows]);
});
afterAll(async () => {
  await rm(llavaRoot, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

describe("TextVQA from VLMEvalKit's TextVQA_VAL.tsv", () => {
  it('refuses a run from it, naming the missing OCR tokens', async () => {
    expect(await textvqa.present(root, 'val')).toBe(true);
    await expect(all(root, true)).rejects.toThrow(NotSupportedError);
    await expect(all(root, true)).rejects.toThrow(/TextVQA_VAL\.tsv \(it has no OCR tokens, .*\) is not supported yet$/);
  });

  it('reads the answer lists back exactly', async () => {
    const tsv = await all(root);
    expect(tsv.map((s) => s.answer)).toEqual(llava.map((s) => s.answer));
    expect(tsv.some((s) => (s.answer as string[]).some((a) => a.includes("'")))).toBe(true);
  });

  it('a VLMEvalKit result sheet scores as the same answers on the LLaVA-layout fixture', async () => {
    const tsv = await all(root);
    const sheet = join(root, 'model_TextVQA_VAL.tsv');
    writeFileSync(sheet, ['"index"\t"prediction"', ...tsv.map((s) => `"${s.meta.vlmevalkitIndex}"\t"${reply(questionOf(s))}"`)].join('\n') + '\n');
    const read = await readPredictions(sheet, textvqa, tsv, root);
    expect(read.answers.size).toBe(tsv.length);
    const expected = textvqa.score(llava, new Map<string, Answer>(llava.map((s) => [s.id, { id: s.id, text: reply(questionOf(s)) }])));
    expect(expected.headline).toBeGreaterThan(0);
    expect(expected.headline).toBeLessThan(100);
    const got = textvqa.score(tsv, read.answers);
    expect(got.headline).toBe(expected.headline);
    expect(got.metrics).toEqual(expected.metrics);
  });

  it('an answer cell that is not a list of strings, or a missing column, is one line naming file and line', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'textvqa-bad-'));
    const file = await writeTsv(bad, [HEADER, rows[0], rows[1].replace(/\t\[.*$/, "\t['a', 'b'")]);
    await expect(all(bad)).rejects.toThrow(`${file}:3: answer is not a Python list of strings: "['a', 'b'"`);
    await writeTsv(bad, [HEADER.replace('\tanswer', ''), rows[0].replace(/\t\[.*$/, '')]);
    await expect(all(bad)).rejects.toThrow(`${file}:1: VLMEvalKit TextVQA_VAL TSV header lacks column "answer"`);
    await rm(bad, { recursive: true, force: true });
  });
});
