// The report's aspect-ratio breakdown pooled over every benchmark of a run: per model, mean per-sample credit
// (×100) in each width/height bucket, with the sample count. What the README says about the embedded default's
// extreme shapes comes from this.
//   npx tsx bench/aspect-summary.ts RUN_DIR
import { ASPECT_BUCKETS, computeAspectBreakdowns } from '../reports/aspect.ts';
import { loadRunDir } from '../reports/load.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx bench/aspect-summary.ts RUN_DIR');
const run = await loadRunDir(dir);
const pooled = new Map<string, { n: number; credit: number }[]>();
for (const a of computeAspectBreakdowns(run)) {
  const acc = pooled.get(a.model) ?? ASPECT_BUCKETS.map(() => ({ n: 0, credit: 0 }));
  a.aspect.forEach((s, i) => {
    acc[i].n += s.n;
    acc[i].credit += s.score === null ? 0 : (s.score * s.n) / 100;
  });
  pooled.set(a.model, acc);
}
const head = ['model', ...ASPECT_BUCKETS.map((b) => `w/h ${b.label}`)];
const rows = [...pooled].map(([model, acc]) => [model, ...acc.map((x) => (x.n ? `${((100 * x.credit) / x.n).toFixed(1)} (n=${x.n})` : '–'))]);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
