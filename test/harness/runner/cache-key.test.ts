import { describe, expect, it } from 'vitest';
import { cacheKey, type CacheKeyParts } from '../../../harness/runner/cache-key.ts';

const base: CacheKeyParts = {
  model: 'fp',
  adapterVersion: '1',
  benchmark: 'pope',
  sampleId: '1',
  prompt: 'Is there a cat?',
  imageHash: 'abc',
  generation: { maxNewTokens: 128, greedy: true },
};

describe('cacheKey', () => {
  it('is stable for the same inputs', () => {
    expect(cacheKey(base)).toBe(cacheKey({ ...base }));
    expect(cacheKey(base)).toMatch(/^[0-9a-f]{32}$/);
  });
  it('changes with every part that can change an answer', () => {
    const k = cacheKey(base);
    expect(cacheKey({ ...base, model: 'fp2' })).not.toBe(k);
    expect(cacheKey({ ...base, adapterVersion: '2' })).not.toBe(k);
    expect(cacheKey({ ...base, prompt: 'Is there a dog?' })).not.toBe(k);
    expect(cacheKey({ ...base, imageHash: 'abd' })).not.toBe(k);
    expect(cacheKey({ ...base, generation: { maxNewTokens: 8, greedy: true } })).not.toBe(k);
    expect(cacheKey({ ...base, sampleId: '2' })).not.toBe(k);
  });
});
