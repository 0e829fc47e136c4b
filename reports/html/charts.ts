// Inline SVG charts of report.html: headline bars with intervals and published lines, aspect-ratio buckets.
import type { BenchmarkId } from '../../core/benchmark.ts';
import type { AspectBreakdown, BucketStat } from '../aspect.ts';
import { BENCHMARK_TITLES, SUBSET_MARK, fmtCellValue, fmtCI, fmtHeadline, type Cell, type ComparisonTable } from '../table.ts';
import { escapeHtml } from './escape.ts';

/** One colour per model, in table order; the sample browser uses the same palette. */
export const COLORS = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#4b5563'];

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
export function headlineChart(table: ComparisonTable, b: BenchmarkId, colors: Map<string, string>): string {
  const measured = table.rows.filter((r) => r.kind === 'measured' && typeof r.cells[b]?.value === 'number');
  const published = table.rows.filter((r) => r.kind === 'published' && typeof r.cells[b]?.value === 'number');
  const top = niceMax(Math.max(0, ...table.rows.flatMap((r) => [r.cells[b]?.value ?? 0, r.cells[b]?.ci95?.[1] ?? 0])));
  const W = 260,
    H = 170,
    L = 36,
    R = 8,
    T = 16,
    B = 8;
  const plotW = W - L - R,
    plotH = H - T - B;
  const y = (v: number) => T + plotH - (Math.max(0, Math.min(v, top)) / top) * plotH;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i;
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${L - 4}" y="${y(v) + 3}" class="axis" text-anchor="end">${v}</text>`,
    );
  }
  const slot = plotW / Math.max(1, measured.length);
  const bw = Math.min(34, slot * 0.6);
  measured.forEach((r, i) => {
    const c = r.cells[b]! as Cell & { value: number };
    const cx = L + slot * i + slot / 2;
    const color = colors.get(r.name) ?? COLORS[0];
    parts.push(
      `<rect x="${cx - bw / 2}" y="${y(c.value)}" width="${bw}" height="${T + plotH - y(c.value)}" fill="${color}" rx="2"><title>${escapeHtml(`${r.name}: ${fmtHeadline(c.value)} ${fmtCI(c.ci95)}`)}</title></rect>`,
    );
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
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" class="ref" stroke="${st.color}" stroke-dasharray="${st.dash}"><title>${escapeHtml(`${r.name} (published): ${fmtHeadline(v)}`)}</title></line>`,
    );
  });
  // Measured rows without a number (a judge-scored benchmark without grades): say so on the plot instead of leaving it blank.
  const unscored = table.rows.filter((r) => r.kind === 'measured' && r.cells[b] && r.cells[b]!.value === null);
  if (unscored.length && !measured.length) {
    const why = fmtCellValue(unscored[0].cells[b]!);
    parts.push(
      `<text x="${L + plotW / 2}" y="${T + plotH / 2}" class="val" text-anchor="middle">no measured score: ${escapeHtml(why)}</text><title>${escapeHtml(unscored[0].cells[b]!.unscored ?? '')}</title>`,
    );
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
  const W = 270,
    H = 160,
    L = 28,
    R = 4,
    T = 10,
    B = 30;
  const plotW = W - L - R,
    plotH = H - T - B;
  const y = (v: number) => T + plotH - (Math.max(0, Math.min(v, 100)) / 100) * plotH;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = 25 * i;
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${L - 4}" y="${y(v) + 3}" class="axis" text-anchor="end">${v}</text>`,
    );
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
      parts.push(
        `<rect x="${x0 + j * bw}" y="${T + plotH - h}" width="${bw - 1}" height="${h}" fill="${colors.get(a.model) ?? COLORS[0]}"><title>${escapeHtml(`${a.model}, ${label}: ${s.score.toFixed(1)} (n=${s.n})`)}</title></rect>`,
      );
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

export function aspectHtml(aspect: AspectBreakdown[], colors: Map<string, string>): string {
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
