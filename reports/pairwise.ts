// Paired significance on the same samples: between two runs (the gate) or between two models of one run.
// On the headline statistic (reports/headline.ts): McNemar for plain accuracy over independent 0/1 items, else a
// paired bootstrap of the adapter's statistic over the same resampling units.
import type { BenchmarkId } from '../core/benchmark.ts';
import type { BenchmarkResult, ResultsFile } from '../core/records.ts';
import { headlineTest, type HeadlineTest } from './headline.ts';
import { BENCHMARK_TITLES, fmtDelta, fmtHeadline } from './table.ts';

/** A paired test on the headline statistic (reports/headline.ts): McNemar or a paired bootstrap of the statistic. */
export type PairedTest = HeadlineTest;

/** Paired test on the headline statistic over the units both results scored; null when there is none. */
export function pairedTest(a: BenchmarkResult, b: BenchmarkResult): PairedTest | null {
  const t = headlineTest(a, b);
  return 'why' in t ? null : t;
}

export interface ModelPairRow extends PairedTest {
  benchmark: BenchmarkId;
  a: string;
  b: string;
  headlineA: number;
  headlineB: number;
  /** headlineB − headlineA, in headline units. */
  delta: number;
}

/** Every pair of models of one results file, per benchmark (same split), where both have per-sample credit. */
export function modelPairs(results: ResultsFile): ModelPairRow[] {
  const byBench = new Map<string, BenchmarkResult[]>();
  for (const r of results.results) {
    if (r.headline === null || !r.perSample) continue;
    const k = `${r.benchmark}\u0000${r.split}`;
    byBench.set(k, [...(byBench.get(k) ?? []), r]);
  }
  const rows: ModelPairRow[] = [];
  for (const list of byBench.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a, b] = [list[i], list[j]];
        const t = pairedTest(a, b);
        if (!t) continue;
        rows.push({ ...t, benchmark: a.benchmark, a: a.model, b: b.model, headlineA: a.headline!, headlineB: b.headline!, delta: b.headline! - a.headline! });
      }
    }
  }
  return rows;
}

export function fmtP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** Plain-text table of model pairs; significant rows marked with "*". */
export function renderModelPairs(rows: ModelPairRow[], significance = 0.05): string {
  if (rows.length === 0) return 'No model pairs with per-sample credit on the same benchmark.\n';
  const lines = [['benchmark', 'model A', 'model B', 'A', 'B', 'B − A', 'test', 'n', 'p', '']];
  for (const r of rows) {
    lines.push([
      BENCHMARK_TITLES[r.benchmark],
      r.a,
      r.b,
      fmtHeadline(r.headlineA),
      fmtHeadline(r.headlineB),
      fmtDelta(r.delta),
      r.test === 'mcnemar' ? 'McNemar' : `paired bootstrap of ${r.statistic}`,
      String(r.paired),
      fmtP(r.pValue),
      r.pValue < significance ? '*' : '',
    ]);
  }
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  const out = lines.map((l) =>
    l
      .map((cell, c) => (c >= 3 && c <= 8 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd(),
  );
  return `${out.join('\n')}\n* p < ${significance}: the two models differ on the same samples.\n`;
}
