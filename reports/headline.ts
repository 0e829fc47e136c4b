// A result's headline statistic: its adapter's resampler (benchmarks/<id>/, HeadlineStatistic), the 95%
// interval it gives, and the paired test between two results on that same statistic. Nothing here names a
// benchmark: the statistic is looked up by the result's benchmark id in the registry.
import { BENCHMARKS } from '../benchmarks/registry.ts';
import type { BenchmarkId, HeadlineStatistic, Resampling, Sample } from '../core/benchmark.ts';
import { MEAN_CREDIT, unitsAreBinary } from '../benchmarks/shared/headline-stat.ts';
import type { BenchmarkResult } from '../core/records.ts';
import { mcnemarOnUnits, pairedStatisticBootstrap, resampledCI, statisticOnUnits, type BootstrapOptions } from './stats.ts';

/** The adapter's headline statistic, or the default (100 × mean credit). */
export function statisticFor(benchmark: BenchmarkId): HeadlineStatistic {
  return BENCHMARKS[benchmark]?.headlineStatistic ?? MEAN_CREDIT;
}

/** How far the resampler's full-set value may sit from the printed headline (official printers round to 2 decimals). */
const HEADLINE_TOLERANCE = 0.006;

function reproduces(value: number, headline: number): boolean {
  return Math.abs(value - headline) <= HEADLINE_TOLERANCE + 1e-9 * Math.abs(headline);
}

/**
 * A result's units and the statistic that reads them: its own `resampling`, or (a file without units, e.g.
 * from an older eve-eval) its per-sample credits as units of the mean, only when their mean is the headline.
 */
export function unitsOf(result: BenchmarkResult): { units: Resampling; stat: HeadlineStatistic } | string {
  const own = statisticFor(result.benchmark);
  if (result.resampling) {
    if (result.resampling.statistic === own.id) return { units: result.resampling, stat: own };
    if (result.resampling.statistic === MEAN_CREDIT.id) return { units: result.resampling, stat: MEAN_CREDIT };
    return `units for "${result.resampling.statistic}", not this benchmark's "${own.id}"`;
  }
  if (!result.perSample || result.headline === null) return result.perSample ? 'no headline' : 'no per-sample credit';
  const credits = Object.entries(result.perSample);
  if (credits.length === 0) return 'no per-sample credit';
  const units: Resampling = { statistic: MEAN_CREDIT.id, strata: { all: Object.fromEntries(credits.map(([k, v]) => [k, [v]])) } };
  if (!reproduces(statisticOnUnits(units, MEAN_CREDIT), result.headline)) {
    return 'no resampling units in this results file, and the headline is not the mean per-sample credit';
  }
  return { units, stat: MEAN_CREDIT };
}

export interface HeadlineInterval {
  ci95?: [number, number];
  ciMethod?: string;
  ciNote?: string;
  resampling?: Resampling;
}

/**
 * The interval on a result's headline. Units come from the result itself (`result.resampling`) or, when
 * `samples` are given, from the adapter's statistic. The interval is always finite, or absent with a reason.
 */
export function headlineInterval(result: BenchmarkResult, samples?: Sample[], opts: BootstrapOptions = {}, stat?: HeadlineStatistic): HeadlineInterval {
  if (result.headline === null || !Number.isFinite(result.headline)) return { ciNote: 'no headline' };
  let statistic = stat ?? statisticFor(result.benchmark);
  let units: Resampling | string | undefined;
  if (samples && result.perSample && !result.resampling) {
    units = statistic.units(samples, { ...result, headline: result.headline, perSample: result.perSample });
  } else {
    const u = unitsOf(result);
    if (typeof u === 'string') units = u;
    else ({ units, stat: statistic } = u);
  }
  if (typeof units === 'string') return { ciNote: units };
  const full = statisticOnUnits(units, statistic);
  if (!reproduces(full, result.headline)) {
    return { ciNote: `the resampled statistic (${full}) does not reproduce the headline (${result.headline})`, resampling: units };
  }
  const ci = resampledCI(units, statistic, opts);
  if (!ci.every(Number.isFinite)) return { ciNote: 'the statistic is undefined on some resamples', resampling: units };
  return { ci95: ci, ciMethod: statistic.description, resampling: units };
}

/** Set ci95 / ciMethod / ciNote / resampling on a freshly scored result (the runner and `score` call this). */
export function attachHeadlineInterval(result: BenchmarkResult, samples: Sample[], stat?: HeadlineStatistic): BenchmarkResult {
  const h = headlineInterval(result, samples, {}, stat);
  delete result.ci95;
  delete result.ciMethod;
  delete result.ciNote;
  if (h.resampling) result.resampling = h.resampling;
  if (h.ci95) {
    result.ci95 = h.ci95;
    result.ciMethod = h.ciMethod;
  } else if (h.ciNote) result.ciNote = h.ciNote;
  return result;
}

export type HeadlineTestName = 'mcnemar' | 'paired-bootstrap';

export interface HeadlineTest {
  test: HeadlineTestName;
  pValue: number;
  /** Resampling units present in both results. */
  paired: number;
  /** What was compared, for tables: the statistic's description. */
  statistic: string;
}

/**
 * The paired test between two results on their headline statistic: McNemar where the headline is plain
 * accuracy over independent 0/1 units, else a paired bootstrap over the same units recomputing the statistic.
 * null (with `why`) when either result lacks units or they are for different statistics.
 */
export function headlineTest(a: BenchmarkResult, b: BenchmarkResult, opts: BootstrapOptions = {}): HeadlineTest | { why: string } {
  if (a.benchmark !== b.benchmark) return { why: 'different benchmarks' };
  const ua = unitsOf(a);
  const ub = unitsOf(b);
  if (typeof ua === 'string') return { why: ua };
  if (typeof ub === 'string') return { why: ub };
  if (ua.stat.id !== ub.stat.id) return { why: `units for different statistics (${ua.stat.id} vs ${ub.stat.id})` };
  const stat = ua.stat;
  if (stat.kind === 'accuracy' && unitsAreBinary(ua.units) && unitsAreBinary(ub.units)) {
    const m = mcnemarOnUnits(ua.units, ub.units);
    if (m.paired === 0) return { why: 'no units in common' };
    return { test: 'mcnemar', pValue: m.pValue, paired: m.paired, statistic: stat.id };
  }
  const r = pairedStatisticBootstrap(ua.units, ub.units, stat, opts);
  if (r.paired === 0) return { why: 'no units in common' };
  return { test: 'paired-bootstrap', pValue: r.pValue, paired: r.paired, statistic: stat.id };
}

/** Compatibility: the interval and how it was made, or null when there is none. */
export function headlineCI(result: BenchmarkResult, samples?: Sample[], opts: BootstrapOptions = {}): { ci95: [number, number]; method: string } | null {
  const h = headlineInterval(result, samples, opts);
  return h.ci95 ? { ci95: h.ci95, method: h.ciMethod! } : null;
}
