// Sample-browser fixes found when the report was tried: options not shown twice, models added with
// `score --results` (credit but no stored answer) not shown as "(no prediction)", error reasons shown.
import { describe, expect, it } from 'vitest';
import type { BenchmarkResult, ResultsFile } from '../../core/records.ts';
import { buildBrowserData } from '../../reports/html/browser-data.ts';
import type { SampleSummary } from '../../reports/sample-summary.ts';

const summary = (id: string, prompt: string, choices?: string[]): SampleSummary =>
  ({ id, prompt, truth: 'A', choices, meta: {}, image: null, thumb: null }) as SampleSummary;
const result: BenchmarkResult = {
  model: 'scored-elsewhere',
  benchmark: 'mmbench',
  split: 'dev',
  headline: 100,
  headlineName: 'circular accuracy (%)',
  metrics: {},
  breakdowns: {},
  counts: { samples: 2, predicted: 2, missing: 0, errors: 0, failedExtraction: 0 },
  perSample: { q1: 1, q2: 1 },
};
const file: ResultsFile = { schema: 'eve-eval/results@1', manifest: {} as ResultsFile['manifest'], results: [result] };

describe('sample browser data', () => {
  it('lists answer options once: not again when the prompt already shows them', () => {
    const suffix = "\nAnswer with the option's letter from the given choices directly.";
    const data = buildBrowserData(
      {
        runDir: '/x',
        results: file,
        predictions: new Map(),
        samples: new Map([
          ['mmbench', [summary('q1', `What colour?\nA. red\nB. green${suffix}`, ['red', 'green']), summary('q2', `Which one?${suffix}`, ['cat', 'dog'])]],
        ]),
      },
      ['scored-elsewhere'],
    );
    const [r1, r2] = data.rows;
    expect(r1[2].match(/A\. red/g)).toHaveLength(1);
    expect(r2[2]).toContain('\nA. cat\nB. dog'); // not in the prompt: appended
    // A model scored with `score --results` has credit but no stored answer: the client says so (html-client.js).
    expect(r1[7]).toEqual([null]);
    expect(r1[8]).toEqual([1]);
  });
});
