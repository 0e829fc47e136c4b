// The default headline resampler: headline = 100 × mean per-sample credit, each scored sample one unit.
// Adapters whose headline is something else (POPE's mean F1, MME's sums, ScienceQA's image subset) own theirs.
import type { HeadlineStatistic, Resampling, Sample, Score } from '../../core/benchmark.ts';
import { dataRecord } from './join.ts';

export interface MeanStatisticOptions {
  id?: string;
  description?: string;
  /** Only these samples make the headline (ScienceQA-IMG: the image problems); default every scored one. */
  include?: (s: Sample) => boolean;
  /** Per-sample credit keyed other than by sample id (MMBench: by circular group): use perSample's keys as units. */
  unitsFromPerSample?: boolean;
}

function isBinary(values: Iterable<number[]>): boolean {
  for (const v of values) if (v[0] !== 0 && v[0] !== 1) return false;
  return true;
}

/** 100 × mean credit over the units of one stratum ("all"). */
export function meanStatistic(opts: MeanStatisticOptions = {}): HeadlineStatistic {
  const stat: HeadlineStatistic = {
    id: opts.id ?? 'mean-credit',
    kind: 'accuracy', // refined per run: units(…) below marks soft credit
    description: opts.description ?? 'mean per-sample credit, samples resampled',
    units(samples: Sample[], score: Score): Resampling | string {
      const units = dataRecord<number[]>();
      if (opts.unitsFromPerSample) {
        for (const [k, v] of Object.entries(score.perSample)) units[k] = [v];
      } else {
        for (const s of samples) {
          if (opts.include && !opts.include(s)) continue;
          const v = score.perSample[s.id];
          if (v !== undefined) units[s.id] = [v];
        }
      }
      if (Object.keys(units).length === 0) return 'no scored samples';
      return { statistic: stat.id, strata: { all: units } };
    },
    fromSums(_strata, sums, counts) {
      let s = 0;
      let n = 0;
      for (let i = 0; i < sums.length; i++) {
        s += sums[i][0];
        n += counts[i];
      }
      return n === 0 ? 0 : (100 * s) / n;
    },
  };
  return stat;
}

/** Whether a run's units are independent 0/1 credits (McNemar applies) or soft credit. */
export function unitsAreBinary(r: Resampling): boolean {
  return Object.values(r.strata).every((units) => Object.values(units).every((v) => v.length === 1) && isBinary(Object.values(units)));
}

/** The default statistic every adapter without its own gets. */
export const MEAN_CREDIT = meanStatistic();

/** Soft-credit mean (VQA accuracy): never McNemar. */
export function softMeanStatistic(id: string, description: string): HeadlineStatistic {
  return { ...meanStatistic({ id, description }), kind: 'resampled' };
}
