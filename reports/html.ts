// report.html: one self-contained file (no network, no external assets) with the comparison table,
// breakdowns, inline SVG charts and a paged sample browser. Static parts are rendered here with every
// string escaped; the browser's data is embedded as JSON (with "<" escaped, so "</script>" in any
// answer cannot close the block) and drawn client-side with textContent only (html-client.js).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchmarkId } from '../core/benchmark.ts';
import { computeAspectBreakdowns, type AspectBreakdown, type BucketStat } from './aspect.ts';
import { fillMissingIntervals, indexResults, loadReferences, loadRunDir, type ReferenceTable, type RunData } from './load.ts';
import { fmtP, modelPairs } from './pairwise.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import type { ResultsFile } from '../core/records.ts';
import {
  BENCHMARK_TITLES, SUBSET_MARK, buildBreakdowns, buildComparison, comparisonNotes, fmtCellValue, fmtCI, fmtDelta, fmtErrors, fmtHeadline, fmtValue, rowLabel, tableValues,
  type Cell, type ComparisonTable,
} from './table.ts';

/** Size budget (README.md): text per field and thumbnails per benchmark embedded in the page. */
export const HTML_LIMITS = {
  promptChars: 300,
  answerChars: 300,
  truthChars: 160,
  thumbsPerBenchmark: 200,
  /** A thumbnail data URL longer than this (not a 96-px JPEG) is dropped. */
  thumbMaxChars: 12_000,
};

const COLORS = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#4b5563'];

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside <script type="application/json">: no "<" (so no "</script" or "<!--"), no U+2028/9. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

// ------------------------------------------------------------------------------------------ tables

function comparisonHtml(table: ComparisonTable): string {
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
  const notes = comparisonNotes(table).map((n) => `<p class="note cmp-note">${escapeHtml(n)}</p>`).join('');
  return `<div class="table-wrap"><table class="cmp" id="comparison"><thead><tr><th>Model</th>${head}</tr></thead><tbody>${body.join('')}</tbody></table></div>${notes}`;
}

