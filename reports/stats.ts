// Statistics for headline numbers: bootstrap intervals, McNemar and paired bootstrap.
// Everything is seeded so the same inputs always print the same interval (results files diff cleanly).
import type { HeadlineStatistic, Resampling } from '../core/benchmark.ts';
import { seededRandom } from '../core/prng.ts';

export const DEFAULT_SEED = 20240611;
export const DEFAULT_RESAMPLES = 1000;

// Re-exported: callers and tests reach the generator through the statistics module.
export { seededRandom };

/** Linear-interpolated quantile of a sorted array (numpy's default), q in [0, 1]. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  /** Two-sided level; 0.95 gives the 2.5th and 97.5th percentiles. */
  level?: number;
}

/** Percentile interval of `stat` over `resamples` draws; `draw(rand)` makes one bootstrap statistic. */
function percentileInterval(draw: (rand: () => number) => number, opts: BootstrapOptions): [number, number] {
  const rand = seededRandom(opts.seed ?? DEFAULT_SEED);
  const n = opts.resamples ?? DEFAULT_RESAMPLES;
  const level = opts.level ?? 0.95;
  const stats: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = draw(rand);
    if (Number.isFinite(s)) stats.push(s);
  }
  stats.sort((x, y) => x - y);
  return [quantile(stats, (1 - level) / 2), quantile(stats, 1 - (1 - level) / 2)];
}

/**
 * 95% percentile bootstrap interval for a headline that is a function of the mean per-sample credit
 * (accuracy ×100: `m => 100 * m`). O(resamples × n) with no allocation per draw, so 200k samples is fine.
 */
export function bootstrapCI(perSample: number[], headlineFromMean: (mean: number) => number, opts: BootstrapOptions = {}): [number, number] {
  const n = perSample.length;
  if (n === 0) return [NaN, NaN];
  return percentileInterval((rand) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += perSample[(rand() * n) | 0];
    return headlineFromMean(sum / n);
  }, opts);
}

export interface McNemarResult {
  /** Samples right in A and wrong in B. */
  b: number;
  /** Samples wrong in A and right in B. */
  c: number;
  pValue: number;
  method: 'exact' | 'chi2';
}

/** ln Γ via Lanczos, for binomial tails without overflow. */
function logGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Two-sided exact binomial p-value for k successes out of n at p = 0.5: 2·P(X ≤ min(k, n−k)), capped at 1. */
export function exactBinomialTwoSided(k: number, n: number): number {
  if (n === 0) return 1;
  const m = Math.min(k, n - k);
  let tail = 0;
  for (let i = 0; i <= m; i++) {
    tail += Math.exp(logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}

/** Upper tail of χ² with 1 degree of freedom: P(X > x) = erfc(√(x/2)). */
function chi2Sf1(x: number): number {
  return erfc(Math.sqrt(x / 2));
}

/** erfc with ~1e-7 accuracy (Numerical Recipes' erfcc), enough for p-values. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * McNemar's test on paired 0/1 outcomes. Exact binomial when the discordant count is under 25
 * (the usual rule: the χ² approximation is poor there), else χ² with continuity correction.
 */
export function mcnemar(a: number[], b: number[]): McNemarResult {
  if (a.length !== b.length) throw new Error(`mcnemar: ${a.length} vs ${b.length} paired outcomes`);
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] >= 0.5;
    const y = b[i] >= 0.5;
    if (x && !y) onlyA++;
    else if (!x && y) onlyB++;
  }
  const n = onlyA + onlyB;
  if (n < 25) return { b: onlyA, c: onlyB, pValue: exactBinomialTwoSided(onlyA, n), method: 'exact' };
  const stat = (Math.abs(onlyA - onlyB) - 1) ** 2 / n;
  return { b: onlyA, c: onlyB, pValue: Math.min(1, chi2Sf1(stat)), method: 'chi2' };
}

export interface PairedBootstrapResult {
  /** mean(b) − mean(a), in credit units (×100 for headline points). */
  delta: number;
  ci: [number, number];
  /** Two-sided: twice the share of resampled deltas on the other side of zero (capped at 1). */
  pValue: number;
}

