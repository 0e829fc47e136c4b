// The CI gate: exit 0 / 1 / 2 through the real CLI, with results scored by the real POPE adapter.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import mme from '../../../benchmarks/mme/index.ts';
import pope from '../../../benchmarks/pope/index.ts';
import type { Answer, Sample } from '../../../core/benchmark.ts';
import type { BenchmarkResult, ResultsFile } from '../../../core/records.ts';
import { compareResults, renderGate } from '../../../reports/gate.ts';
import { attachHeadlineInterval } from '../../../reports/headline.ts';

const BIN = fileURLToPath(new URL('../../../bin/eve-eval.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eve-gate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 300 POPE questions, 100 per split, half "yes". Samples carry the meta the adapter's alignment check reads.
const SPLITS = ['adversarial', 'popular', 'random'];
const samples: Sample[] = Array.from({ length: 300 }, (_, i) => ({
  id: String(i + 1),
  benchmark: 'pope',
  split: 'all',
  prompt: 'Is there a dog in the image?\nAnswer the question using a single word or phrase.',
  answer: i % 2 ? 'yes' : 'no',
  maxNewTokens: 128,
  meta: { category: SPLITS[i % 3], image: `img${Math.floor(i / 6)}.jpg`, labelId: i, labelRows: 100, limited: true },
}));

/** Answers right except on the listed sample indexes, where they say the opposite. */
function answers(wrong: Set<number>): Map<string, Answer> {
  return new Map(
    samples.map((s, i) => {
      const right = s.answer === 'yes' ? 'Yes, there is a dog.' : 'No, there is not.';
      const flipped = s.answer === 'yes' ? 'No.' : 'Yes.';
      return [s.id, { id: s.id, text: wrong.has(i) ? flipped : right }];
    }),
  );
}

/** A results file as the runner writes it: the adapter's score plus its resampling units and interval. */
function fileOf(results: BenchmarkResult[]): ResultsFile {
  return {
    schema: 'eve-eval/results@1',
    manifest: {
      eveEvalVersion: '0.1.0',
      gitSha: null,
      node: process.version,
      onnxruntime: null,
      executionProvider: null,
      modelFiles: {},
      dataFiles: {},
      adapterVersions: {},
      config: {},
      seed: 0,
      startedAt: new Date(0).toISOString(),
    },
    results,
  };
}

function resultsFile(model: string, wrong: Set<number>): ResultsFile {
  return fromAnswers(model, answers(wrong));
}

function fromAnswers(model: string, ans: Map<string, Answer>): ResultsFile {
  const score = pope.score(samples, ans);
  return fileOf([attachHeadlineInterval({ ...score, model, benchmark: 'pope', split: 'all' }, samples)]);
}

/** Every POPE answer the same word: all-yes gives F1 66.7, all-no F1 0 (the scorer's 0 where F1 is undefined). */
const constant = (word: string) => new Map(samples.map((s) => [s.id, { id: s.id, text: word }]));

// MME: 40 existence images, two questions each (one "yes", one "no").
const mmeSamples: Sample[] = Array.from({ length: 80 }, (_, i) => ({
  id: `existence/${Math.floor(i / 2)}.jpg#${i % 2}`,
  benchmark: 'mme',
  split: 'test',
  prompt: 'Is there a dog?\nAnswer the question using a single word or phrase.',
  answer: i % 2 ? 'no' : 'yes',
  maxNewTokens: 128,
  meta: { subtask: 'existence', image: `${Math.floor(i / 2)}.jpg`, llavaId: `existence/${Math.floor(i / 2)}.jpg`, officialQuestion: null, group: 'perception' },
}));
/** right(i): whether question i is answered right. */
function mmeFile(right: (i: number) => boolean): ResultsFile {
  const ans = new Map(mmeSamples.map((s, i) => [s.id, { id: s.id, text: right(i) === (s.answer === 'yes') ? 'Yes' : 'No' }]));
  const score = mme.score(mmeSamples, ans);
  return fileOf([attachHeadlineInterval({ ...score, model: 'tiny-eve', benchmark: 'mme', split: 'test' }, mmeSamples)]);
}

function write(name: string, v: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v));
  return f;
}

function gate(...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'gate', ...args], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
}

const every = (k: number, from = 0) => new Set(Array.from({ length: 300 }, (_, i) => i).filter((i) => i >= from && i % k === 0));
const baseWrong = every(10); // 30 wrong
const base = resultsFile('tiny-eve', baseWrong);
// Regression: 45 more answers flipped to wrong (every 6th index not already wrong).
const regressedWrong = new Set([...baseWrong, ...[...every(6)].filter((i) => !baseWrong.has(i)).slice(0, 45)]);
const regressed = resultsFile('tiny-eve', regressedWrong);
// A small drop over the tolerance but on only 2 samples: McNemar exact p = 0.5, not significant.
const smallDrop = resultsFile('tiny-eve', new Set([...baseWrong, 1, 3]));

