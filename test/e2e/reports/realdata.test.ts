// Paper numbers beside measured ones, on real files: LLaVA-1.5-13B's POPE answers and LaVIN-13B's MME
// answers from ../shared/realdata, scored by the real adapters, written as a run directory and rendered
// by `eve-eval report` (terminal table, Markdown, CSV and report.html).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchmarkId } from '../../../core/benchmark.ts';
import { benchmarkById, loadSamples, readPredictions, resolveSplit } from '../../../harness/predictions.ts';
import type { BenchmarkResult, PredictionRecord, ResultsFile } from '../../../core/records.ts';
import { summarizeSample } from '../../../reports/sample-summary.ts';
import { attachHeadlineInterval } from '../../../reports/headline.ts';

const REAL = fileURLToPath(new URL('../../../../shared/realdata', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/eve-eval.js', import.meta.url));
if (!existsSync(REAL)) console.warn(`realdata.test: ${REAL} is absent (it sits beside the checkout in CI only); skipping`);

async function scoreInto(runDir: string, bench: BenchmarkId, model: string, predictions: string): Promise<BenchmarkResult> {
  const adapter = await benchmarkById(bench);
  const split = await resolveSplit(adapter, REAL, undefined);
  const samples = await loadSamples(adapter, REAL, split);
  const { answers } = await readPredictions(predictions, adapter, samples, REAL);
  const score = adapter.score(samples, answers);
  const summaries = await Promise.all(samples.map((s) => summarizeSample(s)));
  mkdirSync(join(runDir, 'samples'), { recursive: true });
  mkdirSync(join(runDir, 'predictions', model), { recursive: true });
  writeFileSync(join(runDir, 'samples', `${bench}.jsonl`), summaries.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const recs = [...answers.values()].map((a): PredictionRecord => ({ id: a.id, benchmark: bench, split, model, text: a.text, cacheKey: 'realdata' }));
  writeFileSync(join(runDir, 'predictions', model, `${bench}.jsonl`), recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return attachHeadlineInterval({ ...score, model, benchmark: bench, split }, samples, adapter.headlineStatistic);
}

describe.skipIf(!existsSync(REAL))('report on real scored files (../shared/realdata)', () => {
  let runDir: string;
  let results: ResultsFile;
  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'eve-real-'));
    const pope = await scoreInto(runDir, 'pope', 'LLaVA-1.5-13B', join(REAL, 'pope/answers/llava-v1.5-13b.jsonl'));
    const mme = await scoreInto(runDir, 'mme', 'LaVIN-13B', join(REAL, 'MME/eval_tool/LaVIN'));
    results = {
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
        config: { note: 'scored from ../shared/realdata answer files' },
        seed: 0,
        startedAt: new Date().toISOString(),
      },
      results: [pope, mme],
    };
    writeFileSync(join(runDir, 'results.json'), JSON.stringify(results));
  }, 120_000);
  afterAll(() => runDir && rmSync(runDir, { recursive: true, force: true }));

  it('scores the reference numbers and gives them intervals', () => {
    const [pope, mme] = results.results;
    expect(pope.headline).toBeCloseTo(85.95, 2);
    expect(mme.headline).toBeCloseTo(963.61, 2);
    // POPE: 8,910 questions; a mean-F1 interval about ±0.7 points wide, around the headline.
    expect(pope.ci95![0]).toBeLessThan(pope.headline!);
    expect(pope.ci95![1]).toBeGreaterThan(pope.headline!);
    expect(pope.ci95![1] - pope.ci95![0]).toBeGreaterThan(0.5);
    expect(pope.ci95![1] - pope.ci95![0]).toBeLessThan(3);
    expect(mme.ci95![0]).toBeLessThan(mme.headline!);
    expect(mme.ci95![1]).toBeGreaterThan(mme.headline!);
  });

  it('`eve-eval report` prints measured beside published and writes Markdown, CSV and HTML', () => {
    const md = join(runDir, 'table.md');
    const csv = join(runDir, 'table.csv');
    const r = spawnSync(process.execPath, [BIN, 'report', runDir, '--delta-vs', 'LLaVA-1.5-7B', '--markdown', md, '--csv', csv], {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    if (process.env.EVE_REPORT_DEMO) {
      // Keep a copy to look at: EVE_REPORT_DEMO=dir npx vitest run test/reports/realdata.test.ts
      mkdirSync(process.env.EVE_REPORT_DEMO, { recursive: true });
      writeFileSync(join(process.env.EVE_REPORT_DEMO, 'report.html'), readFileSync(join(runDir, 'report.html')));
      writeFileSync(join(process.env.EVE_REPORT_DEMO, 'table.txt'), r.stdout);
    }
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/LLaVA-1\.5-13B\s+85\.9 ±0\.\d\s+–\n/);
    expect(r.stdout).toMatch(/LaVIN-13B\s+–\s+963\.6 ±\d+\.\d\n/);
    expect(r.stdout).toMatch(/LLaVA-1\.5-7B \(published\) ◆\s+85\.9\s+1510\.7/);
    expect(r.stdout).toMatch(/EVE-7B \(published\)\s+83\.6\s+1217\.3/);
    expect(r.stdout).toMatch(/Δ vs LLaVA-1\.5-7B \(published\)\s+0\.0\n/);
    expect(readFileSync(md, 'utf8')).toContain('*LLaVA-1.5-7B (published)* | *85.9* | *1510.7* |');
    expect(readFileSync(csv, 'utf8')).toContain('LLaVA-1.5-13B,measured,pope,');
    const html = readFileSync(join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('LLaVA-1.5-7B <span class="tag">published</span>');
  });
});
