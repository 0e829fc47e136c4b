// Statistics for headline numbers: bootstrap intervals, McNemar and paired bootstrap.
// Everything is seeded so the same inputs always print the same interval (results files diff cleanly).
import type { BenchmarkResult } from '../harness/records.ts';
import { seededRandom } from '../harness/prng.ts';

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
export function bootstrapCI(
  perSample: number[],
  headlineFromMean: (mean: number) => number,
  opts: BootstrapOptions = {},
): [number, number] {
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
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
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
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
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
// Headline intervals. Most headlines are 100 × mean credit and bootstrap directly. POPE (mean of three
// F1s) and MME (Σ 100·acc + 100·acc+ per subtask) are not means, so they get a resample-aware
// recompute from per-sample credit plus the sample facts that the statistic needs (README.md).

/** What a headline interval needs to know about one sample; both Sample and SampleSummary fit. */
export interface SampleFacts {
  id: string;
  meta?: Record<string, unknown>;
  /** SampleSummary's display truth ("yes"/"no" for POPE). */
  truth?: string | null;
  /** Sample's raw ground truth. */
  answer?: unknown;
}

export type CIMethod = 'mean' | 'pope-f1' | 'mme-sum' | 'rescaled';

export interface HeadlineCI {
  ci95: [number, number];
  method: CIMethod;
}

const POPE_SPLITS = new Set(['adversarial', 'popular', 'random']);
const MME_SUBTASKS = new Set([
  'existence', 'count', 'position', 'color', 'posters', 'celebrity', 'scene', 'landmark', 'artwork', 'OCR',
  'commonsense_reasoning', 'numerical_calculation', 'text_translation', 'code_reasoning',
]);
const MME_PERCEPTION = new Set([...MME_SUBTASKS].slice(0, 10));

/** The value of the first meta field whose value belongs to `known` (adapters name these fields freely). */
function metaValueIn(meta: Record<string, unknown> | undefined, known: Set<string>): string | undefined {
  if (!meta) return undefined;
  for (const v of Object.values(meta)) if (typeof v === 'string' && known.has(v)) return v;
  return undefined;
}

function truthYesNo(f: SampleFacts): 'yes' | 'no' | undefined {
  const t = typeof f.truth === 'string' ? f.truth : typeof f.answer === 'string' ? f.answer : undefined;
  const v = t?.trim().toLowerCase();
  return v === 'yes' || v === 'no' ? v : undefined;
}

/** POPE: per split, credit + truth give TP/FP/TN/FN exactly; resample within each split, average the F1s. */
function popeCI(result: BenchmarkResult, facts: SampleFacts[], opts: BootstrapOptions): HeadlineCI | null {
  const per = result.perSample!;
  const bySplit = new Map<string, number[]>(); // codes: 0 TP, 1 FN, 2 TN, 3 FP
  for (const f of facts) {
    const credit = per[f.id];
    if (credit === undefined) continue;
    const split = metaValueIn(f.meta, POPE_SPLITS);
    const truth = truthYesNo(f);
    if (!split || !truth) return null;
    const right = credit >= 0.5;
    const code = truth === 'yes' ? (right ? 0 : 1) : right ? 2 : 3;
    if (!bySplit.has(split)) bySplit.set(split, []);
    bySplit.get(split)!.push(code);
  }
  if (bySplit.size === 0) return null;
  const groups = [...bySplit.values()];
  const ci = percentileInterval((rand) => {
    let f1Sum = 0;
    for (const g of groups) {
      const c = [0, 0, 0, 0];
      for (let i = 0; i < g.length; i++) c[g[(rand() * g.length) | 0]]++;
      const p = c[0] / (c[0] + c[3]);
      const r = c[0] / (c[0] + c[1]);
      f1Sum += (2 * p * r) / (p + r);
    }
    return (100 * f1Sum) / groups.length;
  }, opts);
  return { ci95: ci, method: 'pope-f1' };
}

/** Image key of an MME question: meta.image if the adapter gives it, else the id minus a trailing question index. */
function mmeImage(f: SampleFacts): string {
  const img = f.meta?.image ?? f.meta?.image_name ?? f.meta?.imageName;
  if (typeof img === 'string') return img;
  return f.id.replace(/([#:|]|_q)\d+$/, '');
}

/** MME: resample images (the pair is the unit of acc+) within each subtask; Σ over the headline's subtasks. */
function mmeCI(result: BenchmarkResult, facts: SampleFacts[], opts: BootstrapOptions): HeadlineCI | null {
  const per = result.perSample!;
  const bySubtask = new Map<string, Map<string, number[]>>();
  for (const f of facts) {
    const credit = per[f.id];
    if (credit === undefined) continue;
    const sub = metaValueIn(f.meta, MME_SUBTASKS);
    if (!sub) return null;
    if (!bySubtask.has(sub)) bySubtask.set(sub, new Map());
    const imgs = bySubtask.get(sub)!;
    const key = mmeImage(f);
    if (!imgs.has(key)) imgs.set(key, []);
    imgs.get(key)!.push(credit >= 0.5 ? 1 : 0);
  }
  // The headline is perception only when no cognition subtask is in it (EVE's table); else P + C.
  const perceptionOnly = /percep/i.test(result.headlineName);
  const groups: Array<Array<[number, number, number]>> = []; // per image: [right, asked, allRight]
  for (const [sub, imgs] of bySubtask) {
    if (perceptionOnly && !MME_PERCEPTION.has(sub)) continue;
    groups.push([...imgs.values()].map((v) => [v.reduce((s, x) => s + x, 0), v.length, v.every((x) => x === 1) ? 1 : 0]));
  }
  if (groups.length === 0) return null;
  const ci = percentileInterval((rand) => {
    let total = 0;
    for (const g of groups) {
      let right = 0;
      let asked = 0;
      let plus = 0;
      for (let i = 0; i < g.length; i++) {
        const [r, a, p] = g[(rand() * g.length) | 0];
        right += r;
        asked += a;
        plus += p;
      }
      total += (100 * right) / asked + (100 * plus) / g.length;
    }
    return total;
  }, opts);
  return { ci95: ci, method: 'mme-sum' };
}

/**
 * 95% interval on a result's headline, in headline units. `facts` (samples or sample summaries) let
 * POPE and MME recompute their statistic on each resample; without them, or for any headline that is
 * not 100 × mean credit, the interval of the mean is rescaled by headline / mean ("rescaled").
 * Returns null when there is no per-sample data or no headline.
 */
export function headlineCI(result: BenchmarkResult, facts?: Iterable<SampleFacts>, opts: BootstrapOptions = {}): HeadlineCI | null {
  const per = result.perSample;
  // An unscored result (MM-Vet without judge grades) has no headline to put an interval on.
  if (!per || result.headline === null) return null;
  const values = Object.values(per);
  if (values.length === 0) return null;
  const factList = facts ? [...facts] : [];
  if (factList.length > 0 && result.benchmark === 'pope') {
    const r = popeCI(result, factList, opts);
    if (r) return r;
  }
  if (factList.length > 0 && result.benchmark === 'mme') {
    const r = mmeCI(result, factList, opts);
    if (r) return r;
  }
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  if (Math.abs(100 * mean - result.headline) < 0.01) {
    return { ci95: bootstrapCI(values, (m) => 100 * m, opts), method: 'mean' };
  }
  // Not a plain mean: keep the headline's relative uncertainty (a sound first-order approximation
  // for ratio-like statistics; README.md says where it is used).
  const k = mean === 0 ? 0 : result.headline / mean;
  return { ci95: bootstrapCI(values, (m) => k * m, opts), method: 'rescaled' };
}
