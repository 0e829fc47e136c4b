import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/prng.ts';

describe('seededRandom (mulberry32)', () => {
  it('is deterministic per seed and in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom(43)()).not.toBe(xs[0]);
  });
  it('pins the first value, so fixture weights and bootstrap intervals never drift', () => {
    // The reference mulberry32's first output for seed 1 (the value the committed fixture weights depend on).
    expect(seededRandom(1)()).toBeCloseTo(0.6270739405881613, 15);
  });
});
