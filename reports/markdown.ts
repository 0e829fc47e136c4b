// Markdown export: the comparison table (ready to paste into a paper draft or a PR) and every breakdown.
import type { ResultsFile } from '../core/records.ts';
import {
  BENCHMARK_TITLES,
  buildBreakdowns,
  buildComparison,
  comparisonNotes,
  fmtCellValue,
  fmtCI,
  fmtDelta,
  fmtErrors,
  fmtHeadline,
  fmtMeasured,
  fmtValue,
  tableValues,
  type TableOptions,
} from './table.ts';

/** Model names and breakdown keys come from users and datasets: keep them from breaking the table. */
export function mdEscape(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/([<>*_`[\]])/g, '\\$1');
}

export function renderMarkdown(results: ResultsFile, opts: TableOptions = {}): string {
  const table = buildComparison(results, opts);
  const { benchmarks } = table;
  const out: string[] = [];
  out.push(`| Model | ${benchmarks.map((b) => `${BENCHMARK_TITLES[b]}<br>${mdEscape(table.headlineNames[b] ?? '')}`).join(' | ')} |`);
  out.push(`|---|${benchmarks.map(() => '---:').join('|')}|`);
  for (const row of table.rows) {
    const name = row.kind === 'published' ? `*${mdEscape(row.name)} (published)*` : `**${mdEscape(row.name)}**`;
    const cells = benchmarks.map((b) => {
      const cell = row.cells[b];
      if (!cell) return '–';
      if (row.kind === 'published') return `*${table.incomparable[b]?.length ? '≠ ' : ''}${fmtHeadline(cell.value)}*`;
      const errs = fmtErrors(cell);
      const sub = errs ? `<br><sub>${errs}</sub>` : '';
      if (cell.value === null) return `${fmtCellValue(cell)}${sub}`;
      const ci = fmtCI(cell.ci95);
      return `${fmtMeasured(cell)}${ci ? ` ${ci}` : ''}${sub}`;
    });
    out.push(`| ${name} | ${cells.join(' | ')} |`);
    if (row.deltas) {
      out.push(
        `| &nbsp;&nbsp;Δ vs ${mdEscape(table.deltaVs!)} | ${benchmarks.map((b) => (row.deltas![b] === undefined ? '' : fmtDelta(row.deltas![b]!))).join(' | ')} |`,
      );
    }
  }
  out.push('');
  out.push(
    '± is the half-width of the 95% bootstrap interval; "err" counts failed generations and "miss" missing predictions (scored wrong, or left out where the official scorer divides by the answered ones); shown only when not 0.',
  );
  if (table.rows.some((r) => r.kind === 'published'))
    out.push("Rows marked *(published)* are the EVE paper's numbers (docs/protocol.md §3), not measured here.");
  if (table.deltaVs) out.push(`Δ rows: headline minus ${mdEscape(table.deltaVs)}.`);
  for (const n of comparisonNotes(table)) out.push(mdEscape(n));
  const unscored = [...new Set(table.rows.flatMap((r) => Object.values(r.cells).map((x) => x?.unscored)).filter((x): x is string => !!x))];
  for (const why of unscored) out.push(`"${fmtCellValue({ value: null, unscored: why })}": ${mdEscape(why)}; no number is reported.`);
  const breakdowns = buildBreakdowns(results);
  if (breakdowns.length) {
    out.push('', '## Breakdowns');
    for (const t of breakdowns) {
      out.push('', `### ${BENCHMARK_TITLES[t.benchmark]} · ${mdEscape(t.table)}`, '');
      out.push(`| ${mdEscape(t.table)} | ${t.models.map(mdEscape).join(' | ')} |`);
      out.push(`|---|${t.models.map(() => '---:').join('|')}|`);
      for (const r of t.rows) out.push(`| ${mdEscape(r.key)} | ${r.values.map((v) => fmtValue(v, tableValues(t))).join(' | ')} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
