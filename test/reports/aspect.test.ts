import { describe, expect, it } from 'vitest';
import type { PredictionRecord, ResultsFile } from '../../core/records.ts';
import { ASPECT_BUCKETS, RESOLUTION_BUCKETS, bucketOf, computeAspectBreakdowns } from '../../reports/aspect.ts';
import type { RunData } from '../../reports/load.ts';

function rec(id: string, width: number, height: number, imageTokens: number, ms: number): PredictionRecord {
  return {
    id,
    benchmark: 'gqa',
    split: 'testdev',
    model: 'm',
    text: 'x',
    cacheKey: id,
    image: { width, height },
    tokens: { image: imageTokens, prompt: 10, generated: 2 },
    timings: { preprocess_ms: 1, prefill_ms: ms - 2, decode_ms: 1 },
  };
}

describe('buckets', () => {
  it('are half-open at the stated edges', () => {
    expect(bucketOf(ASPECT_BUCKETS, 0.49)!.label).toBe('<0.5');
    expect(bucketOf(ASPECT_BUCKETS, 0.5)!.label).toBe('0.5–0.8');
    expect(bucketOf(ASPECT_BUCKETS, 1)!.label).toBe('0.8–1.25');
    expect(bucketOf(ASPECT_BUCKETS, 1.25)!.label).toBe('1.25–2');
    expect(bucketOf(ASPECT_BUCKETS, 2)!.label).toBe('>2');
    expect(bucketOf(RESOLUTION_BUCKETS, (640 * 480) / 1e6)!.label).toBe('0.25–0.5 MP');
    expect(bucketOf(RESOLUTION_BUCKETS, 4)!.label).toBe('≥2 MP');
  });
});

describe('computeAspectBreakdowns', () => {
  it('joins credit with image size, image tokens and latency', () => {
    const results: ResultsFile = {
      schema: 'eve-eval/results@1',
      manifest: {} as ResultsFile['manifest'],
      results: [
        {
          model: 'm',
          benchmark: 'gqa',
          split: 'testdev',
          headline: 50,
          headlineName: 'accuracy',
          metrics: {},
          breakdowns: {},
          counts: { samples: 5, predicted: 4, missing: 1, errors: 0, failedExtraction: 0 },
          perSample: { a: 1, b: 0, c: 1, d: 0.5, e: 0 },
        },
      ],
    };
    const preds = new Map([
      ['a', rec('a', 300, 100, 100, 10)], // 3.0 → >2
      ['b', rec('b', 320, 100, 300, 30)], // 3.2 → >2
      ['c', rec('c', 100, 100, 50, 20)], // 1.0
      ['d', rec('d', 2000, 1500, 999, 40)], // 1.33, 3 MP
    ]);
    const run: RunData = {
      runDir: '/x',
      results,
      predictions: new Map([['m', new Map([['gqa', preds]])]]),
      // e has no prediction: its size comes from the sample summary (a text-only sample would have none).
      samples: new Map([['gqa', [{ id: 'e', prompt: '', truth: null, meta: {}, image: { width: 100, height: 400 }, thumb: null }]]]),
    };
    const [a] = computeAspectBreakdowns(run);
    const wide = a.aspect.find((s) => s.label === '>2')!;
    expect(wide).toEqual({ label: '>2', n: 2, score: 50, meanImageTokens: 200, meanLatencyMs: 20 });
    expect(a.aspect.find((s) => s.label === '<0.5')).toMatchObject({ n: 1, score: 0, meanImageTokens: null });
    expect(a.aspect.find((s) => s.label === '1.25–2')).toMatchObject({ n: 1, score: 50 });
    expect(a.resolution.find((s) => s.label === '≥2 MP')).toMatchObject({ n: 1, meanImageTokens: 999 });
    expect(a.resolution.find((s) => s.label === '<0.25 MP')!.n).toBe(4);
    expect(a.noSize).toBe(0);
  });
});
