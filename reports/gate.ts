// The CI gate: compare a current results file with a baseline, per model + benchmark.
// A regression is a headline drop larger than the tolerance that is also significant in a paired test on the
// headline statistic itself (reports/headline.ts: McNemar where the headline is plain accuracy over independent
// 0/1 items, else a paired bootstrap that recomputes the adapter's statistic over the same resampling units).
// A baseline number that becomes unscored (refused, crashed, no grades) or missing fails.
import { Chalk } from 'chalk';
import type { BenchmarkId } from '../core/benchmark.ts';
import { UserError } from '../core/errors.ts';
import type { BenchmarkResult, ResultsFile } from '../core/records.ts';
import { gateDataWarnings } from './data-drift.ts';
import { headlineTest } from './headline.ts';
import { BENCHMARK_TITLES, fmtDelta, fmtHeadline } from './table.ts';
import { fmtP } from './pairwise.ts';

export interface GateOptions {
  /** Headline points a score may drop before it counts (default 0.5). */
  tolerance?: number;
  /** p-value below which a drop is significant (default 0.05). */
  significance?: number;
  /** Do not fail when the current file lacks a model + benchmark that the baseline has. */
  allowMissing?: boolean;
}

export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'within tolerance' | 'not significant' | 'missing' | 'lost' | 'new' | 'unscored';

export interface GateRow {
  model: string;
  benchmark: BenchmarkId;
  baseline: number | null;
  current: number | null;
  delta: number | null;
  test?: 'mcnemar' | 'paired-bootstrap';
  /** The statistic the test compared (the adapter's HeadlineStatistic id). */
  statistic?: string;
  pValue?: number;
  /** Resampling units present in both results. */
  paired?: number;
  /** Why no paired test was possible (the tolerance alone decided). */
  noTest?: string;
  verdict: Verdict;
  fails: boolean;
  /** Why an 'unscored' row was skipped (a null headline: e.g. a judge-scored benchmark without grades). */
  note?: string;
}

export interface GateReport {
  rows: GateRow[];
  failed: boolean;
  tolerance: number;
  significance: number;
  /** Rows whose baseline and current read different data files (a warning; it does not fail the gate). */
  dataWarnings: string[];
}

const key = (r: BenchmarkResult) => `${r.model}\u0000${r.benchmark}`;

export function compareResults(baseline: ResultsFile, current: ResultsFile, opts: GateOptions = {}): GateReport {
  const tolerance = opts.tolerance ?? 0.5;
  const significance = opts.significance ?? 0.05;
  const cur = new Map(current.results.map((r) => [key(r), r]));
  const base = new Map(baseline.results.map((r) => [key(r), r]));
  const rows: GateRow[] = [];
  for (const b of baseline.results) {
    const c = cur.get(key(b));
    if (!c) {
      rows.push({ model: b.model, benchmark: b.benchmark, baseline: b.headline, current: null, delta: null, verdict: 'missing', fails: !opts.allowMissing });
      continue;
    }
    if (b.split !== c.split || b.headlineName !== c.headlineName) {
      throw new UserError(
        `${b.model} / ${b.benchmark}: baseline is ${b.split} "${b.headlineName}", current is ${c.split} "${c.headlineName}"; they cannot be compared`,
      );
    }
    // A baseline number that became unscored (a refusal, a crash turned into "unscored", no grades) fails.
    if (b.headline !== null && (c.headline === null || !Number.isFinite(c.headline))) {
      rows.push({
        model: b.model,
        benchmark: b.benchmark,
        baseline: b.headline,
        current: null,
        delta: null,
        verdict: 'lost',
        fails: true,
        note: c.unscored ?? 'no headline',
      });
      continue;
    }
    // No baseline number (a judge-scored benchmark without grades): nothing to compare, and no fake number either.
    if (b.headline === null || c.headline === null) {
      const why = b.unscored ?? 'no headline';
      rows.push({
        model: b.model,
        benchmark: b.benchmark,
        baseline: b.headline,
        current: c.headline,
        delta: null,
        verdict: 'unscored',
        fails: false,
        note: why,
      });
      continue;
    }
    const delta = c.headline - b.headline;
    const t = headlineTest(b, c);
    const test = 'why' in t ? undefined : { test: t.test, statistic: t.statistic, pValue: t.pValue, paired: t.paired };
    let verdict: Verdict;
    if (Math.abs(delta) < 1e-9) verdict = 'unchanged';
    else if (delta > 0) verdict = 'improved';
    else if (-delta <= tolerance) verdict = 'within tolerance';
    else if (test && !(test.pValue < significance)) verdict = 'not significant';
    else verdict = 'regressed';
    rows.push({
      model: b.model,
      benchmark: b.benchmark,
      baseline: b.headline,
      current: c.headline,
      delta,
      ...test,
      ...('why' in t ? { noTest: t.why } : {}),
      verdict,
      fails: verdict === 'regressed',
    });
  }
  for (const c of current.results) {
    if (!base.has(key(c)))
      rows.push({ model: c.model, benchmark: c.benchmark, baseline: null, current: c.headline, delta: null, verdict: 'new', fails: false });
  }
  return { rows, failed: rows.some((r) => r.fails), tolerance, significance, dataWarnings: gateDataWarnings(baseline, current) };
}