/** Paired bootstrap for soft (fractional) credit: resample sample indices, keep the pairing. */
export function pairedBootstrap(a: number[], b: number[], opts: BootstrapOptions = {}): PairedBootstrapResult {
  if (a.length !== b.length) throw new Error(`pairedBootstrap: ${a.length} vs ${b.length} paired outcomes`);
  const n = a.length;
  if (n === 0) return { delta: 0, ci: [0, 0], pValue: 1 };
  const d = a.map((x, i) => b[i] - x);
  const delta = d.reduce((s, x) => s + x, 0) / n;
  const rand = seededRandom(opts.seed ?? DEFAULT_SEED);
  const reps = opts.resamples ?? DEFAULT_RESAMPLES;
  const stats: number[] = [];
  let le = 0;
  let ge = 0;
  for (let r = 0; r < reps; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[(rand() * n) | 0];
    const m = s / n;
    stats.push(m);
    if (m <= 0) le++;
    if (m >= 0) ge++;
  }
  stats.sort((x, y) => x - y);
  const level = opts.level ?? 0.95;
  // All-zero differences: nothing moved, p = 1 (le and ge both count every draw).
  const pValue = Math.min(1, (2 * Math.min(le, ge)) / reps);
  return { delta, ci: [quantile(stats, (1 - level) / 2), quantile(stats, 1 - (1 - level) / 2)], pValue };
}

// ---------------------------------------------------------------------------------------------------
// Headline intervals and paired tests on the headline itself. Every headline is recomputed on each resample
// by its adapter's statistic (benchmarks/<id>/, HeadlineStatistic) from the per-stratum sums of the resampling
// units a result carries (`result.resampling`); nothing here knows any benchmark.

/** A result's units flattened for drawing: per stratum, the unit vectors back to back. */
interface Flat {
  names: string[];
  dim: number;
  /** per stratum: units × dim values */
  values: Float64Array[];
  counts: number[];
}

function dimOf(r: Resampling): number {
  for (const units of Object.values(r.strata)) for (const v of Object.values(units)) return v.length;
  return 1;
}

function flatten(r: Resampling): Flat {
  const dim = dimOf(r);
  const names: string[] = [];
  const values: Float64Array[] = [];
  const counts: number[] = [];
  for (const [name, units] of Object.entries(r.strata)) {
    const vs = Object.values(units);
    const arr = new Float64Array(vs.length * dim);
    vs.forEach((v, i) => arr.set(v, i * dim));
    names.push(name);
    values.push(arr);
    counts.push(vs.length);
  }
  return { names, dim, values, counts };
}

function fullSums(f: Flat): number[][] {
  return f.values.map((arr, s) => {
    const sum = new Array<number>(f.dim).fill(0);
    for (let i = 0; i < f.counts[s]; i++) for (let d = 0; d < f.dim; d++) sum[d] += arr[i * f.dim + d];
    return sum;
  });
}

/** One stratified draw (same unit counts per stratum) into `sums`; `idx` receives the drawn indices when given. */
function drawInto(f: Flat, rand: () => number, sums: number[][], idx?: Int32Array[]): void {
  for (let s = 0; s < f.values.length; s++) {
    const n = f.counts[s];
    const arr = f.values[s];
    const out = sums[s];
    out.fill(0);
    for (let k = 0; k < n; k++) {
      const j = (rand() * n) | 0;
      if (idx) idx[s][k] = j;
      const o = j * f.dim;
      for (let d = 0; d < f.dim; d++) out[d] += arr[o + d];
    }
  }
}

function sumsFromIdx(f: Flat, idx: Int32Array[], sums: number[][]): void {
  for (let s = 0; s < f.values.length; s++) {
    const arr = f.values[s];
    const out = sums[s];
    out.fill(0);
    for (let k = 0; k < f.counts[s]; k++) {
      const o = idx[s][k] * f.dim;
      for (let d = 0; d < f.dim; d++) out[d] += arr[o + d];
    }
  }
}

/** The statistic on the full set of units (what the headline must equal). */
export function statisticOnUnits(r: Resampling, stat: Pick<HeadlineStatistic, 'fromSums'>): number {
  const f = flatten(r);
  return stat.fromSums(f.names, fullSums(f), f.counts);
}

