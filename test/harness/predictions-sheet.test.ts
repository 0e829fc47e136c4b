// Answer sheets as predictions: VLMEvalKit's result sheets (written by pandas + xlsxwriter and by pandas'
// QUOTE_ALL TSV writer: test/fixtures/vlmevalkit/make_sheets.py) and eve-eval's own MMBench upload sheet
// score exactly as the same answers in eve-eval's prediction records.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mmbench from '../../benchmarks/mmbench/index.ts';
import pope from '../../benchmarks/pope/index.ts';
import { writeMMBenchSubmission } from '../../benchmarks/mmbench/submission.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { loadSamples, readPredictions } from '../../harness/predictions.ts';
import { readTsvSheet, readXlsx } from '../../harness/spreadsheet.ts';

const DATA = join(import.meta.dirname, '../../fixtures/data');
const SHEETS = join(import.meta.dirname, '../fixtures/vlmevalkit');
// The rule make_sheets.py writes its predictions with.
const REPLIES = ['{a}', 'The answer is {a}.', '{a}. option', 'I cannot tell "for sure"', 'B'];

let dir: string;
let samples: Sample[];
let answers: Map<string, Answer>;
let recordsFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheet-'));
  samples = await loadSamples(mmbench, DATA, 'dev');
  answers = new Map(samples.map((s) => [s.id, { id: s.id, text: REPLIES[Number(s.id) % 5].replace('{a}', String(s.answer)) }]));
  recordsFile = join(dir, 'records.jsonl');
  await writeFile(
    recordsFile,
    samples.map((s) => JSON.stringify({ id: s.id, benchmark: 'mmbench', split: 'dev', text: answers.get(s.id)!.text, cacheKey: `k${s.id}` })).join('\n') + '\n',
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function scoreOf(path: string) {
  const read = await readPredictions(path, mmbench, samples, DATA);
  return { format: read.format, score: mmbench.score(samples, read.answers) };
}

describe('answer sheets as predictions', () => {
  it('VLMEvalKit result sheets (.xlsx via xlsxwriter, .tsv all quoted) score as eve-eval records', async () => {
    const base = await scoreOf(recordsFile);
    expect(base.format).toBe('eve-eval');
    expect(base.score.counts.predicted).toBe(samples.length);
    for (const f of ['tiny_MMBench_DEV_EN.xlsx', 'tiny_MMBench_DEV_EN.tsv']) {
      const got = await scoreOf(join(SHEETS, f));
      expect(got.format, f).toBe('sheet');
      expect(got.score.headline, f).toBe(base.score.headline);
      expect(got.score.metrics, f).toEqual(base.score.metrics);
      expect(got.score.counts, f).toEqual(base.score.counts);
      expect(got.score.perSample, f).toEqual(base.score.perSample);
    }
  });

  it('the MMBench upload sheet eve-eval writes reads back to the same score (.xlsx and .tsv)', async () => {
    const base = await scoreOf(recordsFile);
    for (const name of ['upload.xlsx', 'upload.tsv']) {
      const out = join(dir, name);
      await writeMMBenchSubmission(samples, answers, out);
      const got = await scoreOf(out);
      expect(got.score.headline, name).toBe(base.score.headline);
      expect(got.score.metrics, name).toEqual(base.score.metrics);
      expect(got.score.perSample, name).toEqual(base.score.perSample);
    }
  });

  it('reads shared strings, quotes and the header as xlsxwriter writes them', async () => {
    const sheet = readXlsx(join(SHEETS, 'tiny_MMBench_DEV_EN.xlsx'));
    // make_sheets.py: the data TSV's columns without the image, then `prediction`.
    const data = await readTsvSheet(join(DATA, 'mmbench', 'mmbench_dev_20230712.tsv'));
    const columns = data.header.filter((h) => h !== 'image');
    expect(sheet.header).toEqual([...columns, 'prediction']);
    expect(sheet.rows).toHaveLength(data.rows.length);
    sheet.rows.forEach((row, i) => {
      for (const h of columns) expect(row.cells.get(h) ?? '', `row ${i + 1} ${h}`).toBe(data.rows[i].cells.get(h) ?? '');
    });
    expect(sheet.rows.filter((r) => (r.cells.get('hint') ?? '') !== '').length).toBeGreaterThan(0);
    const quoted = sheet.rows.find((r) => Number(r.cells.get('index')) % 5 === 3)!;
    expect(quoted.cells.get('prediction')).toBe('I cannot tell "for sure"');
  });

  it('refuses, in one line naming the file, a sheet without prediction, a repeated index, a sheet for another benchmark', async () => {
    const noPred = join(dir, 'nopred.tsv');
    await writeFile(noPred, 'index\tanswer\n0\tA\n');
    await expect(readPredictions(noPred, mmbench, samples, DATA)).rejects.toThrow(/nopred\.tsv:1: answer sheet has no "prediction" column/);
    const twice = join(dir, 'twice.tsv');
    await writeFile(twice, 'index\tprediction\n0\tA\n0\tB\n');
    await expect(readPredictions(twice, mmbench, samples, DATA)).rejects.toThrow(/twice\.tsv:3: index 0 appears twice/);
    const popeSamples = await loadSamples(pope, DATA, 'test');
    await expect(readPredictions(twice, pope, popeSamples, DATA)).rejects.toThrow(
      /answer sheets \(\.xlsx\/\.tsv\) for pope data read from other files than VLMEvalKit's TSV is not supported yet/,
    );
  });
});
