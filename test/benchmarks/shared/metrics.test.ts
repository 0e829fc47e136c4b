import { describe, expect, it } from 'vitest';
import { groupBy, groupPercent, mean, meanPercent, pct, percent } from '../../../benchmarks/shared/metrics.ts';
import { seededRandom } from '../../../core/prng.ts';

describe('percent and mean helpers', () => {
  it('give null, never a fake 0, for an empty group', () => {
    expect(pct(0, 0)).toBeNull();
    expect(mean([])).toBeNull();
    expect(percent([])).toBeNull();
    expect(meanPercent([])).toBeNull();
  });
  it('compute in the operation order each official scorer uses', () => {
    expect(pct(1, 4)).toBe(25);
    expect(mean([1, 0, 0.5])).toBe(0.5);
    expect(percent([1, 0, 0])).toBe(33.33); // round(100*1/3, 2)
    expect(meanPercent([1, 1, 0])).toBe(66.67); // round(100*(2/3), 2)
    // 100·Σ/n and 100·(Σ/n) differ in the last bit for these credits: each helper keeps its scorer's order.
    const v = [0.3, 0.3, 0.3];
    expect((100 * (0.3 + 0.3 + 0.3)) / 3).not.toBe(100 * ((0.3 + 0.3 + 0.3) / 3));
    expect(percent(v)).toBe(30);
    expect(meanPercent(v)).toBe(30);
  });
  it('groups credits by key in item order, skipping null keys', () => {
    const g = groupBy(['a', 'b', 'a', 'c'], [1, 0, 0.5, 1], (k) => (k === 'c' ? null : k));
    expect([...g]).toEqual([
      ['a', [1, 0.5]],
      ['b', [0]],
    ]);
  });
  it("groupPercent gives each group's percent() in first-seen key order, sums in item order", () => {
    // Python: round(100 * sum([0.3, 0.3, 0.3, 0.6]) / 4, 2) == 37.5; round(100 * 0.6 / 1, 2) == 60.0
    expect([...groupPercent(['a', 'b', 'a', 'a', 'c', 'a'], [0.3, 0.6, 0.3, 0.3, 1, 0.6], (k) => (k === 'c' ? null : k))]).toEqual([
      ['a', 37.5],
      ['b', 60],
    ]);
    const rand = seededRandom(3);
    const keys = Array.from({ length: 5000 }, () => 'kmnop'[Math.floor(rand() * 5)]);
    const credits = keys.map(() => [0, 0.3, 0.6, 0.9, 1][Math.floor(rand() * 5)]);
    const byKey = (k: string) => (k === 'p' ? null : k);
    expect([...groupPercent(keys, credits, byKey)]).toEqual([...groupBy(keys, credits, byKey)].map(([k, v]) => [k, percent(v)]));
  });
});
