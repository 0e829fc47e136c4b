// POPE's headline resampler: the mean over splits of each split's F1, questions resampled within each split
// (split sizes fixed, as the benchmark fixes them). A question's unit vector is its confusion cell, one-hot
// [TP, FN, TN, FP], from its credit and its label: the scorer's counts exactly. F1 is 0 where it is undefined
// (no predicted or no true "yes"), as the scorer counts it, so every resample has a finite statistic.
import type { HeadlineStatistic, Resampling, Sample, Score } from '../../core/benchmark.ts';
import { dataRecord } from '../shared/join.ts';
import { popeMetrics } from './score.ts';
import { POPE_SPLITS } from './data.ts';

export const popeStatistic: HeadlineStatistic = {
  id: 'pope/mean-f1',
  kind: 'resampled',
  description: 'mean F1 over splits, questions resampled within each split',
  units(samples: Sample[], score: Score): Resampling | string {
    const strata: Resampling['strata'] = dataRecord();
    for (const s of samples) {
      const credit = score.perSample[s.id];
      if (credit === undefined) continue;
      const split = String(s.meta.category);
      const right = credit >= 0.5;
      const cell = s.answer === 'yes' ? (right ? [1, 0, 0, 0] : [0, 1, 0, 0]) : right ? [0, 0, 1, 0] : [0, 0, 0, 1];
      (strata[split] ??= dataRecord())[s.id] = cell;
    }
    if (Object.keys(strata).length === 0) return 'no scored questions';
    // Strata in the scorer's split order, so the recomputed headline matches it float for float.
    const ordered: Resampling['strata'] = dataRecord();
    for (const sp of POPE_SPLITS) if (strata[sp]) ordered[sp] = strata[sp];
    for (const sp of Object.keys(strata)) ordered[sp] ??= strata[sp];
    return { statistic: popeStatistic.id, strata: ordered };
  },
  fromSums(_strata, sums, counts) {
    if (sums.length === 0) return 0;
    let f1 = 0;
    for (let i = 0; i < sums.length; i++) {
      const [tp, fn, tn, fp] = sums[i];
      f1 += popeMetrics({ tp, fn, tn, fp, yes: tp + fp, n: counts[i] }).f1;
    }
    return (f1 / sums.length) * 100; // as the scorer: mean of the F1s, then ×100
  },
};