/** Percentile bootstrap interval of an adapter statistic over a result's resampling units. */
export function resampledCI(r: Resampling, stat: Pick<HeadlineStatistic, 'fromSums'>, opts: BootstrapOptions = {}): [number, number] {
  const f = flatten(r);
  const sums = f.values.map(() => new Array<number>(f.dim).fill(0));
  return percentileInterval((rand) => {
    drawInto(f, rand, sums);
    return stat.fromSums(f.names, sums, f.counts);
  }, opts);
}

/** Units of `a` and `b` in the same stratum under the same key, in `a`'s order: the pairing of two runs. */
export function pairUnits(a: Resampling, b: Resampling): { a: Resampling; b: Resampling; paired: number } {
  const pa: Resampling['strata'] = Object.create(null);
  const pb: Resampling['strata'] = Object.create(null);
  let paired = 0;
  for (const [name, units] of Object.entries(a.strata)) {
    const other = b.strata[name];
    if (!other || !Object.hasOwn(b.strata, name)) continue;
    const ua: Record<string, number[]> = Object.create(null);
    const ub: Record<string, number[]> = Object.create(null);
    for (const [k, v] of Object.entries(units)) {
      if (!Object.hasOwn(other, k)) continue;
      ua[k] = v;
      ub[k] = other[k];
      paired++;
    }
    if (Object.keys(ua).length) {
      pa[name] = ua;
      pb[name] = ub;
    }
  }
  return { a: { statistic: a.statistic, strata: pa }, b: { statistic: b.statistic, strata: pb }, paired };
}

export interface PairedStatisticResult extends PairedBootstrapResult {
  /** Units present in both runs. */
  paired: number;
}

/**
 * Paired bootstrap on an adapter statistic: the same stratified draw of unit indices for both runs, so each
 * resample compares the two headlines on the same units. delta = stat(b) − stat(a), in headline units.
 */
export function pairedStatisticBootstrap(
  a: Resampling,
  b: Resampling,
  stat: Pick<HeadlineStatistic, 'fromSums'>,
  opts: BootstrapOptions = {},
): PairedStatisticResult {
  const p = pairUnits(a, b);
  if (p.paired === 0) return { delta: 0, ci: [0, 0], pValue: 1, paired: 0 };
  const fa = flatten(p.a);
  const fb = flatten(p.b);
  const delta = stat.fromSums(fb.names, fullSums(fb), fb.counts) - stat.fromSums(fa.names, fullSums(fa), fa.counts);
  const rand = seededRandom(opts.seed ?? DEFAULT_SEED);
  const reps = opts.resamples ?? DEFAULT_RESAMPLES;
  const idx = fa.counts.map((n) => new Int32Array(n));
  const sa = fa.values.map(() => new Array<number>(fa.dim).fill(0));
  const sb = fb.values.map(() => new Array<number>(fb.dim).fill(0));
  const stats: number[] = [];
  let le = 0;
  let ge = 0;
  for (let r = 0; r < reps; r++) {
    drawInto(fa, rand, sa, idx);
    sumsFromIdx(fb, idx, sb);
    const d = stat.fromSums(fb.names, sb, fb.counts) - stat.fromSums(fa.names, sa, fa.counts);
    stats.push(d);
    // Differences within float noise of zero count on both sides (an identical rerun gives p = 1).
    if (d <= 1e-9) le++;
    if (d >= -1e-9) ge++;
  }
  stats.sort((x, y) => x - y);
  const level = opts.level ?? 0.95;
  return {
    delta,
    ci: [quantile(stats, (1 - level) / 2), quantile(stats, 1 - (1 - level) / 2)],
    pValue: Math.min(1, (2 * Math.min(le, ge)) / reps),
    paired: p.paired,
  };
}

/** McNemar on two runs' paired single-credit units (plain accuracy over independent items). */
export function mcnemarOnUnits(a: Resampling, b: Resampling): McNemarResult & { paired: number } {
  const p = pairUnits(a, b);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [name, units] of Object.entries(p.a.strata)) {
    for (const [k, v] of Object.entries(units)) {
      xs.push(v[0]);
      ys.push(p.b.strata[name][k][0]);
    }
  }
  return { ...mcnemar(xs, ys), paired: p.paired };
}
