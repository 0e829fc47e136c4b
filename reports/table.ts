// The comparison table as data: one model, built once, drawn by the terminal, Markdown, CSV and HTML renderers.
import type { BenchmarkId, References } from '../core/benchmark.ts';
import { UserError } from '../core/errors.ts';
import type { BenchmarkResult, ResultsFile } from '../core/records.ts';
import { indexResults, type ReferenceTable } from './load.ts';

// Column titles live with the benchmarks (core/benchmark.ts); re-exported for the renderers.
import { BENCHMARK_TITLES } from '../core/benchmark.ts';
export { BENCHMARK_TITLES };

export const REFERENCE_KEYS = ['EVE-7B', 'EVE-7B-HD', 'Fuyu-8B', 'LLaVA-1.5-7B'] as const satisfies ReadonlyArray<keyof References>;

export interface Cell {
  /** null: the benchmark ran but has no score (a judge-scored benchmark without grades); `unscored` says why. */
  value: number | null;
  unscored?: string;
  ci95?: [number, number];
  /** Measured rows only: counts.errors and counts.missing (both scored wrong). */
  errors?: number;
  missing?: number;
  samples?: number;
  result?: BenchmarkResult;
  /** Measured cells on part of the set (`--limit`, a shard, samples without a prediction): what part. */
  subset?: string;
  /** Measured cells: why this number is not set against the published ones (e.g. "val vs published test-dev"). */
  vsPublished?: string;
  /** Published cells: the split (and definition) the number was computed on. */
  publishedOn?: string;
}

export interface Row {
  /** Model id, or the published model name. */
  name: string;
  kind: 'measured' | 'published';
  cells: Partial<Record<BenchmarkId, Cell>>;
  /** Headline minus the delta row's headline, per benchmark, when a delta row is chosen. */
  deltas?: Partial<Record<BenchmarkId, number>>;
}

export interface ComparisonTable {
  benchmarks: BenchmarkId[];
  headlineNames: Partial<Record<BenchmarkId, string>>;
  rows: Row[];
  /** Label of the row deltas are taken against, e.g. "EVE-7B (published)". */
  deltaVs?: string;
  /** Per benchmark: why measured numbers in that column are not compared with the published ones. */
  incomparable: Partial<Record<BenchmarkId, string[]>>;
  /** Subset marks: "model · benchmark: what part", in row order. */
  subsets: string[];
  /** Where the official denominator leaves missing samples out: "model · benchmark: strict 65.7 (1 missing counted wrong)". */
  stricts: string[];
}

/** The mark every renderer puts beside a number measured on part of the set. */
export const SUBSET_MARK = '‡';

/** What part of the set a result covers when it is not the whole: `--limit`/shard (result.subset) or missing predictions. */
export function subsetOf(r: BenchmarkResult): string | undefined {
  if (r.subset) return r.subset;
  if (r.headline !== null && r.counts.missing > 0) return `${r.counts.missing} of ${r.counts.samples} samples without a prediction`;
  return undefined;
}

/** Why a measured result cannot stand beside the published numbers of its benchmark, or undefined when it can. */
export function incomparableWithPublished(r: BenchmarkResult, refs: References | undefined): string | undefined {
  if (!refs) return undefined;
  const on = refs.definition ? `${refs.split} (${refs.definition})` : refs.split;
  if (refs.split !== undefined && r.split !== refs.split) return `${r.split} vs published ${on}`;
  const part = subsetOf(r);
  if (part && r.subset) return `subset (${part}) vs published full set`;
  return undefined;
}

export interface TableOptions {
  references?: ReferenceTable;
  /** Row to take deltas against: a measured model id or a published name (e.g. "EVE-7B"). */
  deltaVs?: string;
  /** Show published rows (default true when references are given). */
  published?: boolean;
}

export function rowLabel(row: Row): string {
  return row.kind === 'published' ? `${row.name} (published)` : row.name;
}

