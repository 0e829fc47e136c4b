// Generated ids become answer text exactly as HF transformers' decode(skip_special_tokens=True) gives it, the
// call LLaVA's, EVE's and Fuyu's eval scripts make: special tokens skipped, byte-fallback pieces fused, and
// incomplete UTF-8 (a multi-byte character cut by the token budget) turned into U+FFFD the same way.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../harness/tokenizer.ts';
import { seededRandom } from '../../../core/prng.ts';
import { pythonSkipReason, REPO, runPython } from '../../export/python.ts';

const SCRIPT = join(REPO, 'test', 'harness', 'reference', 'hf_decode.py');
const SHARED_LLAMA2 = join(REPO, '..', 'shared', 'tokenizers', 'llama2');
// The tiny bundles, and Meta's LLaMA-2 tokenizer (EVE-7B, LLaVA-1.5) from ../shared when it is there.
const BUNDLES = [
  ...['tiny-eve', 'tiny-fuyu', 'tiny-llava'].map((b) => join(REPO, 'fixtures', 'models', b)),
  ...(existsSync(SHARED_LLAMA2) ? [SHARED_LLAMA2] : []),
];
const skip = pythonSkipReason(['transformers']);
if (skip) console.log(`tokenizer decode parity skipped: ${skip}`);

/** Id sequences that stress decoding: random ids, byte-fallback runs cut mid-character, specials, row tokens. */
async function sequences(dir: string, seed: number): Promise<number[][]> {
  const tok = await loadTokenizer(dir);
  const rand = seededRandom(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const bytes = Array.from({ length: 256 }, (_, b) => tok.tokenToId(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)).filter(
    (id): id is number => id !== undefined,
  );
  const specials = ['<s>', '</s>', '<unk>', '|ENDOFTEXT|', '|NEWLINE|', '|SPEAKER|', '<image>', '<0x04>']
    .map((t) => tok.tokenToId(t))
    .filter((id): id is number => id !== undefined);
  const seqs: number[][] = [];
  for (let i = 0; i < 400; i++) {
    const len = 1 + pick(24);
    const seq: number[] = [];
    for (let j = 0; j < len; j++) {
      const r = rand();
      seq.push(r < 0.5 || bytes.length === 0 ? pick(tok.vocabSize) : r < 0.85 ? bytes[pick(bytes.length)]! : specials[pick(specials.length)]!);
    }
    seqs.push(seq);
  }
  // "é" is C3 A9 and "€" E2 82 AC: whole, then cut after each byte, as a token budget would cut them.
  const b = (hex: number) => tok.tokenToId(`<0x${hex.toString(16).toUpperCase()}>`);
  if (b(0xc3) !== undefined) seqs.push([b(0xc3)!, b(0xa9)!], [b(0xc3)!], [b(0xe2)!, b(0x82)!], [b(0xe2)!, b(0x82)!, b(0xac)!], [b(0xa9)!, b(0xc3)!]);
  return seqs;
}

describe.skipIf(skip !== undefined)('decode(ids, skip special tokens) against HF transformers', () => {
  it('gives the same text for 400+ stress sequences per tokenizer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'decode-'));
    try {
      const bundles = await Promise.all(BUNDLES.map(async (b, i) => ({ dir: b, seqs: await sequences(b, 1000 + i) })));
      writeFileSync(join(dir, 'spec.json'), JSON.stringify({ bundles }));
      const reference = JSON.parse(await runPython(SCRIPT, [join(dir, 'spec.json')])) as string[][];
      for (const [i, bundle] of bundles.entries()) {
        const tok = await loadTokenizer(bundle.dir);
        const ours = bundle.seqs.map((ids) => tok.decode(ids, true));
        const diffs = ours.map((t, j) => ({ ids: bundle.seqs[j], ours: t, hf: reference[i]![j] })).filter((d) => d.ours !== d.hf);
        expect(diffs.slice(0, 5), `${bundle.dir}: ${diffs.length} of ${ours.length} differ`).toEqual([]);
        expect(ours.some((t) => t.includes('\uFFFD'))).toBe(true); // the cut characters were exercised
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