function fmtOptionalP(p?: number): string {
  return p === undefined ? '–' : fmtP(p);
}

/** Which test decided a row, e.g. "paired bootstrap of <benchmark>/<statistic> (n=300)", "McNemar (n=300)", "headline only". */
export function testLabel(r: GateRow): string {
  if (r.test === 'mcnemar') return `McNemar (n=${r.paired})`;
  if (r.test === 'paired-bootstrap') return `paired bootstrap of ${r.statistic} (n=${r.paired})`;
  return r.delta === null ? '–' : 'headline only';
}

/** The table of what moved, biggest drops first, and a closing verdict line. */
export function renderGate(report: GateReport, color?: boolean): string {
  const c = color === undefined ? new Chalk() : new Chalk({ level: color ? 1 : 0 });
  const rank = (r: GateRow) => (r.verdict === 'unscored' ? Infinity : r.verdict === 'lost' || r.verdict === 'missing' ? -Infinity : (r.delta ?? -Infinity));
  const sorted = [...report.rows].sort((x, y) => rank(x) - rank(y));
  const header = ['model', 'benchmark', 'baseline', 'current', 'Δ', 'test', 'p', 'verdict'];
  const body = sorted.map((r) => [
    r.model,
    BENCHMARK_TITLES[r.benchmark],
    r.baseline === null ? '–' : fmtHeadline(r.baseline),
    r.current === null ? '–' : fmtHeadline(r.current),
    r.delta === null ? '–' : fmtDelta(r.delta),
    testLabel(r),
    fmtOptionalP(r.pValue),
    r.verdict === 'lost' ? `lost: now unscored (${r.note})` : r.note ? `${r.verdict}: skipped (${r.note})` : r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max([...h].length, ...body.map((row) => [...row[i]].length)));
  const line = (cells: string[]) =>
    cells
      .map((s, i) => (i >= 2 && i <= 4 ? s.padStart(widths[i]) : s.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [c.bold(line(header))];
  // Unscored rows carry a long reason in the verdict column; keep them last so the table stays readable.
  sorted.forEach((r, i) => {
    const s = line(body[i]);
    out.push(r.fails ? c.red.bold(s) : r.verdict === 'improved' ? c.green(s) : r.verdict === 'unchanged' ? c.dim(s) : s);
  });
  const failing = report.rows.filter((r) => r.fails);
  out.push('');
  for (const w of report.dataWarnings ?? []) out.push(c.yellow(`warning: ${w}`));
  out.push(
    failing.length
      ? c.red.bold(
          `gate: FAIL: ${failing.length} regression${failing.length > 1 ? 's' : ''} (tolerance ${report.tolerance} points, significance ${report.significance}; a lost or missing score fails)`,
        )
      : c.green.bold(`gate: PASS: no regression beyond ${report.tolerance} points (significance ${report.significance})`),
  );
  return out.join('\n');
}