describe('compareResults', () => {
  it('scores the inputs through the real adapter', () => {
    expect(base.results[0].headline!).toBeGreaterThan(regressed.results[0].headline! + 5);
    expect(Object.values(base.results[0].perSample!).every((x) => x === 0 || x === 1)).toBe(true);
  });
  it('flags a significant drop beyond the tolerance', () => {
    const r = compareResults(base, regressed);
    expect(r.failed).toBe(true);
    expect(r.rows[0].verdict).toBe('regressed');
    // POPE's headline is mean F1, not accuracy: the paired bootstrap of that statistic, never McNemar.
    expect(r.rows[0].test).toBe('paired-bootstrap');
    expect(r.rows[0].statistic).toBe('pope/mean-f1');
    expect(r.rows[0].pValue!).toBeLessThan(0.001);
    expect(renderGate(r, false)).toContain('gate: FAIL: 1 regression');
  });
  it('lets through a drop that is not significant, or within tolerance', () => {
    const drop = compareResults(base, smallDrop);
    expect(drop.rows[0].delta!).toBeLessThan(-0.5);
    expect(drop.rows[0].verdict).toBe('not significant');
    expect(drop.rows[0].pValue!).toBeGreaterThan(0.05);
    expect(drop.failed).toBe(false);
    expect(compareResults(base, smallDrop, { tolerance: 5 }).rows[0].verdict).toBe('within tolerance');
  });
  it('skips a null headline (MM-Vet without judge grades) with a note, never failing on it', () => {
    const unscored = (f: ResultsFile): ResultsFile => ({
      ...f,
      results: [
        ...f.results,
        {
          ...f.results[0],
          benchmark: 'mmvet',
          headline: null,
          unscored: 'MM-Vet needs judge grades (GPT-4 grader not built yet)',
          perSample: undefined,
          ci95: undefined,
        },
      ],
    });
    const r = compareResults(unscored(base), unscored(base));
    expect(r.failed).toBe(false);
    const row = r.rows.find((x) => x.benchmark === 'mmvet')!;
    expect(row.verdict).toBe('unscored');
    expect(row.fails).toBe(false);
    const text = renderGate(r, false);
    expect(text).toContain('unscored: skipped (MM-Vet needs judge grades (GPT-4 grader not built yet))');
    expect(text.split('\n').at(-1)).toMatch(/gate: PASS/);
    // A real regression elsewhere in the same files still fails.
    expect(compareResults(unscored(base), unscored(regressed)).failed).toBe(true);
  });
  it('without per-sample data, the tolerance alone decides', () => {
    const strip = (f: ResultsFile): ResultsFile => ({ ...f, results: f.results.map((r) => ({ ...r, perSample: undefined, resampling: undefined })) });
    const r = compareResults(strip(base), strip(smallDrop));
    expect(r.rows[0].verdict).toBe('regressed');
    expect(r.rows[0].test).toBeUndefined();
  });
  it('POPE all-yes (F1 66.7) → all-no (F1 0.0) fails, though per-question accuracy is the same', () => {
    const yes = fromAnswers('m', constant('Yes'));
    const no = fromAnswers('m', constant('No'));
    expect(yes.results[0].headline!).toBeCloseTo(66.67, 1);
    expect(no.results[0].headline).toBe(0);
    expect(no.results[0].ci95).toEqual([0, 0]); // finite, never [NaN, NaN]
    const r = compareResults(yes, no);
    expect(r.rows[0]).toMatchObject({ verdict: 'regressed', test: 'paired-bootstrap', statistic: 'pope/mean-f1', paired: 300 });
    expect(r.failed).toBe(true);
  });
  it('MME acc+ collapsing with acc unchanged fails', () => {
    // Baseline: images 0–19 both right, 20–39 both wrong (acc 50, acc+ 50). Current: one right per image (acc 50, acc+ 0).
    const base = mmeFile((i) => i < 40);
    const cur = mmeFile((i) => i % 2 === 0);
    expect(base.results[0].metrics['existence.acc']).toBe(cur.results[0].metrics['existence.acc']);
    expect(base.results[0].headline! - cur.results[0].headline!).toBeCloseTo(50, 6);
    const r = compareResults(base, cur);
    expect(r.rows[0]).toMatchObject({ verdict: 'regressed', test: 'paired-bootstrap', statistic: 'mme/perception-sum', paired: 40 });
  });
  it('a baseline number that becomes unscored fails', () => {
    const lost = {
      ...base,
      results: [
        {
          ...base.results[0],
          headline: null,
          unscored: 'pope/random: the files do not line up, refusing to score',
          perSample: undefined,
          resampling: undefined,
          ci95: undefined,
        },
      ],
    };
    const r = compareResults(base, lost);
    expect(r.failed).toBe(true);
    expect(r.rows[0].verdict).toBe('lost');
    expect(renderGate(r, false)).toContain('lost: now unscored (pope/random: the files do not line up, refusing to score)');
  });
  it('a rerun of the same predictions passes', () => {
    const r = compareResults(base, resultsFile('tiny-eve', baseWrong));
    expect(r.rows[0]).toMatchObject({ verdict: 'unchanged', test: 'paired-bootstrap', pValue: 1 });
    expect(r.failed).toBe(false);
  });
  it('a model + benchmark missing from the current file fails unless allowed', () => {
    const empty: ResultsFile = { ...base, results: [] };
    expect(compareResults(base, empty).failed).toBe(true);
    expect(compareResults(base, empty, { allowMissing: true }).failed).toBe(false);
    expect(compareResults(empty, base).rows[0].verdict).toBe('new');
  });
});