function breakdownsHtml(run: RunData): string {
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
            .map((r) => `<tr><th scope="row">${escapeHtml(r.key)}</th>${r.values.map((v) => `<td class="num">${escapeHtml(fmtValue(v, tableValues(t)))}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`,
      )
      .join('');
    out.push(`<details class="bd-group"${out.length === 0 ? ' open' : ''}><summary>${escapeHtml(BENCHMARK_TITLES[b])} <span class="muted">${ts.length} table${ts.length > 1 ? 's' : ''}</span></summary><div class="bd-tables">${inner}</div></details>`);
  }
  return out.join('');
}

// ------------------------------------------------------------------------------------------ charts

function pairsHtml(results: ResultsFile): string {
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

function niceMax(v: number): number {
  if (v <= 100) return 100;
  const step = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(v / (step / 2)) * (step / 2);
}

/** Published reference lines: a colour and a dash pattern each, so the four rows are told apart. */
const REF_STYLES = [
  { color: '#6b7280', dash: '6 3' },
  { color: '#b45309', dash: '2 2' },
  { color: '#7c3aed', dash: '8 2 2 2' },
  { color: '#0e7490', dash: '1 3' },
];

/** One small bar chart per benchmark: measured headlines with CI whiskers, published values as ticks. */
function headlineChart(table: ComparisonTable, b: BenchmarkId, colors: Map<string, string>): string {
  const measured = table.rows.filter((r) => r.kind === 'measured' && typeof r.cells[b]?.value === 'number');
  const published = table.rows.filter((r) => r.kind === 'published' && typeof r.cells[b]?.value === 'number');
  const top = niceMax(Math.max(0, ...table.rows.flatMap((r) => [r.cells[b]?.value ?? 0, r.cells[b]?.ci95?.[1] ?? 0])));
  const W = 260, H = 170, L = 36, R = 8, T = 16, B = 8;
  const plotW = W - L - R, plotH = H - T - B;
  const y = (v: number) => T + plotH - (Math.max(0, Math.min(v, top)) / top) * plotH;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${L - 4}" y="${y(v) + 3}" class="axis" text-anchor="end">${v}</text>`);
  }
  const slot = plotW / Math.max(1, measured.length);
  const bw = Math.min(34, slot * 0.6);
  measured.forEach((r, i) => {
    const c = r.cells[b]! as Cell & { value: number };
    const cx = L + slot * i + slot / 2;
    const color = colors.get(r.name) ?? COLORS[0];
    parts.push(`<rect x="${cx - bw / 2}" y="${y(c.value)}" width="${bw}" height="${T + plotH - y(c.value)}" fill="${color}" rx="2"><title>${escapeHtml(`${r.name}: ${fmtHeadline(c.value)} ${fmtCI(c.ci95)}`)}</title></rect>`);
    if (c.ci95) {
      const [lo, hi] = c.ci95;
      parts.push(`<path d="M${cx} ${y(lo)}V${y(hi)}M${cx - 5} ${y(lo)}H${cx + 5}M${cx - 5} ${y(hi)}H${cx + 5}" class="whisker"/>`);
    }
    // Label above the whisker so the two never overlap.
    const labelY = Math.max(T - 2, y(Math.max(c.value, c.ci95?.[1] ?? c.value)) - 4);
    parts.push(`<text x="${cx}" y="${labelY}" class="val" text-anchor="middle">${fmtHeadline(c.value)}${c.subset ? SUBSET_MARK : ''}</text>`);
  });
  // Each published row its own colour and dash, keyed in the legend under the chart.
  published.forEach((r, i) => {
    const v = r.cells[b]!.value as number;
    const st = REF_STYLES[i % REF_STYLES.length];
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" class="ref" stroke="${st.color}" stroke-dasharray="${st.dash}"><title>${escapeHtml(`${r.name} (published): ${fmtHeadline(v)}`)}</title></line>`);
  });
  // Measured rows without a number (a judge-scored benchmark without grades): say so on the plot instead of leaving it blank.
  const unscored = table.rows.filter((r) => r.kind === 'measured' && r.cells[b] && r.cells[b]!.value === null);
  if (unscored.length && !measured.length) {
    const why = fmtCellValue(unscored[0].cells[b]!);
    parts.push(`<text x="${L + plotW / 2}" y="${T + plotH / 2}" class="val" text-anchor="middle">no measured score: ${escapeHtml(why)}</text><title>${escapeHtml(unscored[0].cells[b]!.unscored ?? '')}</title>`);
  }
  // Published values are named under the chart, not on it: close values would print over each other.
  const refs = published.length
    ? `<div class="refs">${published
        .map((r, i) => {
          const st = REF_STYLES[i % REF_STYLES.length];
          const key = `<svg width="18" height="6" aria-hidden="true"><line x1="0" x2="18" y1="3" y2="3" stroke="${st.color}" stroke-width="2" stroke-dasharray="${st.dash}"/></svg>`;
          return `${key} ${escapeHtml(r.name)} <b>${table.incomparable[b]?.length ? '≠ ' : ''}${fmtHeadline(r.cells[b]!.value)}</b>`;
        })
        .join(' · ')}</div>`
    : '<div class="refs muted">no published number</div>';
  return `<figure class="chart hl"><figcaption>${escapeHtml(BENCHMARK_TITLES[b])} <span class="muted">${escapeHtml(table.headlineNames[b] ?? '')}</span></figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(BENCHMARK_TITLES[b])} headline by model">${parts.join('')}<line x1="${L}" x2="${W - R}" y1="${T + plotH}" y2="${T + plotH}" class="baseline"/></svg>${refs}</figure>`;
}

