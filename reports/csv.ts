// CSV export in long form (one value per line), so pandas / R / a spreadsheet can pivot it any way.
import type { ResultsFile } from '../core/records.ts';
import { indexResults } from './load.ts';
import { buildComparison, subsetOf, type TableOptions } from './table.ts';

export const CSV_COLUMNS = [
  'model',
  'kind',
  'benchmark',
  'split',
  'table',
  'row',
  'value',
  'ci95_lo',
  'ci95_hi',
  'samples',
  'predicted',
  'missing',
  'errors',
  'failed_extraction',
  'delta_vs',
  'delta',
  'unscored',
  'subset',
  'vs_published',
  'published_on',
] as const;

/** RFC 4180 quoting; a leading = + - @ is prefixed with ' so a spreadsheet never runs a model's answer as a formula. */
export function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderCsv(results: ResultsFile, opts: TableOptions = {}): string {
  const table = buildComparison(results, opts);
  const idx = indexResults(results.results);
  const lines: string[] = [CSV_COLUMNS.join(',')];
  const push = (row: Partial<Record<(typeof CSV_COLUMNS)[number], unknown>>) => lines.push(CSV_COLUMNS.map((c) => csvField(row[c])).join(','));
  for (const row of table.rows) {
    for (const b of table.benchmarks) {
      const cell = row.cells[b];
      if (!cell) continue;
      const r = cell.result;
      push({
        model: row.name,
        kind: row.kind,
        benchmark: b,
        split: r?.split,
        table: 'headline',
        row: table.headlineNames[b],
        value: cell.value,
        ci95_lo: cell.ci95?.[0],
        ci95_hi: cell.ci95?.[1],
        samples: r?.counts.samples,
        predicted: r?.counts.predicted,
        missing: r?.counts.missing,
        errors: r?.counts.errors,
        failed_extraction: r?.counts.failedExtraction,
        delta_vs: row.deltas?.[b] !== undefined ? table.deltaVs : undefined,
        delta: row.deltas?.[b],
        unscored: cell.unscored, // value stays empty: no number for an unscored benchmark
        subset: cell.subset,
        vs_published: cell.vsPublished,
        published_on: row.kind === 'published' ? cell.publishedOn : undefined,
      });
    }
  }
  for (const model of idx.models) {
    for (const b of idx.benchmarks) {
      const r = idx.get(model, b);
      if (!r) continue;
      for (const [name, value] of Object.entries(r.metrics)) {
        push({ model, kind: 'measured', benchmark: b, split: r.split, table: 'metric', row: name, value, subset: subsetOf(r) });
      }
      for (const [t, rows] of Object.entries(r.breakdowns)) {
        for (const [key, value] of Object.entries(rows))
          push({ model, kind: 'measured', benchmark: b, split: r.split, table: t, row: key, value, subset: subsetOf(r) });
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
