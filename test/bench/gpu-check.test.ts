// The GPU check's comparison logic, and its token recorder on the CPU: cpu against cpu must agree on
// every item, and the recorded ids must decode to the text generate() returned.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareTokens, compareRuns, generateRecorded, installRecorder, main, maxAbsDiff, picture } from '../../bench/gpu-check.ts';
import { loadModel } from '../../harness/runtime/model.ts';
import { loadTokenizer } from '../../harness/tokenizer.ts';
import { getFamily } from '../../adapters/registry.ts';

describe('compareTokens', () => {
  it('finds the first diverging step, a prefix counting as diverging at its end', () => {
    expect(compareTokens([5, 6, 7], [5, 6, 7])).toEqual({ identical: true, firstDiff: -1 });
    expect(compareTokens([5, 6, 7], [5, 9, 7])).toEqual({ identical: false, firstDiff: 1 });
    expect(compareTokens([5, 6], [5, 6, 2])).toEqual({ identical: false, firstDiff: 2 });
    expect(compareTokens([], [])).toEqual({ identical: true, firstDiff: -1 });
  });
  it('max abs difference, NaN counting as infinite', () => {
    expect(maxAbsDiff(Float32Array.of(1, 2, 3), Float32Array.of(1, 2.5, 2))).toBe(1);
    expect(maxAbsDiff(Float32Array.of(1), Float32Array.of(NaN))).toBe(Infinity);
  });
  it('counts identical items, error mismatches and divergence steps', () => {
    const r = compareRuns(
      'b',
      1,
      ['cpu', 'webgpu'],
      ['a', 'b', 'c', 'd'],
      [{ tokens: [1, 2, 3] }, { tokens: [1, 2, 3] }, { error: 'x' }, { tokens: [4] }],
      [{ tokens: [1, 2, 3] }, { tokens: [1, 2, 4] }, { tokens: [1] }, { tokens: [4] }],
    );
    expect(r.identical).toBe(2);
    expect(r.errorMismatch).toBe(1);
    expect(r.firstDiffSteps).toEqual({ 2: 1 });
  });
});

const EVE = new URL('../../fixtures/models/tiny-eve/', import.meta.url).pathname;
const have = existsSync(`${EVE}tokenizer.json`);
if (!have) console.log('gpu-check tests: fixtures/models/tiny-eve not built; skipping the model runs');

describe.skipIf(!have)('gpu-check on the CPU', () => {
  it('recorded ids decode to the text generate() returned', async () => {
    installRecorder();
    // The recorder reads one decoder batch: no length grouping.
    const model = await loadModel(EVE, { device: 'cpu', maxBatchTokens: Infinity });
    const tok = await loadTokenizer(EVE);
    const fam = getFamily(model.config.family);
    const img = await picture(3, 120, 80);
    const items = ['Describe the image.', 'What is it?'].map((prompt, k) => ({ image: img, source: `t${k}.png`, prompt, maxNewTokens: 6 + k }));
    const runs = await generateRecorded(model, items);
    await model.dispose();
    runs.forEach((r, k) => {
      expect(r.tokens!.length).toBeGreaterThan(0);
      expect(r.tokens!.length).toBeLessThanOrEqual(6 + k);
      expect(fam.postprocess(tok.decode(r.tokens!, true))).toBe(r.text);
      expect(r.firstLogits!.length).toBe(model.config.vocab_size);
    });
  });
  it('cpu against cpu agrees on every item at batch 1 and 3', async () => {
    const r = await main(['--devices', 'cpu,cpu', '--bundles', 'tiny-eve,tiny-fuyu', '--images', '3', '--batches', '1,3', '--max-new', '6']);
    expect(r.rows).toHaveLength(4);
    for (const row of [...r.rows, ...r.batchRows]) {
      expect(row.identical).toBe(row.items);
      expect(row.items).toBe(6);
    }
    expect(r.rows.every((x) => x.maxFirstLogitDiff === 0)).toBe(true);
    expect(r.ok).toBe(true);
  });
});
