// report.html: one self-contained file (no network, no external assets) with the comparison table,
// breakdowns, inline SVG charts and a paged sample browser. Static parts are rendered here with every
// string escaped; the browser's data is embedded as JSON (with "<" escaped, so "</script>" in any
// answer cannot close the block) and drawn client-side with textContent only (client.js).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.ts';
import { computeAspectBreakdowns } from '../aspect.ts';
import { fillMissingIntervals, loadReferences, loadRunDir, type ReferenceTable, type RunData } from '../load.ts';
import { buildComparison } from '../table.ts';
import { buildBrowserData, HTML_LIMITS } from './browser-data.ts';
import { aspectHtml, COLORS, headlineChart } from './charts.ts';
import { escapeHtml, jsonForScript } from './escape.ts';
import { breakdownsHtml, comparisonHtml, pairsHtml } from './tables.ts';

// Plain assets beside this module, inlined into every page.
const CSS = readFileSync(new URL('./style.css', import.meta.url), 'utf8');

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

const CLIENT_JS = readFileSync(new URL('./client.js', import.meta.url), 'utf8');

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
<p class="note">Headline metric per benchmark in the EVE paper's units; ± is the half-width of the 95% bootstrap interval; under each score, samples whose generation failed ("err") and samples with no prediction ("miss"), both scored wrong. Rows tagged <i>published</i> are the EVE paper's numbers (docs/protocol.md §3), not measured here.${table.deltaVs ? ` Deltas are against ${escapeHtml(table.deltaVs)}.` : ''}</p>
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
${
  browser
    ? `<h2 id="samples">Samples</h2>
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
`
    : '<h2 id="samples">Samples</h2><p class="note">No sample browser: this results file has no predictions/ or samples/ beside it (e.g. it was written by <code>eve-eval score --results</code>).</p>\n'
}</main>
<footer>Generated by eve-eval. Self-contained: no network access. Thumbnails: at most ${HTML_LIMITS.thumbsPerBenchmark} per benchmark, 96 px JPEG; texts clipped to ${HTML_LIMITS.answerChars} characters.</footer>
${
  browser
    ? `<script type="application/json" id="eve-data">${jsonForScript(browser)}</script>
<script>${CLIENT_JS.replace(/<\/script/gi, '<\\/script')}</script>`
    : ''
}
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
