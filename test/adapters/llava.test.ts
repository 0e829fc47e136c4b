import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import llamaTokenizer from 'llama-tokenizer-js';
import llava, { expand2square, vicunaV1Prompt } from '../../adapters/llava/index.ts';
import { loadTokenizer } from '../../harness/tokenizer.ts';
import { InputError } from '../../core/errors.ts';
import type { BundleConfig } from '../../core/model-family.ts';
import { imageBytes, reference, sampleDiff, sha256 } from './reference-helpers.ts';

const BUNDLE = join(import.meta.dirname, '..', '..', 'fixtures', 'models', 'tiny-llava');
const PRE = JSON.parse(readFileSync(join(BUNDLE, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
const CFG = { bos_token_id: 1 } as BundleConfig;
const solid = (w: number, h: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: 10, g: 200, b: 90 } } })
    .png()
    .toBuffer();

describe('LLaVA-1.5 preprocessing', () => {
  it('expand2square pads centred with the mean colour, offset (w − h)//2', () => {
    // 3×1 image → 3×3, the row goes to y = 1; a 1×2 image → 2×2 with the column at x = (2 − 1)//2 = 0.
    const img = { width: 3, height: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const sq = expand2square(img, [122, 116, 104]);
    expect([sq.width, sq.height]).toEqual([3, 3]);
    expect(Array.from(sq.data.subarray(0, 3))).toEqual([122, 116, 104]);
    expect(Array.from(sq.data.subarray(9, 18))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const tall = expand2square({ width: 1, height: 2, data: new Uint8Array([9, 9, 9, 8, 8, 8]) }, [0, 0, 0]);
    expect(Array.from(tall.data)).toEqual([9, 9, 9, 0, 0, 0, 8, 8, 8, 0, 0, 0]);
  });

  it.each([
    [640, 480],
    [1024, 1024],
    [1920, 1080],
  ])('%i×%i → 576 tokens, [1,3,336,336]', async (w, h) => {
    const p = await llava.preprocess(await solid(w, h), 'x.png', PRE);
    expect(p.imageTokens).toBe(576);
    expect(p.dims).toEqual([1, 3, 336, 336]);
    expect([p.width, p.height]).toEqual([w, h]);
  });

  it('refuses a 1×20000 image (its padded square is 400 M pixels) with an error naming the file', async () => {
    const err = await llava.preprocess(await solid(1, 20000), 'thin.png', PRE).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^thin\.png: 1×20000 image/);
  });

  for (const [name, ref] of Object.entries(reference.images)) {
    it(`${name}: bit-identical to PIL expand2square + bicubic 336 + CLIP normalise`, async () => {
      const p = await llava.preprocess(imageBytes(name), name, PRE);
      expect(p.dims).toEqual(ref.llava.shape);
      expect(sampleDiff(p.data, ref.llava)).toBe(0);
      expect(sha256(p.data)).toBe(ref.llava.sha256);
    });
  }
});

describe('LLaVA-1.5 prompt (vicuna_v1, tokenizer_image_token)', () => {
  it('builds the exact vicuna_v1 text', () => {
    expect(vicunaV1Prompt('Q?')).toBe(
      "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: <image>\nQ? ASSISTANT:",
    );
  });

  it('pins the ids around the image', async () => {
    const tok = await loadTokenizer(BUNDLE);
    const p = llava.buildPrompt('Is there a dog?\nAnswer the question using a single word or phrase.', tok.encode, CFG);
    // Chunk 1 "A chat … USER: " with the slow tokenizer: BOS, dummy prefix "▁A" (319) …, and the trailing
    // space becomes a lone "▁" (29871) because LLaMA's SentencePiece keeps whitespace (no remove_extra_whitespaces).
    expect(p.before.slice(0, 3)).toEqual([1, 319, 13563]);
    expect(p.before.slice(-4)).toEqual([3148, 1001, 29901, 29871]);
    expect(p.before).toHaveLength(35);
    // Chunk 2 "\nIs there … ASSISTANT:" is tokenised on its own: LlamaTokenizer gives [1, 29871, 13, …]
    // (BOS, then SentencePiece's dummy-prefix "▁" as its own piece 29871 because "▁\n" is no piece, then
    // "\n" by byte fallback <0x0A> = 13); tokenizer_image_token drops that chunk's BOS (offset 1), so the
    // ids after the image start 29871, 13. A tokenizer that skipped the dummy prefix would start at 13.
    expect(p.after.slice(0, 4)).toEqual([29871, 13, 3624, 727]); // "▁", "\n", "Is", "▁there"
    expect(p.after.slice(-5)).toEqual([319, 1799, 9047, 13566, 29901]); // "▁A" "SS" "IST" "ANT" ":"
  });

  it('agrees with llama-tokenizer-js (an independent LLaMA encoder) on the vicuna_v1 chunks', async () => {
    const tok = await loadTokenizer(BUNDLE);
    const prompts = [
      'Is there a snowboard in the image?\nAnswer the question using a single word or phrase.',
      'What is the brand of this camera?\nReference OCR token: DAKOTA, DIGITAL, Single-Use, Camera, Pire, digitat\nAnswer the question using a single word or phrase.',
      "Which animal is this?\nA. cat\nB. dog\nC. bird\nD. fish\nAnswer with the option's letter from the given choices directly.",
      "{q}\nWhen the provided information is insufficient, respond with 'Unanswerable'.\nAnswer the question using a single word or phrase.",
      'Context: The diagram shows 3 steps  (twice spaced) — ünïcödé 日本語 😀\nWhat is x in the equation?',
    ];
    for (const prompt of prompts) {
      for (const chunk of vicunaV1Prompt(prompt).split('<image>')) {
        // llama-tokenizer-js: encode(text, addBos=false, addPrecedingSpace=true) = SentencePiece with its dummy prefix.
        expect(tok.encode(chunk)).toEqual(llamaTokenizer.encode(chunk, false, true));
      }
    }
  });

  it('text-only question (model_vqa_science.py, no "image"): no placeholder, one chunk, BOS once, nothing after', async () => {
    const tok = await loadTokenizer(BUNDLE);
    const q =
      "Context: Select the best answer.\nWhich figure of speech is used in this text?\nA. simile\nB. hyperbole\nAnswer with the option's letter from the given choices directly.";
    expect(vicunaV1Prompt('Q?', false)).toBe(
      "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: Q? ASSISTANT:",
    );
    const p = llava.buildPrompt(q, tok.encode, CFG, false);
    expect(p.after).toEqual([]);
    // tokenizer_image_token on a prompt with no <image>: tokenizer(prompt).input_ids, i.e. BOS + the whole
    // text with one dummy prefix; "USER: Context" joins as "▁Context" (no lone "▁" 29871, no "\n" 13).
    expect(p.before.slice(0, 6)).toEqual([1, 319, 13563, 1546, 263, 12758]);
    expect(p.before.slice(31, 36)).toEqual([3148, 1001, 29901, 15228, 29901]); // "▁US" "ER" ":" "▁Context" ":"
    expect(p.before.slice(-8)).toEqual([19995, 4153, 29889, 319, 1799, 9047, 13566, 29901]); // "… directly. ASSISTANT:"
    expect(p.before).toHaveLength(83);
    // Independent check: llama-tokenizer-js with BOS and the dummy prefix on the full text.
    expect(p.before).toEqual(llamaTokenizer.encode(vicunaV1Prompt(q, false), true, true));
  });

  it('refuses a prompt that carries its own <image>', () => {
    expect(() => llava.buildPrompt('<image>\nQ', () => [], CFG)).toThrow(/<image>/);
  });

  it('post-processes like the reference: strip, drop a trailing </s>, strip', () => {
    expect(llava.postprocess(' B </s>')).toBe('B');
    expect(llava.postprocess('\nYes.\n')).toBe('Yes.');
  });
});
