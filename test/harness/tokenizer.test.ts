import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import llamaTokenizer from 'llama-tokenizer-js';
import { loadTokenizer } from '../../harness/tokenizer.ts';
import { InputError } from '../../core/errors.ts';
import { buildFuyuTokenizerJson, trainBpe } from '../../adapters/make-tiny-tokenizers.ts';

const MODELS = join(import.meta.dirname, '..', '..', 'fixtures', 'models');
const SHARED_LLAMA = join(import.meta.dirname, '..', '..', '..', 'shared', 'tokenizers', 'llama2', 'tokenizer.json');
if (!existsSync(SHARED_LLAMA)) console.log(`note: ${SHARED_LLAMA} absent; skipping the byte-identity check of the bundled LLaMA-2 tokenizer`);

describe('LLaMA-2 tokenizer of tiny-eve / tiny-llava', () => {
  it('encodes without BOS and matches the README figures', async () => {
    const tok = await loadTokenizer(join(MODELS, 'tiny-eve'));
    expect(tok.encode('Hello world.')).toEqual([15043, 3186, 29889]);
    expect(tok.vocabSize).toBe(32000);
    expect([tok.tokenToId('<unk>'), tok.tokenToId('<s>'), tok.tokenToId('</s>'), tok.tokenToId('▁')]).toEqual([0, 1, 2, 29871]);
    expect(tok.tokenToId('no-such-token')).toBeUndefined();
  });

  it('decodes skipping special tokens by default, keeping them on request', async () => {
    const tok = await loadTokenizer(join(MODELS, 'tiny-llava'));
    expect(tok.decode([1, 15043, 3186, 29889, 2])).toBe('Hello world.');
    expect(tok.decode([15043, 2], false)).toBe('Hello</s>');
    // Byte fallback pieces fuse back into UTF-8.
    const ids = tok.encode('café 日本 😀');
    expect(tok.decode(ids)).toBe('café 日本 😀');
  });

  it('agrees with llama-tokenizer-js on assorted text', async () => {
    const tok = await loadTokenizer(join(MODELS, 'tiny-eve'));
    const texts = ['Yes', ' leading space', 'two  spaces', 'tabs\tand\nnewlines\n\n', 'x = 3.14159; y = "str"', 'Ünïcödé — “quotes”', '1234567890', 'A.'];
    for (const t of texts) expect(tok.encode(t)).toEqual(llamaTokenizer.encode(t, false, true));
  });

  it.skipIf(!existsSync(SHARED_LLAMA))('the bundled copy is byte-identical to ../shared/tokenizers/llama2', () => {
    expect(readFileSync(join(MODELS, 'tiny-eve', 'tokenizer.json')).equals(readFileSync(SHARED_LLAMA))).toBe(true);
    expect(readFileSync(join(MODELS, 'tiny-eve', 'LICENSE-LLAMA2.txt'), 'utf8')).toContain('Llama 2 is licensed under the LLAMA 2 Community License');
  });
});

describe('tiny-fuyu BPE vocabulary', () => {
  it('round-trips text, including bytes outside its training alphabet', async () => {
    const tok = await loadTokenizer(join(MODELS, 'tiny-fuyu'));
    for (const t of ['Is there a dog in the image?\nAnswer the question using a single word or phrase.', 'zebra ÅÉ 日本 \x04']) {
      const ids = tok.encode(t);
      expect(tok.decode(ids)).toBe(t);
    }
    // Merges were learned: a frequent word is one piece, not one id per character.
    expect(tok.encode('the')).toHaveLength(1);
    expect(tok.decode([1, tok.tokenToId('|ENDOFTEXT|')!])).toBe('');
  });

  it('is deterministic and matches the committed file', () => {
    const committed = JSON.parse(readFileSync(join(MODELS, 'tiny-fuyu', 'tokenizer.json'), 'utf8'));
    expect(buildFuyuTokenizerJson()).toEqual(committed);
  });

  it('trains BPE by most frequent pair, ties broken by the pair text', () => {
    // Words ▁ab ×2, ▁ac: pairs "▁ a" ×3, "a b" ×2, "a c" ×1 → merges "▁ a", then "▁a b" (×2).
    const bpe = trainBpe('ab ab ac', 0, 100);
    expect(bpe.merges).toEqual(['▁ a', '▁a b']);
    expect(Object.keys(bpe.vocab)).toEqual(['a', 'b', 'c', '▁', '▁a', '▁ab']);
  });
});

describe('loadTokenizer errors', () => {
  it('names the missing or broken file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eve-eval-tok-'));
    await expect(loadTokenizer(dir)).rejects.toThrow(InputError);
    await expect(loadTokenizer(dir)).rejects.toThrow(/tokenizer\.json: missing/);
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": ');
    await expect(loadTokenizer(dir)).rejects.toThrow(/tokenizer\.json: not valid JSON/);
  });
});