/** Grouped bars: x = aspect-ratio bucket, one bar per model, height = mean credit ×100. */
function bucketChart(title: string, rows: AspectBreakdown[], pick: (a: AspectBreakdown) => BucketStat[], colors: Map<string, string>): string {
  const labels = pick(rows[0]).map((s) => s.label);
  const W = 270, H = 160, L = 28, R = 4, T = 10, B = 30;
  const plotW = W - L - R, plotH = H - T - B;
  const y = (v: number) => T + plotH - (Math.max(0, Math.min(v, 100)) / 100) * plotH;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = 25 * i;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${L - 4}" y="${y(v) + 3}" class="axis" text-anchor="end">${v}</text>`);
  }
  const slot = plotW / labels.length;
  const bw = Math.max(3, Math.min(14, (slot * 0.8) / rows.length));
  labels.forEach((label, i) => {
    const x0 = L + slot * i + (slot - bw * rows.length) / 2;
    rows.forEach((a, j) => {
      const s = pick(a)[i];
      if (s.score === null) return;
      // A score of 0 on samples that exist gets a 2 px stub, so it does not look like an empty bucket (n=0).
      const h = Math.max(2, T + plotH - y(s.score));
      parts.push(`<rect x="${x0 + j * bw}" y="${T + plotH - h}" width="${bw - 1}" height="${h}" fill="${colors.get(a.model) ?? COLORS[0]}"><title>${escapeHtml(`${a.model}, ${label}: ${s.score.toFixed(1)} (n=${s.n})`)}</title></rect>`);
    });
    parts.push(`<text x="${L + slot * i + slot / 2}" y="${H - B + 13}" class="axis" text-anchor="middle">${escapeHtml(label.replace(/ MP$/, ''))}</text>`);
    const n = Math.max(...rows.map((a) => pick(a)[i].n));
    parts.push(`<text x="${L + slot * i + slot / 2}" y="${H - B + 24}" class="axis muted-fill" text-anchor="middle">n=${n}</text>`);
  });
  return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">${parts.join('')}<line x1="${L}" x2="${W - R}" y1="${T + plotH}" y2="${T + plotH}" class="baseline"/></svg></figure>`;
}

function fmtNum(v: number | null, digits = 0): string {
  return v === null ? '–' : v.toFixed(digits);
}

function aspectHtml(aspect: AspectBreakdown[], colors: Map<string, string>): string {
  const withSizes = aspect.filter((a) => a.aspect.some((s) => s.n > 0));
  if (!withSizes.length) return '<p class="muted">No prediction record or sample summary carries an image size, so there is nothing to bucket.</p>';
  const byBench = new Map<BenchmarkId, AspectBreakdown[]>();
  for (const a of withSizes) byBench.set(a.benchmark, [...(byBench.get(a.benchmark) ?? []), a]);
  const out: string[] = [];
  for (const [b, rows] of byBench) {
    const tableRows = rows
      .flatMap((a) =>
        [...a.aspect.map((s) => ['aspect', s] as const), ...a.resolution.map((s) => ['resolution', s] as const)]
          .filter(([, s]) => s.n > 0)
          .map(
            ([kind, s]) =>
              `<tr><th scope="row">${escapeHtml(a.model)}</th><td>${kind}</td><td>${escapeHtml(s.label)}</td><td class="num">${s.n}</td><td class="num">${fmtNum(s.score, 1)}</td><td class="num">${fmtNum(s.meanImageTokens)}</td><td class="num">${fmtNum(s.meanLatencyMs)}</td></tr>`,
          ),
      )
      .join('');
    out.push(
      `<section class="aspect-bench"><h3>${escapeHtml(BENCHMARK_TITLES[b])}</h3><div class="charts">${bucketChart('Score by aspect ratio (w / h)', rows, (a) => a.aspect, colors)}${bucketChart('Score by resolution (megapixels)', rows, (a) => a.resolution, colors)}</div>` +
        `<details><summary>Per-bucket numbers</summary><table class="bd"><thead><tr><th>model</th><th>by</th><th>bucket</th><th class="num">n</th><th class="num">score</th><th class="num">image tokens</th><th class="num">latency ms</th></tr></thead><tbody>${tableRows}</tbody></table></details></section>`,
    );
  }
  return `<div class="aspect-grid">${out.join('')}</div>`;
}

// ------------------------------------------------------------------------------------------ browser data

export interface BrowserData {
  models: string[];
  colors: string[];
  /** suffix: the prompt ending every sample of the benchmark shares, stored once (saves ~50 B a sample). */
  benchmarks: Array<{ id: BenchmarkId; title: string; n: number; suffix: string }>;
  thumbs: string[];
  rows: Array<[number, string, string, string | null, number, number, number, Array<string | null>, Array<number | null>, Array<0 | string>]>;
}