export function buildComparison(file: ResultsFile, opts: TableOptions = {}): ComparisonTable {
  const idx = indexResults(file.results);
  const rows: Row[] = [];
  const headlineNames: ComparisonTable['headlineNames'] = {};
  const incomparable: ComparisonTable['incomparable'] = {};
  const subsets: string[] = [];
  const stricts: string[] = [];
  const withPublished = !!opts.references && opts.published !== false;
  for (const model of idx.models) {
    const cells: Row['cells'] = {};
    for (const b of idx.benchmarks) {
      const r = idx.get(model, b);
      if (!r) continue;
      if (r.headline !== null) headlineNames[b] ??= r.headlineName;
      const subset = subsetOf(r);
      const vsPublished = withPublished && r.headline !== null ? incomparableWithPublished(r, opts.references![b]) : undefined;
      if (subset) subsets.push(`${model} · ${BENCHMARK_TITLES[b]}: ${subset}`);
      // The adapter reports a strict variant (missing counted wrong) when the official denominator drops missing samples.
      const strictKey = Object.keys(r.metrics).find((k) => k.endsWith('.strict') && typeof r.metrics[k] === 'number');
      if (strictKey && r.headline !== null && r.metrics[strictKey] !== r.headline) {
        stricts.push(`${model} · ${BENCHMARK_TITLES[b]}: ${fmtHeadline(r.metrics[strictKey])} with the ${r.counts.missing} missing counted wrong`);
      }
      if (vsPublished && !(incomparable[b] ??= []).includes(vsPublished)) incomparable[b]!.push(vsPublished);
      cells[b] = {
        value: r.headline,
        unscored: r.headline === null ? (r.unscored ?? 'not scored') : undefined,
        ci95: r.ci95,
        errors: r.counts.errors,
        missing: r.counts.missing,
        samples: r.counts.samples,
        result: r,
        subset,
        vsPublished,
      };
    }
    rows.push({ name: model, kind: 'measured', cells });
  }
  if (withPublished) {
    for (const key of REFERENCE_KEYS) {
      const cells: Row['cells'] = {};
      for (const b of idx.benchmarks) {
        const refs = opts.references![b];
        const v = refs?.[key];
        if (typeof v === 'number') cells[b] = { value: v, publishedOn: refs?.definition ? `${refs.split} (${refs.definition})` : refs?.split };
      }
      if (Object.keys(cells).length) rows.push({ name: key, kind: 'published', cells });
    }
  }
  let deltaVs: string | undefined;
  if (opts.deltaVs) {
    const wanted = opts.deltaVs.replace(/\s*\(published\)$/, '');
    // A measured model wins over a published row of the same name; "X (published)" picks the published one.
    const base = opts.deltaVs.endsWith('(published)')
      ? rows.find((r) => r.kind === 'published' && r.name === wanted)
      : (rows.find((r) => r.kind === 'measured' && r.name === wanted) ?? rows.find((r) => r.name === wanted));
    if (!base) {
      throw new UserError(`--delta-vs "${opts.deltaVs}" names no row; rows: ${rows.map(rowLabel).join(', ')}`);
    }
    deltaVs = rowLabel(base);
    // Deltas for measured rows only: published-vs-published differences are the paper's, not this run's.
    for (const row of rows) {
      if (row === base || row.kind !== 'measured') continue;
      row.deltas = {};
      for (const b of idx.benchmarks) {
        const x = row.cells[b];
        const y = base.cells[b];
        if (!x || !y || x.value === null || y.value === null) continue;
        // Like with like only: never a delta against a published number of another split or definition, or
        // between measured runs on different splits.
        if (base.kind === 'published' && x.vsPublished) continue;
        if (base.kind === 'measured' && x.result && y.result && x.result.split !== y.result.split) continue;
        row.deltas[b] = x.value - y.value;
      }
    }
  }
  return { benchmarks: idx.benchmarks, headlineNames, rows, deltaVs, incomparable, subsets, stricts };
}

/** Headline in the paper's precision (one decimal; sums too). */
export function fmtHeadline(v: number | null): string {
  return v !== null && Number.isFinite(v) ? v.toFixed(1) : '–';
}

