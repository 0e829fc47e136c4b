// The static tables of report.html: the comparison, the breakdowns and the paired significance.
import type { BenchmarkId } from '../../core/benchmark.ts';
import type { ResultsFile } from '../../core/records.ts';
import type { RunData } from '../load.ts';
import { fmtP, modelPairs } from '../pairwise.ts';
import {
  BENCHMARK_TITLES,
  SUBSET_MARK,
  buildBreakdowns,
  comparisonNotes,
  fmtCellValue,
  fmtCI,
  fmtDelta,
  fmtErrors,
  fmtHeadline,
  fmtValue,
  rowLabel,
  tableValues,
  type ComparisonTable,
} from '../table.ts';
import { escapeHtml } from './escape.ts';

export function comparisonHtml(table: ComparisonTable): string {
  const head = table.benchmarks
    .map((b) => `<th class="num"><div>${escapeHtml(BENCHMARK_TITLES[b])}</div><div class="sub">${escapeHtml(table.headlineNames[b] ?? '')}</div></th>`)
    .join('');
  const body: string[] = [];
  let publishedStarted = false;
  for (const row of table.rows) {
    const cls = row.kind === 'published' ? `published${publishedStarted ? '' : ' first-published'}` : 'measured';
    if (row.kind === 'published') publishedStarted = true;
    const isBase = table.deltaVs === rowLabel(row);
    const name =
      row.kind === 'published'
        ? `${escapeHtml(row.name)} <span class="tag">published</span>`
        : `${escapeHtml(row.name)}${isBase ? ' <span class="tag tag-base">Δ base</span>' : ''}`;
    const cells = table.benchmarks.map((b) => {
      const c = row.cells[b];
      if (!c) return '<td class="num empty">–</td>';
      if (row.kind === 'published') {
        const why = table.incomparable[b];
        return why?.length
          ? `<td class="num incomparable" title="${escapeHtml(`published on ${c.publishedOn ?? '?'}; not comparable: ${why.join('; ')}`)}">≠ ${fmtHeadline(c.value)}</td>`
          : `<td class="num" title="${escapeHtml(`published on ${c.publishedOn ?? '?'}`)}">${fmtHeadline(c.value)}</td>`;
      }
      // No score (a judge-scored benchmark without grades): say why, keep the counts, never a number.
      if (c.value === null) {
        return `<td class="num unscored" title="${escapeHtml(c.unscored ?? '')}"><div class="score">${escapeHtml(fmtCellValue(c))}</div><div class="errs">${escapeHtml(fmtErrors(c))}</div></td>`;
      }
      const bad = (c.errors ?? 0) + (c.missing ?? 0) > 0;
      const d = row.deltas?.[b];
      const delta = d === undefined ? '' : `<div class="delta ${d > 0.05 ? 'up' : d < -0.05 ? 'down' : ''}">Δ ${escapeHtml(fmtDelta(d))}</div>`;
      const ci = c.ci95 ? `<span class="ci" title="95% CI ${c.ci95[0].toFixed(2)} – ${c.ci95[1].toFixed(2)}">${escapeHtml(fmtCI(c.ci95))}</span>` : '';
      const mark = c.subset ? `<span class="subset" title="${escapeHtml(`measured on part of the set: ${c.subset}`)}">${SUBSET_MARK}</span>` : '';
      const vs = c.vsPublished ? `<div class="vs-published">${escapeHtml(c.vsPublished)}</div>` : '';
      const errs = fmtErrors(c);
      return `<td class="num"><div class="score">${fmtHeadline(c.value)}${mark}${ci}</div>${errs ? `<div class="errs${bad ? ' bad' : ''}">${escapeHtml(errs)}</div>` : ''}${vs}${delta}</td>`;
    });
    body.push(`<tr class="${cls}"><th scope="row">${name}</th>${cells.join('')}</tr>`);
  }
  const notes = comparisonNotes(table)
    .map((n) => `<p class="note cmp-note">${escapeHtml(n)}</p>`)
    .join('');
  return `<div class="table-wrap"><table class="cmp" id="comparison"><thead><tr><th>Model</th>${head}</tr></thead><tbody>${body.join('')}</tbody></table></div>${notes}`;
}

export function breakdownsHtml(run: RunData): string {
  const tables = buildBreakdowns(run.results);
  if (!tables.length) return '<p class="muted">No result carries breakdown tables.</p>';
  const byBench = new Map<BenchmarkId, typeof tables>();
  for (const t of tables) byBench.set(t.benchmark, [...(byBench.get(t.benchmark) ?? []), t]);
  const out: string[] = [];
  for (const [b, ts] of byBench) {
    const inner = ts
      .map(
        (t) =>
          `<table class="bd"><thead><tr><th>${escapeHtml(t.table)}</th>${t.models.map((m) => `<th class="num">${escapeHtml(m)}</th>`).join('')}</tr></thead><tbody>${t.rows
            .map(
              (r) =>
                `<tr><th scope="row">${escapeHtml(r.key)}</th>${r.values.map((v) => `<td class="num">${escapeHtml(fmtValue(v, tableValues(t)))}</td>`).join('')}</tr>`,
            )
            .join('')}</tbody></table>`,
      )
      .join('');
    out.push(
      `<details class="bd-group"${out.length === 0 ? ' open' : ''}><summary>${escapeHtml(BENCHMARK_TITLES[b])} <span class="muted">${ts.length} table${ts.length > 1 ? 's' : ''}</span></summary><div class="bd-tables">${inner}</div></details>`,
    );
  }
  return out.join('');
}

export function pairsHtml(results: ResultsFile): string {
  const rows = modelPairs(results);
  if (rows.length === 0) return '<p class="note">Needs at least two models with per-sample credit on the same benchmark.</p>';
  const body = rows
    .map(
      (r) =>
        `<tr${r.pValue < 0.05 ? ' class="sig"' : ''}><td>${escapeHtml(BENCHMARK_TITLES[r.benchmark])}</td><td>${escapeHtml(r.a)}</td><td>${escapeHtml(r.b)}</td>` +
        `<td class="num">${fmtHeadline(r.headlineA)}</td><td class="num">${fmtHeadline(r.headlineB)}</td><td class="num">${fmtDelta(r.delta)}</td>` +
        `<td>${r.test === 'mcnemar' ? 'McNemar' : `paired bootstrap of ${escapeHtml(r.statistic)}`}</td><td class="num">${r.paired}</td><td class="num">${fmtP(r.pValue)}${r.pValue < 0.05 ? ' *' : ''}</td></tr>`,
    )
    .join('');
  return `<table class="bd"><thead><tr><th>benchmark</th><th>model A</th><th>model B</th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th><th>test</th><th class="num">n</th><th class="num">p</th></tr></thead><tbody>${body}</tbody></table>
<p class="note">Every two models on the headline statistic, over the resampling units both scored: McNemar (exact binomial below 25 discordant pairs) where the headline is plain accuracy over independent items, else a paired bootstrap that recomputes the benchmark's own statistic (an F1, a sum, soft accuracy) on the same units. * p &lt; 0.05.</p>`;
}