/** Longest suffix every prompt shares (the benchmark's answer instruction), or '' when under 8 characters. */
function commonSuffix(prompts: string[]): string {
  if (prompts.length < 2) return '';
  let suffix = prompts[0];
  for (const p of prompts) {
    while (suffix && !p.endsWith(suffix)) suffix = suffix.slice(1);
    if (!suffix) return '';
  }
  return suffix.length >= 8 ? suffix : '';
}

export function buildBrowserData(run: RunData, models: string[]): BrowserData {
  const idx = indexResults(run.results.results);
  const data: BrowserData = { models, colors: COLORS, benchmarks: [], thumbs: [], rows: [] };
  const benches = [...new Set<BenchmarkId>([...idx.benchmarks, ...run.samples.keys()])];
  for (const b of benches) {
    const bi = data.benchmarks.length;
    const summaries = run.samples.get(b) ?? [];
    const ids: string[] = summaries.map((s) => s.id);
    const known = new Set(ids);
    // Samples scored or predicted but absent from the summaries still get a row (prompt unknown).
    for (const m of models) {
      for (const id of Object.keys(idx.get(m, b)?.perSample ?? {})) if (!known.has(id)) (known.add(id), ids.push(id));
      for (const id of run.predictions.get(m)?.get(b)?.keys() ?? []) if (!known.has(id)) (known.add(id), ids.push(id));
    }
    if (!ids.length) continue;
    const byId = new Map(summaries.map((s) => [s.id, s]));
    const suffix = commonSuffix(summaries.map((s) => s.prompt));
    let thumbs = 0;
    for (const id of ids) {
      const s = byId.get(id);
      let thumb = -1;
      if (s?.thumb && thumbs < HTML_LIMITS.thumbsPerBenchmark && s.thumb.startsWith('data:image/') && s.thumb.length <= HTML_LIMITS.thumbMaxChars) {
        thumb = data.thumbs.push(s.thumb) - 1;
        thumbs++;
      }
      const answers: Array<string | null> = [];
      const credits: Array<number | null> = [];
      const errors: Array<0 | string> = [];
      for (const m of models) {
        const rec = run.predictions.get(m)?.get(b)?.get(id);
        const credit = idx.get(m, b)?.perSample?.[id];
        answers.push(rec ? clip(rec.text, HTML_LIMITS.answerChars) : null);
        credits.push(credit === undefined ? null : credit);
        errors.push(rec?.error ? clip(`${rec.error.kind}: ${rec.error.message}`, HTML_LIMITS.truthChars) : 0);
      }
      // Options are appended only when the prompt does not already list them (MMBench and ScienceQA prompts do).
      const options = s?.choices?.length ? s.choices.map((c, i) => `${String.fromCharCode(65 + i)}. ${c}`) : [];
      const listed = options.length > 0 && options.every((o) => s!.prompt.includes(o));
      const prompt = s ? s.prompt.slice(0, s.prompt.length - suffix.length) + (options.length && !listed ? `\n${options.join('\n')}` : '') : '';
      data.rows.push([bi, id, clip(prompt, HTML_LIMITS.promptChars), s?.truth == null ? null : clip(s.truth, HTML_LIMITS.truthChars), thumb, s?.image?.width ?? 0, s?.image?.height ?? 0, answers, credits, errors]);
    }
    data.benchmarks.push({ id: b, title: BENCHMARK_TITLES[b], n: ids.length, suffix });
  }
  return data;
}

// ------------------------------------------------------------------------------------------ page