/** Short text for a cell with no score: "needs judge" for judge-scored benchmarks without grades. */
export function fmtUnscored(reason?: string): string {
  return reason && /judge|grade/i.test(reason) ? 'needs judge' : 'not scored';
}

/** The headline as a table shows it: the number, or why there is none. */
export function fmtCellValue(cell: Cell): string {
  return cell.value === null ? fmtUnscored(cell.unscored) : fmtHeadline(cell.value);
}

/** Half-width of a CI, shown as ±; intervals are near symmetric for these sample sizes. */
export function fmtCI(ci?: [number, number]): string {
  if (!ci || !Number.isFinite(ci[0]) || !Number.isFinite(ci[1])) return '';
  return `±${((ci[1] - ci[0]) / 2).toFixed(1)}`;
}

export function fmtDelta(d: number): string {
  if (!Number.isFinite(d)) return '–';
  const s = d.toFixed(1);
  return d > 0 && s !== '0.0' ? `+${s}` : s === '-0.0' ? '0.0' : s;
}

/**
 * Breakdown values as scorers give them: fractions with 3 decimals, points and sums with 2.
 * `column` (the values shown together) keeps one precision per table: 75.00 beside 87.50, not 75.
 */
export function fmtValue(v: number | null | undefined, column?: Array<number | null | undefined>): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const all = (column ?? [v]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (all.every((x) => Number.isInteger(x))) return String(v);
  return all.every((x) => Math.abs(x) <= 1) ? v.toFixed(3) : v.toFixed(2);
}

/** All values of a breakdown table, for fmtValue's shared precision. */
export function tableValues(t: BreakdownTable): Array<number | null | undefined> {
  return t.rows.flatMap((r) => r.values);
}

/** Errors and missing next to a score: "3 err, 2 miss", "2 miss"; nothing when nothing failed or is missing. */
export function fmtErrors(cell: Cell): string {
  if (cell.errors === undefined) return '';
  const parts = [cell.errors ? `${cell.errors} err` : '', cell.missing ? `${cell.missing} miss` : ''].filter(Boolean);
  return parts.join(', ');
}

/** The headline of a measured cell with its subset mark: "83.3‡". */
export function fmtMeasured(cell: Cell): string {
  return `${fmtHeadline(cell.value)}${cell.subset ? SUBSET_MARK : ''}`;
}

/** Notes every renderer prints under the table: subset marks and published numbers that measure something else. */
export function comparisonNotes(table: ComparisonTable): string[] {
  const out: string[] = [];
  if (table.subsets.length) out.push(`${SUBSET_MARK} measured on part of the set: ${table.subsets.join('; ')}.`);
  if (table.stricts.length) out.push(`Headline over the answered samples, as the official scorer divides; strict: ${table.stricts.join('; ')}.`);
  for (const b of table.benchmarks) {
    const why = table.incomparable[b];
    if (why?.length) out.push(`${BENCHMARK_TITLES[b]}: not comparable with the published numbers (${why.join('; ')}); no delta against them.`);
  }
  return out;
}

export interface BreakdownTable {
  benchmark: BenchmarkId;
  table: string;
  models: string[];
  rows: Array<{ key: string; values: Array<number | null | undefined> }>;
}

/** Every breakdown table any result carries, models as columns, row keys in first-seen order. */
export function buildBreakdowns(file: ResultsFile): BreakdownTable[] {
  const idx = indexResults(file.results);
  const out: BreakdownTable[] = [];
  for (const b of idx.benchmarks) {
    const models = idx.models.filter((m) => idx.get(m, b));
    const tables: string[] = [];
    for (const m of models) for (const t of Object.keys(idx.get(m, b)!.breakdowns ?? {})) if (!tables.includes(t)) tables.push(t);
    for (const t of tables) {
      const keys: string[] = [];
      for (const m of models) for (const k of Object.keys(idx.get(m, b)!.breakdowns[t] ?? {})) if (!keys.includes(k)) keys.push(k);
      out.push({
        benchmark: b,
        table: t,
        models,
        rows: keys.map((key) => ({ key, values: models.map((m) => idx.get(m, b)!.breakdowns[t]?.[key]) })),
      });
    }
  }
  return out;
}
