import { describe, expect, it } from 'vitest';
import { checkJoin, emptyCounts, scoreEach, usableText } from '../../../benchmarks/shared/join.ts';
import { ScoreRefusal } from '../../../core/errors.ts';
import type { Answer, Sample } from '../../../core/benchmark.ts';

const samples = [{ id: '1' }, { id: '2' }] as Sample[];
const ans = (ids: string[]) => new Map<string, Answer>(ids.map((id) => [id, { id, text: 'A' }]));

describe('checkJoin', () => {
  it('accepts a partial or empty set of answers for these samples', () => {
    expect(() => checkJoin('t', samples, ans(['1']))).not.toThrow();
    expect(() => checkJoin('t', samples, ans([]))).not.toThrow();
  });
  it('refuses answers with no id in common, even where extras are allowed', () => {
    expect(() => checkJoin('t', samples, ans(['x', 'y']))).toThrow(ScoreRefusal);
    expect(() => checkJoin('t', samples, ans(['x']), { allowExtra: true })).toThrow(/t: none of the 1 prediction ids matches a sample id \(first: "x"\)/);
  });
  it('refuses extra ids unless allowed', () => {
    expect(() => checkJoin('t', samples, ans(['1', 'x', 'z']))).toThrow(/t: 2 of 3 prediction ids are not in the question file \/ ground truth \(first: "x"\)/);
    expect(() => checkJoin('t', samples, ans(['1', 'x']), { allowExtra: true })).not.toThrow();
  });
  it('refuses an empty sample list', () => {
    expect(() => checkJoin('t', [], ans([]))).toThrow(/no samples to score/);
  });
});

describe('usableText / scoreEach', () => {
  it('counts missing, errored and predicted answers; only usable text is scored', () => {
    const counts = emptyCounts(3);
    expect(usableText(undefined, counts)).toBeNull();
    expect(usableText({ id: 'a', text: 'x', error: { kind: 'k', message: 'm' } }, counts)).toBeNull();
    expect(usableText({ id: 'b', text: 'yes' }, counts)).toBe('yes');
    expect(counts).toEqual({ samples: 3, predicted: 2, missing: 1, errors: 1, failedExtraction: 0 });
  });
  it('credits each sample in order', () => {
    const r = scoreEach(samples, new Map([['2', { id: '2', text: 'ok' }]]), (_s, t) => (t === 'ok' ? 1 : 0));
    expect(r.credits).toEqual([0, 1]);
    expect(r.perSample).toEqual({ 1: 0, 2: 1 });
    expect(r.counts.missing).toBe(1);
  });
});