const CSS = `
:root{--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--bg:#f8fafc;--card:#fff;--accent:#2563eb;--ok:#047857;--bad:#b91c1c;--pub:#0e7490}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#0f172a;color:#e2e8f0;padding:18px 32px}
header h1{margin:0;font-size:20px;font-weight:600;letter-spacing:.2px}
header .meta{margin-top:6px;color:#94a3b8;font-size:12px;display:flex;flex-wrap:wrap;gap:4px 18px}
header code{color:#cbd5e1}
nav{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);padding:0 32px;display:flex;gap:22px}
nav a{display:inline-block;padding:10px 0;color:var(--muted);text-decoration:none;font-weight:500}
nav a:hover{color:var(--accent)}
main{padding:8px 32px 48px;max-width:1500px}
h2{font-size:17px;margin:28px 0 10px;font-weight:600}
h3{font-size:14px;margin:16px 0 6px}
.muted{color:var(--muted);font-weight:400}
.note{color:var(--muted);font-size:12px;margin:6px 0 0}
.table-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse}
table.cmp{width:100%}
table.cmp th,table.cmp td{padding:8px 12px;border-bottom:1px solid var(--line);white-space:nowrap;text-align:left;vertical-align:top}
table.cmp thead th{background:#f1f5f9;font-weight:600;font-size:13px;border-bottom:1px solid #cbd5e1}
.sub{font-weight:400;color:var(--muted);font-size:11px}
table.cmp thead .sub{white-space:normal;overflow-wrap:anywhere;max-width:150px;margin-left:auto;line-height:1.3}
.num{text-align:right!important;font-variant-numeric:tabular-nums}
.score{font-weight:600}
.ci{font-weight:400;color:var(--muted);font-size:12px;margin-left:3px}
.errs{font-size:11px;color:var(--muted)}
.errs.bad{color:var(--bad);font-weight:600}
.delta{font-size:11px;color:var(--muted)}
.delta.up{color:var(--ok)}.delta.down{color:var(--bad)}
tr.published th,tr.published td{color:var(--pub);font-style:italic;background:#f8fcfd}
tr.first-published th,tr.first-published td{border-top:2px solid #cbd5e1}
.tag{display:inline-block;font-style:normal;font-size:10px;font-weight:600;text-transform:uppercase;letter-spacing:.4px;padding:1px 6px;border-radius:9px;background:#cffafe;color:#155e75;margin-left:6px;vertical-align:1px}
.tag-base{background:#e0e7ff;color:#3730a3}
.empty{color:#cbd5e1}
.charts{display:flex;flex-wrap:wrap;gap:12px}
figure.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 10px}
figcaption{font-weight:600;font-size:13px;margin-bottom:2px}
figure.chart.hl{width:282px}
figure.chart.hl figcaption{min-height:36px;line-height:1.35}
svg text{font:10px system-ui,sans-serif;fill:#374151}
svg .axis{fill:#6b7280}
svg .grid{stroke:#f1f5f9}
svg .baseline{stroke:#9ca3af}
svg .whisker{stroke:#111827;stroke-width:1.2;fill:none}
svg .val{font-weight:600}
svg .ref{stroke-width:1.4}
.legend{display:flex;flex-wrap:wrap;gap:14px;margin:6px 0 10px;font-size:12px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.refkey{display:inline-block;width:16px;border-top:2px dashed var(--pub);margin-right:6px;vertical-align:3px}
details.bd-group{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:8px 0;padding:6px 12px}
details summary{cursor:pointer;font-weight:600;padding:4px 0}
.bd-tables{display:flex;flex-wrap:wrap;align-items:flex-start;gap:18px;padding:6px 0 8px}
table.bd{font-size:12.5px;background:var(--card)}
table.bd th,table.bd td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left}
table.bd thead th{background:#f8fafc;font-weight:600}
table.bd tr.sig td{background:#fefce8}
.aspect-grid{display:flex;flex-wrap:wrap;gap:14px}
.aspect-bench{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:4px 12px 8px}
.aspect-bench h3{margin:8px 0}
.aspect-bench figure.chart{border:0;padding:0}
.refs{font-size:11px;color:var(--pub);margin-top:2px;max-width:260px}
.filters{display:flex;flex-wrap:wrap;align-items:center;gap:10px 18px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px;position:sticky;top:41px;z-index:4}
.filters label{display:inline-flex;align-items:center;gap:6px;font-size:13px}
.filters select,.filters input[type=search]{font:inherit;padding:4px 8px;border:1px solid #cbd5e1;border-radius:6px;background:#fff}
.filters input[type=search]{width:220px}
.counter{margin-left:auto;color:var(--muted);font-size:13px}
.counter b{color:var(--fg)}
#sample-list{display:flex;flex-direction:column;gap:10px;margin-top:12px}
.sample{display:flex;gap:14px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px}
.thumb{flex:0 0 104px;text-align:center}
.thumb img{max-width:96px;max-height:96px;border-radius:4px;border:1px solid var(--line)}
.nothumb{display:flex;align-items:center;justify-content:center;width:96px;height:72px;margin:0 auto;background:#f1f5f9;color:#94a3b8;font-size:11px;border-radius:4px}
.dims{font-size:11px;color:var(--muted);margin-top:3px}
.sample-body{flex:1;min-width:0}
.sample-head{display:flex;align-items:center;gap:8px;margin-bottom:4px}
.chip{font-size:11px;font-weight:600;background:#eef2ff;color:#3730a3;padding:1px 7px;border-radius:9px}
.sid{font-size:11px;color:var(--muted)}
.prompt{margin:2px 0 6px;white-space:pre-wrap;word-break:break-word}
.truth{margin:0 0 6px;font-size:13px}
.label{font-size:11px;text-transform:uppercase;letter-spacing:.4px;color:var(--muted);margin-right:8px}
.truth-text{font-weight:600}
table.answers{width:100%;font-size:13px}
table.answers th,table.answers td{padding:4px 8px;border-top:1px solid #f1f5f9;text-align:left;vertical-align:top}
table.answers th{width:170px;font-weight:500;white-space:nowrap}
table.answers td.answer{white-space:pre-wrap;word-break:break-word;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
table.answers td.verdict{width:110px;text-align:right}
table.answers tr.focus{background:#fefce8}
.badge{display:inline-block;white-space:nowrap;font-size:11px;font-weight:600;padding:1px 8px;border-radius:9px}
.badge-ok{background:#d1fae5;color:#065f46}.badge-bad{background:#fee2e2;color:#991b1b}
.err-reason{margin-top:3px;font-size:12px;color:var(--bad)}
.badge-part{background:#fef3c7;color:#92400e}.badge-err{background:#991b1b;color:#fff}.badge-none{background:#f3f4f6;color:#6b7280}
.pager{display:flex;align-items:center;justify-content:center;gap:12px;margin:14px 0}
.pager button{font:inherit;padding:5px 14px;border:1px solid #cbd5e1;background:#fff;border-radius:6px;cursor:pointer}
.pager button:disabled{opacity:.4;cursor:default}
footer{color:var(--muted);font-size:12px;padding:0 32px 28px}
`;

