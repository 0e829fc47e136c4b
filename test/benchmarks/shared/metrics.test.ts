import { describe, expect, it } from 'vitest';
import { groupBy, mean, meanPercent, pct, percent } from '../../../benchmarks/shared/metrics.ts';

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
});
