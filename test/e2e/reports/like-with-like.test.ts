// Published numbers only beside measured ones that measure the same thing, and subset runs marked everywhere.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchmarkResult, ResultsFile } from '../../../core/records.ts';
import { renderCsv } from '../../../reports/csv.ts';
import { loadReferences } from '../../../reports/load.ts';
import { renderMarkdown } from '../../../reports/markdown.ts';
import { buildComparison } from '../../../reports/table.ts';
import { renderTerminalTable } from '../../../reports/terminal.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(ROOT, 'bin/eve-eval.js');

function r(benchmark: BenchmarkResult['benchmark'], split: string, headline: number, extra: Partial<BenchmarkResult> = {}): BenchmarkResult {
  return {
    model: 'm',
    benchmark,
    split,
    headline,
    headlineName: 'accuracy',
    metrics: {},
    breakdowns: {},
    counts: { samples: 100, predicted: 100, missing: 0, errors: 0, failedExtraction: 0 },
    ...extra,
  };
}
const file = (results: BenchmarkResult[]): ResultsFile => ({ schema: 'eve-eval/results@1', manifest: {} as ResultsFile['manifest'], results });

describe('published references keyed by split and definition', () => {
  it('VQAv2 val never gets a delta against the published test-dev numbers; VizWiz val, SEED image, one POPE split neither', async () => {
    const { references } = await loadReferences();
    const f = file([
      r('vqav2', 'val', 76.0),
      r('vizwiz', 'val', 50.0),
      r('seed', 'image', 60.0),
      r('pope', 'random', 86.0),
      r('gqa', 'testdev_balanced', 61.0),
    ]);
    const t = buildComparison(f, { references, deltaVs: 'EVE-7B' });
    const m = t.rows[0];
    expect(m.deltas!.vqav2).toBeUndefined();
    expect(m.deltas!.vizwiz).toBeUndefined();
    expect(m.deltas!.seed).toBeUndefined();
    expect(m.deltas!.pope).toBeUndefined();
    expect(m.deltas!.gqa).toBeCloseTo(0.2, 6); // same split: compared
    expect(m.cells.vqav2!.vsPublished).toBe('val vs published test-dev');
    expect(m.cells.pope!.vsPublished).toBe('random vs published test (mean F1 over adversarial/popular/random)');
    const text = renderTerminalTable(f, { references, deltaVs: 'EVE-7B', color: false });
    expect(text).toContain('VQAv2: not comparable with the published numbers (val vs published test-dev); no delta against them.');
    expect(renderMarkdown(f, { references })).toContain('val vs published test-dev');
    expect(renderCsv(f, { references })).toContain('val vs published test-dev');
  });
});

describe('a --limit run is marked in all five outputs', () => {
  const out = mkdtempSync(join(tmpdir(), 'eve-limit-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  it.skipIf(!existsSync(join(ROOT, 'fixtures/models/tiny-eve')))(
    'terminal, Markdown, CSV, JSON and HTML',
    () => {
      const run = spawnSync(
        process.execPath,
        [
          BIN,
          'run',
          '--models',
          join(ROOT, 'fixtures/models/tiny-eve'),
          '--benchmarks',
          'pope',
          '--limit',
          '5',
          '--data',
          join(ROOT, 'fixtures/data'),
          '--out',
          out,
        ],
        { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', CI: 'true' } },
      );
      expect(run.status, run.stderr).toBe(0);
      // POPE's questions: one line each in LLaVA's question file.
      const n = readFileSync(join(ROOT, 'fixtures/data/pope/llava_pope_test.jsonl'), 'utf8').split('\n').filter(Boolean).length;
      expect(n).toBeGreaterThan(5);
      const subset = `5 of ${n} samples (--limit 5)`;
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
      expect(results.results[0].subset).toBe(subset); // JSON
      expect(run.stdout).toMatch(/\d+\.\d‡/); // terminal, as `run` prints it
      const md = join(out, 't.md');
      const csv = join(out, 't.csv');
      const rep = spawnSync(process.execPath, [BIN, 'report', out, '--markdown', md, '--csv', csv], {
        encoding: 'utf8',
        env: { ...process.env, FORCE_COLOR: '0' },
      });
      expect(rep.status, rep.stderr).toBe(0);
      expect(rep.stdout).toContain(`‡ measured on part of the set: tiny-eve · POPE: ${subset}.`);
      expect(rep.stdout).toContain(`POPE: not comparable with the published numbers (subset (${subset}) vs published`);
      expect(readFileSync(md, 'utf8')).toMatch(/\d+\.\d‡/);
      expect(readFileSync(csv, 'utf8')).toContain(`,${subset},subset (${subset}) vs published full set,`);
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      expect(html).toContain(`measured on part of the set: ${subset}`);
    },
    120_000,
  );
});

describe('official denominator and the strict variant', () => {
  it('a headline over the answered samples names its strict variant in the notes', () => {
    const t = renderTerminalTable(
      file([
        r('textvqa', 'val', 76.67, {
          metrics: { accuracy: 76.67, 'accuracy.strict': 65.71 },
          counts: { samples: 7, predicted: 6, missing: 1, errors: 0, failedExtraction: 0 },
        }),
      ]),
      { color: false },
    );
    expect(t.replace(/\s+/g, ' ')).toContain('strict: m · TextVQA: 65.7 with the 1 missing counted wrong.');
    expect(t).toMatch(/76\.7‡/); // and marked: a sample has no prediction
  });
});
