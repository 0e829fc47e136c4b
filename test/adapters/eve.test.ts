import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import eve, { eveGeometry } from '../../adapters/eve/index.ts';
import { loadTokenizer } from '../../harness/tokenizer.ts';
import type { BundleConfig } from '../../core/model-family.ts';
import { vicunaV1Prompt } from '../../adapters/llava/index.ts';
import { imageBytes, reference, sampleDiff, sha256 } from './reference-helpers.ts';

const BUNDLE = join(import.meta.dirname, '..', '..', 'fixtures', 'models', 'tiny-eve');
const PRE = JSON.parse(readFileSync(join(BUNDLE, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
const solid = (w: number, h: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: 10, g: 200, b: 90 } } })
    .png()
    .toBuffer();

describe('EVE geometry (compute_basehw at CLIP scale × image_size/336)', () => {
  it('gives the docs/protocol.md §2.1 sizes and token counts', () => {
    // 640×480: short side ceil(336·480/640/14)·14 = 252 → ×2 = 504; grid 24×18 → 1 + 18·25 = 451.
    expect(eveGeometry(640, 480, 672)).toEqual({ width: 672, height: 504, side: 672, pre: 84 });
    expect(eveGeometry(1920, 1080, 672)).toMatchObject({ width: 672, height: 392 });
    expect(eveGeometry(640, 480, 1344)).toMatchObject({ width: 1344, height: 1008 });
    // Portrait: the short side is the width; pre = (24 − 9)//2·14 = 98 at CLIP scale → 196.
    expect(eveGeometry(300, 800, 672)).toEqual({ width: 252, height: 672, side: 672, pre: 196 });
    // Rounding up: 1×20000 still gets one 14-px column at CLIP scale, 28 px at 672; pre = (24 − 1)//2·14 = 154 → 308.
    expect(eveGeometry(1, 20000, 672)).toEqual({ width: 28, height: 672, side: 672, pre: 308 });
  });

  it.each([
    [640, 480, 451],
    [1024, 1024, 601],
    [1920, 1080, 351],
    [1, 20000, 49],
  ])('%i×%i → %i image tokens', async (w, h, tokens) => {
    const p = await eve.preprocess(await solid(w, h), `${w}x${h}.png`, PRE);
    expect(p.imageTokens).toBe(tokens);
    expect(p.dims).toEqual([1, 4, 672, 672]);
    expect(p.rowEnd).toBeUndefined();
  });

  it('writes the mask channel only over the real image region', async () => {
    const p = await eve.preprocess(await solid(640, 480), 'a.png', PRE);
    const plane = 672 * 672;
    const mask = p.data.subarray(3 * plane);
    // Landscape: rows 84..587 are the image (504 rows), the rest is padding.
    expect(mask[83 * 672]).toBe(0);
    expect(mask[84 * 672]).toBe(1);
    expect(mask[587 * 672 + 671]).toBe(1);
    expect(mask[588 * 672]).toBe(0);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(504 * 672);
    // Padding pixels are the mean colour (122,116,104) normalised: (122/255 − 0.48145466)/0.26862954.
    expect(p.data[0]).toBeCloseTo((122 / 255 - 0.48145466) / 0.26862954, 5);
  });

  it('requires image_size in preprocessor_config.json', async () => {
    await expect(eve.preprocess(await solid(8, 8), 'a.png', {})).rejects.toThrow(/image_size/);
  });
});

describe('EVE tensors against the PIL/numpy reference (make_reference.py)', () => {
  for (const [name, ref] of Object.entries(reference.images)) {
    it(`${name}: bit-identical float32 tensor`, async () => {
      const p = await eve.preprocess(imageBytes(name), name, PRE);
      expect(p.dims).toEqual(ref.eve.shape);
      expect(p.imageTokens).toBe(ref.eve.image_tokens);
      expect(sampleDiff(p.data, ref.eve)).toBe(0);
      expect(sha256(p.data)).toBe(ref.eve.sha256);
    });
  }
  it('land-64x48.png at EVE-HD (1344)', async () => {
    const ref = reference.images['land-64x48.png'].eve_hd!;
    const p = await eve.preprocess(imageBytes('land-64x48.png'), 'land', { ...PRE, image_size: 1344 });
    expect(p.dims).toEqual([1, 4, 1344, 1344]);
    expect(p.imageTokens).toBe(ref.image_tokens);
    expect(sha256(p.data)).toBe(ref.sha256);
  });
});

describe('EVE prompt', () => {
  it('uses vicuna_v1 and the post-processing of model_vqa_loader.py', async () => {
    const tok = await loadTokenizer(BUNDLE);
    const cfg = { bos_token_id: 1 } as BundleConfig;
    const p = eve.buildPrompt('What is it?', tok.encode, cfg);
    expect(p.before[0]).toBe(1);
    expect(p.before.slice(-4)).toEqual([3148, 1001, 29901, 29871]); // "▁US", "ER", ":", "▁"
    expect(p.after.slice(0, 2)).toEqual([29871, 13]);
    expect(eve.postprocess('  Yes</s> ')).toBe('Yes');
  });

  it('a text-only question is the vicuna_v1 prompt without "<image>\\n", tokenised whole (EVE forked model_vqa_science.py)', async () => {
    const tok = await loadTokenizer(BUNDLE);
    const p = eve.buildPrompt('What is it?', tok.encode, { bos_token_id: 1 } as BundleConfig, false);
    expect(p.after).toEqual([]);
    expect(p.before).toEqual([1, ...tok.encode(vicunaV1Prompt('What is it?', false))]);
    expect(p.before).not.toContain(13); // no "\n" where the image placeholder was
  });
});
