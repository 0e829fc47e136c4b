import { describe, expect, it } from 'vitest';
import type { BenchmarkResult, ResultsFile } from '../../core/records.ts';
import { modelPairs, pairedTest, renderModelPairs } from '../../reports/pairwise.ts';

function result(model: string, credits: number[], benchmark: BenchmarkResult['benchmark'] = 'pope'): BenchmarkResult {
  const perSample = Object.fromEntries(credits.map((c, i) => [`q${i}`, c]));
  const headline = (100 * credits.reduce((s, c) => s + c, 0)) / credits.length;
  return {
    model,
    benchmark,
    split: 'test',
    headline,
    headlineName: 'accuracy',
    metrics: {},
    breakdowns: {},
    counts: { samples: credits.length, predicted: credits.length, missing: 0, errors: 0, failedExtraction: 0 },
    perSample,
  };
}

const file = (results: BenchmarkResult[]) => ({ schema: 'eve-eval/results@1', manifest: {}, results }) as unknown as ResultsFile;

describe('paired significance between models', () => {
  it('McNemar on 0/1 credit: 30 discordant pairs all one way is significant, balanced ones are not', () => {
    const a = result('a', [...Array(30).fill(1), ...Array(20).fill(1)]);
    const b = result('b', [...Array(30).fill(0), ...Array(20).fill(1)]);
    const t = pairedTest(a, b)!;
    expect(t.test).toBe('mcnemar');
    expect(t.paired).toBe(50);
    expect(t.pValue).toBeLessThan(0.001);
    const c = result('c', [...Array(15).fill(1), ...Array(15).fill(0), ...Array(20).fill(1)]);
    const d = result('d', [...Array(15).fill(0), ...Array(15).fill(1), ...Array(20).fill(1)]);
    expect(pairedTest(c, d)!.pValue).toBeGreaterThan(0.5);
  });

  it('soft credit uses the paired bootstrap; only samples both scored are paired', () => {
    const a = result('a', [1, 0.6, 0.3, 1, 0]);
    const b = result('b', [0.3, 0.6, 0.3]);
    const t = pairedTest(a, b)!;
    expect(t.test).toBe('paired-bootstrap');
    expect(t.paired).toBe(3);
  });

  it('lists every pair of models per benchmark, skipping unscored results, and marks significant rows', () => {
    const unscored = { ...result('c', [1, 1]), headline: null, perSample: undefined };
    const rows = modelPairs(file([result('a', Array(40).fill(1)), result('b', Array(40).fill(0)), unscored, result('a', [1, 0], 'mme')]));
    expect(rows.map((r) => `${r.benchmark}:${r.a}-${r.b}`)).toEqual(['pope:a-b']);
    expect(rows[0].delta).toBe(-100);
    const text = renderModelPairs(rows);
    expect(text).toMatch(/POPE.*a\s+b.*-100\.0.*McNemar.*40.*<0\.001\s+\*/);
  });
});
