// Percentages, means and grouping for the scorers, written once. Sums run left to right like the Python
// loops, and each helper says which operation order it follows, because the printed 2-decimal figures
// depend on it: 100·Σ/n (vqaEval.py) and 100·(Σ/n) (GQA eval.py, TextVQA) can differ in the last bit.
import { officialRound } from './rounding.ts';

/** Correct/total in percent, null for an empty group (never a fake 0). */
export function pct(correct: number, total: number): number | null {
  return total === 0 ? null : (correct / total) * 100;
}

/** Hits and totals per key (category, dimension, topic), in first-seen key order. */
export type HitTally = Map<string, [hit: number, total: number]>;

export function countHit(tally: HitTally, key: string, hit: boolean): void {
  const t = tally.get(key) ?? [0, 0];
  t[0] += hit ? 1 : 0;
  t[1]++;
  tally.set(key, t);
}

/** Mean of a list in Python's left-to-right sum order; null when empty. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]; // an index loop: for-of allocates per step until optimised
  return s / values.length;
}

/** vqaEval.py's round(100*sum/len, 2), null for an empty group. */
export function percent(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return officialRound((100 * s) / values.length, 2);
}

/** round(100 * (sum/len), 2): GQA eval.py's avg(l) * 100 and TextVQA's 100. * accuracy; null when empty. */
export function meanPercent(values: readonly number[]): number | null {
  const m = mean(values);
  return m === null ? null : officialRound(m * 100, 2);
}

/** Group credits by a key (answer type, question type...) keeping sample order inside each group. */
export function groupBy<T>(items: readonly T[], credits: readonly number[], key: (item: T) => string | null): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < items.length; i++) {
    const k = key(items[i]);
    if (k === null) continue;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(credits[i]);
  }
  return groups;
}

/**
 * percent() of each key's credits (the groups of groupBy), in first-seen key order: each group's sum runs in
 * sample order as percent's does, so the figures are the same, without a list per group.
 */
export function groupPercent<T>(items: readonly T[], credits: readonly number[], key: (item: T) => string | null): Map<string, number | null> {
  const sums = new Map<string, [sum: number, n: number]>();
  for (let i = 0; i < items.length; i++) {
    const k = key(items[i]);
    if (k === null) continue;
    const t = sums.get(k);
    if (t === undefined) sums.set(k, [credits[i], 1]);
    else {
      t[0] += credits[i];
      t[1]++;
    }
  }
  const out = new Map<string, number | null>();
  for (const [k, [sum, n]] of sums) out.set(k, officialRound((100 * sum) / n, 2));
  return out;
}