describe('eve-eval gate (CLI)', () => {
  const basePath = write('base.json', base);
  it('exits 0 when nothing regressed', () => {
    const r = gate('--baseline', basePath, '--current', write('same.json', resultsFile('tiny-eve', baseWrong)));
    expect(r.stdout).toContain('gate: PASS');
    expect(r.status).toBe(0);
    const small = gate('--baseline', basePath, '--current', write('small.json', smallDrop));
    expect(small.stdout).toContain('not significant');
    expect(small.status).toBe(0);
  });
  it('exits 1 on a real regression and prints what moved', () => {
    const r = gate('--baseline', basePath, '--current', write('regressed.json', regressed));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/tiny-eve\s+POPE\s+\d+\.\d\s+\d+\.\d\s+-\d+\.\d\s+paired bootstrap of pope\/mean-f1 \(n=300\)\s+<0\.001\s+regressed/);
    expect(r.stdout).toContain('gate: FAIL');
  });
  it('exits 1 for a drop beyond a tighter significance only when significant', () => {
    const r = gate('--baseline', basePath, '--current', join(dir, 'small.json'), '--significance', '0.6');
    expect(r.status).toBe(1);
  });
  it('the issue cases through the CLI: each exits as it should and prints the test it used', () => {
    const show = (name: string, r: ReturnType<typeof gate>) => process.stdout.write(`--- ${name} (exit ${r.status})\n${r.stdout}\n`);
    const yesNo = gate('--baseline', write('yes.json', fromAnswers('m', constant('Yes'))), '--current', write('no.json', fromAnswers('m', constant('No'))));
    show('POPE all-yes → all-no', yesNo);
    expect(yesNo.status).toBe(1);
    expect(yesNo.stdout).toContain('paired bootstrap of pope/mean-f1 (n=300)');
    const accPlus = gate(
      '--baseline',
      write(
        'mme-base.json',
        mmeFile((i) => i < 40),
      ),
      '--current',
      write(
        'mme-cur.json',
        mmeFile((i) => i % 2 === 0),
      ),
    );
    show('MME acc+ collapse', accPlus);
    expect(accPlus.status).toBe(1);
    expect(accPlus.stdout).toContain('paired bootstrap of mme/perception-sum (n=40)');
    const lostFile = {
      ...base,
      results: [{ ...base.results[0], headline: null, unscored: 'refused', perSample: undefined, resampling: undefined, ci95: undefined }],
    };
    const lost = gate('--baseline', basePath, '--current', write('lost.json', lostFile));
    show('becomes unscored', lost);
    expect(lost.status).toBe(1);
    const rerun = gate('--baseline', basePath, '--current', write('rerun.json', resultsFile('tiny-eve', baseWrong)));
    show('rerun', rerun);
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain('paired bootstrap of pope/mean-f1 (n=300)');
  });
  it('exits 2 with a one-line error naming the file on bad input', () => {
    const missing = gate('--baseline', join(dir, 'nope.json'), '--current', basePath);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe(`eve-eval: ${join(dir, 'nope.json')}: no such file`);
    const bad = gate('--baseline', basePath, '--current', write('bad.json', '{"schema": "eve-eval/results@1", "results": ['));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(join(dir, 'bad.json'));
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const wrongShape = gate(
      '--baseline',
      write('shape.json', { schema: 'eve-eval/results@1', manifest: {}, results: [{ model: 'x' }] }),
      '--current',
      basePath,
    );
    expect(wrongShape.status).toBe(2);
    expect(wrongShape.stderr).toMatch(/shape\.json \(results\.0\.benchmark\)/);
    const tol = gate('--baseline', basePath, '--current', basePath, '--tolerance', 'abc');
    expect(tol.status).toBe(2);
    expect(tol.stderr).toContain('--tolerance');
    const noArgs = gate('--baseline', basePath);
    expect(noArgs.status).toBe(2);
  });
});
