import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import fuyu, { fuyuPatches, fuyuResizedSize } from '../../adapters/fuyu/index.ts';
import { loadTokenizer } from '../../harness/tokenizer.ts';
import { InputError } from '../../core/errors.ts';
import type { BundleConfig } from '../../core/model-family.ts';
import { imageBytes, reference, sampleDiff, sha256 } from './reference-helpers.ts';

const BUNDLE = join(import.meta.dirname, '..', '..', 'fixtures', 'models', 'tiny-fuyu');
const PRE = JSON.parse(readFileSync(join(BUNDLE, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
const solid = (w: number, h: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: 10, g: 200, b: 90 } } })
    .png()
    .toBuffer();

describe('Fuyu preprocessing', () => {
  it('never upscales and fits into 1920×1080 with int() truncation', () => {
    expect(fuyuResizedSize(640, 480, 1920, 1080)).toEqual([640, 480]);
    expect(fuyuResizedSize(1920, 1080, 1920, 1080)).toEqual([1920, 1080]);
    expect(fuyuResizedSize(3840, 2160, 1920, 1080)).toEqual([1920, 1080]);
    // 2000×60: scale min(1080/60, 1920/2000) = 0.96 → 1920 × int(57.6) = 57.
    expect(fuyuResizedSize(2000, 60, 1920, 1080)).toEqual([1920, 57]);
    expect(fuyuResizedSize(1, 20000, 1920, 1080)).toEqual([0, 1080]);
  });

  it.each([
    [640, 480, 22, 16, 368],
    [1024, 1024, 35, 35, 1260],
    [1920, 1080, 64, 36, 2340],
  ])('%i×%i → %i×%i patches, %i image tokens (patches + one |NEWLINE| per row)', async (w, h, cols, rows, tokens) => {
    const p = await fuyu.preprocess(await solid(w, h), 'x.png', PRE);
    expect(p.dims).toEqual([1, rows * cols, 2700]);
    expect(p.imageTokens).toBe(tokens);
    expect(p.rowEnd).toEqual({ every: cols, tokenId: PRE.image_newline_id });
  });

  it('patchifies row-major, each patch flattened (y, x, channel), padding in 0-255 space', () => {
    // A 31×1 image: 2 patches in one row; pixel (x=30, y=0) is the first pixel of patch 1.
    const data = new Uint8Array(31 * 3);
    data.set([255, 0, 51], 30 * 3);
    const { data: t, rows, cols } = fuyuPatches({ width: 31, height: 1, data }, 30, 30, 1.0);
    expect([rows, cols]).toEqual([1, 2]);
    expect(t[2700 + 0]).toBe(1); // 255 → (1 − 0.5)/0.5
    expect(t[2700 + 1]).toBe(-1); // 0 → −1
    expect(t[2700 + 2]).toBeCloseTo(51 / 255 / 0.5 - 1, 6);
    // (x=1, y=0) of patch 1 is padding: padding_value 1.0 is applied before rescale → (1/255 − 0.5)/0.5.
    expect(t[2700 + 3]).toBeCloseTo(2 / 255 - 1, 6);
    // Row 1 of patch 0 (offset 30·3) is padding too.
    expect(t[90]).toBeCloseTo(-0.99215686, 6);
  });

  it('refuses a 1×20000 image (downscaling gives width 0) with an error naming the file', async () => {
    const err = await fuyu.preprocess(await solid(1, 20000), 'thin.png', PRE).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^thin\.png: 1×20000 image is too thin for Fuyu/);
  });

  for (const [name, ref] of Object.entries(reference.images)) {
    it(`${name}: bit-identical to the numpy FuyuImageProcessor re-statement`, async () => {
      const p = await fuyu.preprocess(imageBytes(name), name, PRE);
      expect(p.dims).toEqual(ref.fuyu.shape);
      expect(p.imageTokens).toBe(ref.fuyu.image_tokens);
      expect(sampleDiff(p.data, ref.fuyu)).toBe(0);
      expect(sha256(p.data)).toBe(ref.fuyu.sha256);
    });
  }
});

describe('Fuyu prompt layout', () => {
  it('puts BOS after the image, then the prompt, then <0x04>', async () => {
    const tok = await loadTokenizer(BUNDLE);
    const boa = tok.tokenToId('<0x04>')!;
    const cfg = { bos_token_id: tok.tokenToId('<s>')! } as BundleConfig;
    const p = fuyu.buildPrompt('Generate a coco-style caption.\n', tok.encode, cfg);
    expect(p.before).toEqual([]);
    expect(p.after[0]).toBe(1);
    expect(p.after.at(-1)).toBe(boa);
    expect(p.after.slice(1, -1)).toEqual(tok.encode('Generate a coco-style caption.\n'));
    // config.boa_token_id, when present, wins.
    expect(fuyu.buildPrompt('x', tok.encode, { ...cfg, boa_token_id: 77 }).after.at(-1)).toBe(77);
  });

  it('text-only: FuyuProcessor gives tokenizer(text): the tokenizer BOS "|ENDOFTEXT|" (= eos), the prompt, no <0x04>', async () => {
    const tok = await loadTokenizer(BUNDLE);
    const cfg = { bos_token_id: tok.tokenToId('<s>')!, eos_token_id: tok.tokenToId('|ENDOFTEXT|')! } as BundleConfig;
    const p = fuyu.buildPrompt('Generate a coco-style caption.\n', tok.encode, cfg, false);
    expect(p.after).toEqual([]);
    expect(p.before).toEqual([3, ...tok.encode('Generate a coco-style caption.\n')]);
    expect(p.before).not.toContain(tok.tokenToId('<0x04>'));
    // config.text_bos_token_id, when present, wins.
    expect(fuyu.buildPrompt('x', tok.encode, { ...cfg, text_bos_token_id: 1 }, false).before[0]).toBe(1);
  });

  it('the tiny vocabulary has Fuyu-8B special tokens in Fuyu order, <0x04> a byte piece', async () => {
    const tok = await loadTokenizer(BUNDLE);
    const ids = ['<unk>', '<s>', '|SPEAKER|', '|ENDOFTEXT|', '|NEWLINE|', '<0x00>', '<0x04>'].map((t) => tok.tokenToId(t));
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 9]);
    expect(PRE.image_newline_id).toBe(4);
    expect(tok.vocabSize).toBeGreaterThan(300);
  });

  it('agrees with the bundle config.json written by fixtures/models/generate.ts', async () => {
    const tok = await loadTokenizer(BUNDLE);
    const cfg = JSON.parse(readFileSync(join(BUNDLE, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg.vocab_size).toBe(tok.vocabSize);
    expect(cfg.boa_token_id).toBe(tok.tokenToId('<0x04>'));
    expect(cfg.image_newline_token_id).toBe(PRE.image_newline_id);
    expect(cfg.eos_token_id).toBe(tok.tokenToId('|ENDOFTEXT|'));
  });

  it('post-processing strips', () => {
    expect(fuyu.postprocess(' a dog on a couch \n')).toBe('a dog on a couch');
  });
});
