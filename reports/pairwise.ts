// Paired significance on the same samples: between two runs (the gate) or between two models of one run.
// McNemar for exact-match (0/1) credit, paired bootstrap for soft credit (VQA accuracy, MM-Vet grades).
import type { BenchmarkId } from '../benchmarks/types.ts';
import type { BenchmarkResult, ResultsFile } from '../harness/records.ts';
import { mcnemar, pairedBootstrap } from './stats.ts';
import { BENCHMARK_TITLES, fmtDelta, fmtHeadline } from './table.ts';

export interface PairedTest {
  test: 'mcnemar' | 'paired-bootstrap';
  pValue: number;
  /** Samples present in both per-sample maps. */
  paired: number;
}

function isBinary(xs: number[]): boolean {
  return xs.every((x) => x === 0 || x === 1);
}

/** Paired test on the samples both results scored; null when either lacks per-sample credit. */
export function pairedTest(a: BenchmarkResult, b: BenchmarkResult): PairedTest | null {
  if (!a.perSample || !b.perSample) return null;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [id, x] of Object.entries(a.perSample)) {
    const y = b.perSample[id];
    if (y === undefined) continue;
    xs.push(x);
    ys.push(y);
  }
  if (xs.length === 0) return null;
  if (isBinary(xs) && isBinary(ys)) return { test: 'mcnemar', pValue: mcnemar(xs, ys).pValue, paired: xs.length };
  return { test: 'paired-bootstrap', pValue: pairedBootstrap(xs, ys).pValue, paired: xs.length };
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
      r.test === 'mcnemar' ? 'McNemar' : 'paired bootstrap',
      String(r.paired),
      fmtP(r.pValue),
      r.pValue < significance ? '*' : '',
    ]);
  }
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  const out = lines.map((l) => l.map((cell, c) => (c >= 3 && c <= 8 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
  return `${out.join('\n')}\n* p < ${significance}: the two models differ on the same samples.\n`;
}
