import { describe, expect, it } from 'vitest';
import type { BenchmarkResult } from '../../core/records.ts';
import pope from '../../benchmarks/pope/index.ts';
import mme from '../../benchmarks/mme/index.ts';
import type { Sample } from '../../core/benchmark.ts';
import { headlineCI, headlineInterval } from '../../reports/headline.ts';
import { bootstrapCI, exactBinomialTwoSided, mcnemar, pairedBootstrap, quantile, seededRandom } from '../../reports/stats.ts';

function result(benchmark: BenchmarkResult['benchmark'], headline: number, perSample: Record<string, number>, headlineName = 'accuracy'): BenchmarkResult {
  const n = Object.keys(perSample).length;
  return {
    model: 'm',
    benchmark,
    split: 'test',
    headline,
    headlineName,
    metrics: {},
    breakdowns: {},
    counts: { samples: n, predicted: n, missing: 0, errors: 0, failedExtraction: 0 },
    perSample,
  };
}

describe('seeded PRNG and quantiles', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = seededRandom(1),
      b = seededRandom(1),
      c = seededRandom(2);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
  it('interpolates quantiles like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
  });
});

describe('bootstrapCI', () => {
  it('brackets the mean and is reproducible', () => {
    const xs = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 0 : 1)); // 75% right
    const ci = bootstrapCI(xs, (m) => 100 * m);
    expect(ci[0]).toBeLessThan(75);
    expect(ci[1]).toBeGreaterThan(75);
    // Normal approximation: 1.96 * sqrt(.75*.25/400) * 100 = 4.24
    expect((ci[1] - ci[0]) / 2).toBeGreaterThan(3.5);
    expect((ci[1] - ci[0]) / 2).toBeLessThan(5);
    expect(bootstrapCI(xs, (m) => 100 * m)).toEqual(ci);
  });
  it('is a point when every sample has the same credit', () => {
    expect(bootstrapCI([1, 1, 1], (m) => 100 * m)).toEqual([100, 100]);
  });
});

describe('McNemar', () => {
  it('exact binomial for few discordant pairs (hand-computed)', () => {
    // Pairs (1,0) x2 and (0,1) x5; also exact for b=1 of n=6: 2 * 7/64 = 0.21875.
    const a = [1, 0, 0, 0, 0, 0, 1, 1];
    const b = [0, 1, 1, 1, 1, 1, 1, 0];
    const r = mcnemar(a, b);
    expect(r.b).toBe(2);
    expect(r.c).toBe(5);
    // b=2, c=5, n=7: 2 * (1+7+21)/128 = 0.453125
    expect(r.pValue).toBeCloseTo(0.453125, 10);
    expect(r.method).toBe('exact');
    expect(exactBinomialTwoSided(1, 6)).toBeCloseTo(0.21875, 10);
    expect(exactBinomialTwoSided(3, 6)).toBe(1);
  });
  it('chi-square with continuity correction for many', () => {
    // b=10, c=30: (|10-30|-1)^2/40 = 9.025 → p = 0.002663
    const a = [...Array(10).fill(1), ...Array(30).fill(0)];
    const b = [...Array(10).fill(0), ...Array(30).fill(1)];
    const r = mcnemar(a, b);
    expect(r.method).toBe('chi2');
    expect(r.pValue).toBeCloseTo(0.002663, 5);
  });
});

describe('pairedBootstrap', () => {
  it('finds a consistent soft-credit drop significant and no change insignificant', () => {
    const a = Array.from({ length: 300 }, (_, i) => (i % 3) / 3 + 0.3);
    const worse = a.map((x, i) => (i % 5 === 0 ? x - 0.3 : x));
    const r = pairedBootstrap(a, worse);
    expect(r.delta).toBeCloseTo(-0.06, 6);
    expect(r.pValue).toBeLessThan(0.01);
    expect(r.ci[1]).toBeLessThan(0);
    expect(pairedBootstrap(a, a).pValue).toBe(1);
  });
});

describe("headline intervals (the adapters' resamplers)", () => {
  it('uses the plain mean for accuracy headlines', () => {
    const per = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`q${i}`, i % 2]));
    const r = headlineCI(result('gqa', 50, per))!;
    expect(r.method).toBe('mean per-sample credit, samples resampled');
    expect(r.ci95[0]).toBeLessThan(50);
    expect(r.ci95[1]).toBeGreaterThan(50);
  });
  it('recomputes POPE mean F1 from truth and credit within each split', () => {
    const per: Record<string, number> = {};
    const samples: Sample[] = [];
    for (const split of ['adversarial', 'popular', 'random']) {
      for (let i = 0; i < 100; i++) {
        const id = `${split}-${i}`;
        per[id] = i % 10 === 0 ? 0 : 1; // 10 wrong per split, all on "no" questions (i even) → FP
        samples.push({ id, benchmark: 'pope', split: 'all', prompt: '', answer: i % 2 ? 'yes' : 'no', maxNewTokens: 128, meta: { category: split } });
      }
    }
    // Per split: TP 50, FN 0, FP 10, TN 40 → P = 50/60, R = 1, F1 = 2PR/(P+R) = 0.90909
    const h = headlineInterval(result('pope', 100 * (100 / 110), per, 'mean F1'), samples, {}, pope.headlineStatistic);
    expect(h.ciMethod).toBe('mean F1 over splits, questions resampled within each split');
    expect(h.ci95![0]).toBeLessThan(90.909);
    expect(h.ci95![1]).toBeGreaterThan(90.909);
    expect(h.ci95![1]).toBeLessThanOrEqual(100);
  });
  it('resamples MME images and sums acc + acc+ over subtasks', () => {
    const per: Record<string, number> = {};
    const samples: Sample[] = [];
    for (const sub of ['existence', 'count']) {
      for (let img = 0; img < 30; img++) {
        for (const q of [0, 1]) {
          const id = `${sub}/${img}.jpg#${q}`;
          per[id] = img < 3 && q === 1 ? 0 : 1;
          samples.push({
            id,
            benchmark: 'mme',
            split: 'test',
            prompt: '',
            answer: q ? 'no' : 'yes',
            maxNewTokens: 128,
            meta: { subtask: sub, llavaId: `${sub}/${img}.jpg` },
          });
        }
      }
    }
    // per subtask: acc 57/60 = 95, acc+ 27/30 = 90 → 185; two subtasks: 370
    const h = headlineInterval(result('mme', 370, per, 'perception'), samples, {}, mme.headlineStatistic);
    expect(h.ciMethod).toMatch(/images resampled within each subtask/);
    expect(h.ci95![0]).toBeLessThan(370);
    expect(h.ci95![1]).toBeLessThanOrEqual(400);
  });
  it('is absent with a reason when it cannot be computed: never rescaled, never NaN', () => {
    const per = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`q${i}`, i < 80 ? 1 : 0]));
    // An MME headline with no units (an older file): the mean credit is not the headline, so no interval.
    const h = headlineInterval(result('mme', 1600, per, 'perception'));
    expect(h.ci95).toBeUndefined();
    expect(h.ciNote).toMatch(/not the mean per-sample credit/);
    expect(headlineInterval({ ...result('gqa', 1, {}), perSample: undefined }).ciNote).toBe('no per-sample credit');
    expect(headlineInterval({ ...result('gqa', 1, {}), headline: null }).ciNote).toBe('no headline');
  });
});
