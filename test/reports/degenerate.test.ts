// Degenerate models on every benchmark's fixture: all "yes", all "no", all missing, all errored. No NaN (or any
// non-finite number) may reach results.json, and none may be printed by any renderer; every interval is finite
// or absent with a reason.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BENCHMARK_IDS, type Answer, type Sample } from '../../core/benchmark.ts';
import { benchmarkById, loadSamples, resolveSplit } from '../../harness/predictions.ts';
import type { BenchmarkResult, ResultsFile } from '../../core/records.ts';
import { scoreOne } from '../../harness/runner/evaluate.ts';
import { renderCsv } from '../../reports/csv.ts';
import { buildBrowserData } from '../../reports/html/browser-data.ts';
import { renderHtml } from '../../reports/html/page.ts';
import { loadReferences } from '../../reports/load.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { renderTerminalTable } from '../../reports/terminal.ts';

const DATA = fileURLToPath(new URL('../../fixtures/data', import.meta.url));

const MODELS: Record<string, (s: Sample) => Answer | undefined> = {
  'all-yes': (s) => ({ id: s.id, text: 'Yes' }),
  'all-no': (s) => ({ id: s.id, text: 'No' }),
  'all-missing': () => undefined,
  'all-errored': (s) => ({ id: s.id, text: '', error: { kind: 'oom', message: 'out of memory' } }),
};

function nonFinite(v: unknown, path = ''): string[] {
  if (typeof v === 'number') return Number.isFinite(v) ? [] : [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => nonFinite(x, `${path}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => nonFinite(x, `${path}.${k}`));
  return [];
}

describe('degenerate models on every benchmark: no NaN anywhere', () => {
  it('scores, intervals and every renderer stay finite', async () => {
    const results: BenchmarkResult[] = [];
    for (const id of BENCHMARK_IDS) {
      const adapter = await benchmarkById(id);
      const split = await resolveSplit(adapter, DATA, undefined);
      const samples = await loadSamples(adapter, DATA, split);
      for (const [model, answer] of Object.entries(MODELS)) {
        const answers = new Map<string, Answer>();
        for (const s of samples) {
          const a = answer(s);
          if (a) answers.set(s.id, a);
        }
        const r = scoreOne(adapter, split, model, samples, answers);
        // Errors explained in results.json: counted by kind, with examples.
        if (model === 'all-errored') {
          expect(r.errorReasons?.oom?.count, id).toBe(samples.length);
          expect(r.errorReasons!.oom.examples[0]).toEqual({ id: samples[0].id, message: 'out of memory' });
        } else expect(r.errorReasons).toBeUndefined();
        expect(nonFinite(r), `${model} ${id}`).toEqual([]);
        // An interval is finite, or absent with a reason.
        if (r.ci95) expect(r.ci95.every(Number.isFinite)).toBe(true);
        else expect(r.ciNote, `${model} ${id}: no interval and no reason`).toBeTruthy();
        results.push(r);
      }
    }
    const file: ResultsFile = { schema: 'eve-eval/results@1', manifest: {} as ResultsFile['manifest'], results };
    // results.json as written: no NaN/Infinity turned into null on the way.
    expect(JSON.stringify(file)).not.toMatch(/NaN|Infinity/);
    const { references } = await loadReferences();
    const outputs = {
      terminal: renderTerminalTable(file, { references, color: false }),
      markdown: renderMarkdown(file, { references }),
      csv: renderCsv(file, { references }),
      html: renderHtml({ runDir: '/nonexistent', results: file, predictions: new Map(), samples: new Map() }, { references }),
    };
    for (const [name, text] of Object.entries(outputs)) expect(text, name).not.toMatch(/NaN|Infinity/);
    // The sample browser shows the error's reason, not only a badge.
    const popeErr = results.find((r) => r.model === 'all-errored' && r.benchmark === 'pope')!;
    const rec = {
      id: Object.keys(popeErr.perSample!)[0],
      benchmark: 'pope' as const,
      split: popeErr.split,
      model: 'all-errored',
      text: '',
      error: { kind: 'oom', message: 'out of memory' },
      cacheKey: 'k',
    };
    const browser = buildBrowserData(
      { runDir: '/x', results: file, predictions: new Map([['all-errored', new Map([['pope', new Map([[rec.id, rec]])]])]]), samples: new Map() },
      ['all-errored'],
    );
    // Sample ids are unique within a benchmark only (several synthetic sets number their questions from 1).
    const popeIndex = browser.benchmarks.findIndex((b) => b.id === 'pope');
    expect(browser.rows.find((row) => row[0] === popeIndex && row[1] === rec.id)![9]).toEqual(['oom: out of memory']);
    // POPE all-no: F1 is 0 on every split (undefined precision counted 0, as the scorer counts it), interval [0, 0].
    const popeNo = results.find((r) => r.model === 'all-no' && r.benchmark === 'pope')!;
    expect(popeNo.headline).toBe(0);
    expect(popeNo.ci95).toEqual([0, 0]);
  }, 120_000);
});
