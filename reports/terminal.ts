// The terminal comparison table (chalk): models as rows, benchmarks as columns, headline ±CI with the
// error count under it, published rows marked and dimmed, optional deltas against a chosen row.
import { Chalk, type ChalkInstance } from 'chalk';
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
  rowLabel,
  tableValues,
  type ComparisonTable,
  type TableOptions,
} from './table.ts';

export interface TerminalOptions extends TableOptions {
  /** Force colour on or off; default follows chalk's detection of the output stream. */
  color?: boolean;
}

function chalkFor(color?: boolean): ChalkInstance {
  return color === undefined ? new Chalk() : new Chalk({ level: color ? 1 : 0 });
}

type Styled = { text: string; style?: (s: string) => string; rule?: boolean };

/** Lay out a grid of plain strings, padding before styling so ANSI codes never skew the widths. */
function grid(lines: Styled[][], align: Array<'left' | 'right'>): string {
  const widths: number[] = [];
  for (const line of lines) line.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.rule ? 0 : [...c.text].length)));
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  return lines
    .map((line) =>
      line[0]?.rule
        ? line[0].style!('─'.repeat(total))
        : line
            .map((c, i) => {
              const pad = ' '.repeat(widths[i] - [...c.text].length);
              const s = align[i] === 'right' ? pad + c.text : c.text + pad;
              return c.style ? c.style(s) : s;
            })
            .join('  ')
            .trimEnd(),
    )
    .join('\n');
}

/** Word-wrap a note so a long list of headline names stays readable in an 80–120 column terminal. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = `  ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

export function renderComparison(table: ComparisonTable, color?: boolean): string {
  const c = chalkFor(color);
  const { benchmarks } = table;
  const align: Array<'left' | 'right'> = ['left', ...benchmarks.map(() => 'right' as const)];
  const lines: Styled[][] = [];
  lines.push([{ text: 'Model', style: c.bold }, ...benchmarks.map((b) => ({ text: BENCHMARK_TITLES[b], style: c.bold }))]);
  const rule = (): Styled[] => [{ text: '', style: c.dim, rule: true }];
  lines.push(rule());
  let publishedStarted = false;
  for (const row of table.rows) {
    if (row.kind === 'published' && !publishedStarted) {
      publishedStarted = true;
      lines.push(rule());
    }
    const isBase = table.deltaVs === rowLabel(row);
    const label = rowLabel(row) + (isBase ? ' ◆' : '');
    if (row.kind === 'measured') {
      lines.push([
        { text: label, style: c.bold },
        ...benchmarks.map((b) => {
          const cell = row.cells[b];
          if (!cell) return { text: '–', style: c.dim };
          if (cell.value === null) return { text: fmtCellValue(cell), style: c.yellow };
          return { text: `${fmtMeasured(cell)} ${fmtCI(cell.ci95)}`.trimEnd() };
        }),
      ]);
      const errs: Styled[] = benchmarks.map((b) => {
        const cell = row.cells[b];
        if (!cell) return { text: '' };
        const bad = (cell.errors ?? 0) + (cell.missing ?? 0) > 0;
        return { text: fmtErrors(cell), style: bad ? c.red : c.dim };
      });
      // Nothing failed or is missing in the row: no line of "0 err" (nor an empty one).
      if (errs.some((e) => e.text)) lines.push([{ text: '' }, ...errs]);
    } else {
      lines.push([
        { text: label, style: c.italic.cyan },
        ...benchmarks.map((b) => {
          const cell = row.cells[b];
          // ≠: the measured numbers in this column are of another split or definition (see the notes).
          if (!cell) return { text: '–', style: c.dim };
          return { text: `${table.incomparable[b]?.length ? '≠ ' : ''}${fmtHeadline(cell.value)}`, style: c.cyan };
        }),
      ]);
    }
    if (row.deltas) {
      lines.push([
        { text: `  Δ vs ${table.deltaVs}`, style: c.dim },
        ...benchmarks.map((b) => {
          const d = row.deltas![b];
          if (d === undefined) return { text: '' };
          const s = fmtDelta(d);
          return { text: s, style: s.startsWith('+') ? c.green : s.startsWith('-') ? c.red : c.dim };
        }),
      ]);
    }
  }
  // Headline names can be long ("F1, mean over adversarial/popular/random (×100)"): notes, not a header row.
  const named = benchmarks.filter((b) => table.headlineNames[b]);
  const notes = [
    ...(named.length ? [`Headline: ${named.map((b) => `${BENCHMARK_TITLES[b]} = ${table.headlineNames[b]}`).join('; ')}.`] : []),
    '±: half-width of the 95% bootstrap interval; "err": samples whose generation failed, "miss": no prediction (scored wrong, or left out where the official scorer divides by the answered ones); shown only when not 0.',
  ];
  if (table.rows.some((r) => r.kind === 'published')) notes.push('(published): numbers from the EVE paper, docs/protocol.md §3; not measured here.');
  if (table.deltaVs) notes.push(`Δ: headline minus ${table.deltaVs} (◆).`);
  notes.push(...comparisonNotes(table));
  const unscored = [...new Set(table.rows.flatMap((r) => Object.values(r.cells).map((x) => x?.unscored)).filter((x): x is string => !!x))];
  for (const why of unscored) notes.push(`${why.includes('judge') ? '"needs judge"' : '"not scored"'}: ${why}; counts are shown, no number is made up.`);
  return `${grid(lines, align)}\n${notes
    .flatMap((n) => wrap(n, 120))
    .map((n) => c.dim(n))
    .join('\n')}`;
}

/** The comparison table for a results file, as one printable string. */
export function renderTerminalTable(results: ResultsFile, opts: TerminalOptions = {}): string {
  return renderComparison(buildComparison(results, opts), opts.color);
}

/** Every breakdown table (per split, per subtask, ...), one block per benchmark table. */
export function renderTerminalBreakdowns(results: ResultsFile, opts: { color?: boolean } = {}): string {
  const c = chalkFor(opts.color);
  const blocks: string[] = [];
  for (const t of buildBreakdowns(results)) {
    const lines: Styled[][] = [
      [{ text: t.table, style: c.bold }, ...t.models.map((m) => ({ text: m, style: c.bold }))],
      ...t.rows.map((r) => [{ text: r.key }, ...r.values.map((v) => ({ text: fmtValue(v, tableValues(t)) }))]),
    ];
    blocks.push(`${c.bold.underline(`${BENCHMARK_TITLES[t.benchmark]} · ${t.table}`)}\n${grid(lines, ['left', ...t.models.map(() => 'right' as const)])}`);
  }
  return blocks.join('\n\n');
}