export interface HtmlOptions {
  references?: ReferenceTable;
  deltaVs?: string;
}

function manifestLine(run: RunData): string {
  const m = run.results.manifest as unknown as Record<string, unknown>;
  const items: Array<[string, unknown]> = [
    ['eve-eval', m.eveEvalVersion],
    ['git', typeof m.gitSha === 'string' ? m.gitSha.slice(0, 10) : m.gitSha],
    ['node', m.node],
    ['onnxruntime', m.onnxruntime],
    ['execution provider', m.executionProvider],
    ['started', m.startedAt],
    ['finished', m.finishedAt],
  ];
  return items
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `<span>${escapeHtml(k)} <code>${escapeHtml(v)}</code></span>`)
    .join('');
}

const CLIENT_JS = readFileSync(new URL('./html-client.js', import.meta.url), 'utf8');

/** The whole page for a loaded run, as a string. */
export function renderHtml(runIn: RunData, opts: HtmlOptions = {}): string {
  const run = fillMissingIntervals(runIn);
  const table = buildComparison(run.results, { references: opts.references, deltaVs: opts.deltaVs });
  const models = table.rows.filter((r) => r.kind === 'measured').map((r) => r.name);
  for (const m of run.predictions.keys()) if (!models.includes(m)) models.push(m);
  const colors = new Map(models.map((m, i) => [m, COLORS[i % COLORS.length]]));
  const modelKeys = models.map((m) => `<span><span class="swatch" style="background:${colors.get(m)}"></span>${escapeHtml(m)}</span>`).join('');
  const legend = `<div class="legend">${modelKeys}${table.rows.some((r) => r.kind === 'published') ? '<span><span class="refkey"></span>published (EVE paper)</span>' : ''}</div>`;
  const aspectLegend = `<div class="legend">${modelKeys}</div>`;
  const charts = table.benchmarks.map((b) => headlineChart(table, b, colors)).join('');
  const aspect = computeAspectBreakdowns(run);
  // The sample browser needs question summaries or answers; a results file alone (e.g. from `score --results`)
  // has only ids and credits, so the section is left out rather than shown as a list of bare ids.
  const hasBrowser = run.samples.size > 0 || run.predictions.size > 0;
  const browser = hasBrowser ? buildBrowserData(run, models) : null;
  const totalErrors = run.results.results.reduce((s, r) => s + r.counts.errors, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>eve-eval report</title><style>${CSS}</style></head>
<body>
<header><h1>eve-eval report</h1><div class="meta">${manifestLine(run)}<span>${models.length} model${models.length === 1 ? '' : 's'} × ${table.benchmarks.length} benchmark${table.benchmarks.length === 1 ? '' : 's'}</span><span>${totalErrors} errored sample${totalErrors === 1 ? '' : 's'}</span></div></header>
<nav><a href="#summary">Summary</a><a href="#charts">Charts</a><a href="#breakdowns">Breakdowns</a><a href="#pairs">Significance</a><a href="#aspect">Aspect ratio &amp; resolution</a>${hasBrowser ? '<a href="#samples">Samples</a>' : ''}</nav>
<main>
<h2 id="summary">Comparison</h2>
${comparisonHtml(table)}
<p class="note">Headline metric per benchmark in the EVE paper's units; ± is the half-width of the 95% bootstrap interval; under each score, samples whose generation failed ("err") and samples with no prediction ("miss"), both scored wrong. Rows tagged <i>published</i> are the EVE paper's numbers (PROTOCOL.md §3), not measured here.${table.deltaVs ? ` Deltas are against ${escapeHtml(table.deltaVs)}.` : ''}</p>
<h2 id="charts">Headline scores</h2>
${legend}<div class="charts">${charts}</div>
<p class="note">Whiskers: 95% bootstrap interval. Dashed lines: published numbers.</p>
<h2 id="breakdowns">Breakdowns</h2>
${breakdownsHtml(run)}
<h2 id="pairs">Paired significance</h2>
${pairsHtml(run.results)}
<h2 id="aspect">Aspect ratio &amp; resolution</h2>
<p class="note">Mean per-sample credit ×100 (accuracy-like: where the headline is not a mean, such as an F1 or a sum, this is per-question accuracy, not the headline) by the original image's width / height and megapixels, with mean image tokens and latency per sample where the predictions record them.</p>
${aspectLegend}${aspectHtml(aspect, colors)}
${browser ? `<h2 id="samples">Samples</h2>
<div class="filters">
<label>Benchmark <select id="f-bench"><option value="-1">all</option></select></label>
<label>Model <select id="f-model"><option value="-1">all models</option></select></label>
<label><input type="checkbox" id="f-wrong"> wrong only</label>
<label><input type="checkbox" id="f-disagree"> models disagree</label>
<label><input type="checkbox" id="f-errored"> errored</label>
<label><input type="search" id="f-q" placeholder="search id, question, answer"></label>
<span class="counter"><b id="match-count">0</b> of <span id="total-count">0</span> samples</span>
</div>
<div id="sample-list"></div>
<div class="pager"><button id="prev" type="button">‹ Previous</button><span id="page-info"></span><button id="next" type="button">Next ›</button></div>
` : '<h2 id="samples">Samples</h2><p class="note">No sample browser: this results file has no predictions/ or samples/ beside it (e.g. it was written by <code>eve-eval score --results</code>).</p>\n'}</main>
<footer>Generated by eve-eval. Self-contained: no network access. Thumbnails: at most ${HTML_LIMITS.thumbsPerBenchmark} per benchmark, 96 px JPEG; texts clipped to ${HTML_LIMITS.answerChars} characters.</footer>
${browser ? `<script type="application/json" id="eve-data">${jsonForScript(browser)}</script>
<script>${CLIENT_JS.replace(/<\/script/gi, '<\\/script')}</script>` : ''}
</body></html>
`;
}

/** Render report.html into RUN_DIR (or beside a results FILE), written atomically; returns its path. */
export async function renderHtmlReport(runDir: string, opts: HtmlOptions = {}): Promise<string> {
  const run = await loadRunDir(runDir);
  const references = opts.references ?? (await loadReferences()).references;
  const html = renderHtml(run, { ...opts, references });
  const out = join(run.runDir, 'report.html');
  await writeFileAtomic(out, html);
  return out;
}
