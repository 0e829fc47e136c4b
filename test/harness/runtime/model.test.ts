// loadModel end to end on each tiny bundle with real images and prompts: KV cache vs full recompute,
// batch 8 vs batch 1 (also with text-only questions mixed in), per-item errors, fingerprint.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchGroups, loadModel, fingerprintFiles, modelFingerprint, type LoadedModel, type GenerateRequest } from '../../../harness/runtime/model.ts';
import { ok, randomItem, rng } from './random-items.ts';

const MODELS = fileURLToPath(new URL('../../../fixtures/models/', import.meta.url));
const BUNDLES = ['tiny-eve', 'tiny-fuyu', 'tiny-llava'];
const ready = BUNDLES.every((b) => existsSync(join(MODELS, b, 'tokenizer.json')) && existsSync(join(MODELS, b, 'preprocessor_config.json')));
if (!ready) console.log('model tests skipped: the tiny bundles have no tokenizer.json / preprocessor_config.json yet');

describe('batchGroups', () => {
  it('groups similar lengths, shortest first, within rows × longest ≤ budget; a long row alone', () => {
    // Similar EVE prompts: one group, shortest first (5 × 650 = 3,250 ≤ 4,096 and ≤ 1.25 × 3,120).
    expect(batchGroups([600, 650, 620, 640, 610], 4096)).toEqual([[0, 4, 2, 3, 1]]);
    // 600 + four 700s: 5 × 700 = 3,500 ≤ 4,096; a sixth row would need 4,200. The 2,340-token Fuyu row runs alone.
    expect(batchGroups([600, 2340, 700, 700, 700, 700, 700, 700], 4096)).toEqual([[0, 2, 3, 4, 5], [6, 7], [1]]);
    expect(batchGroups([5000, 10, 10], 4096)).toEqual([[1, 2], [0]]);
    expect(batchGroups([], 4096)).toEqual([]);
  });

  it('does not pad a short row to a long one: 2 × 1,000 > 1.25 × (400 + 1,000)', () => {
    expect(batchGroups([1000, 400, 420], 4096)).toEqual([[1, 2], [0]]);
    // With padding allowed, the same rows share one group.
    expect(batchGroups([1000, 400, 420], 4096, Infinity)).toEqual([[1, 2, 0]]);
  });

  it('an infinite budget runs the rows together in the order given', () => {
    expect(batchGroups([1000, 400, 420], Infinity)).toEqual([[0, 1, 2]]);
    expect(batchGroups([], Infinity)).toEqual([]);
  });

  it('places every row exactly once', () => {
    const lengths = Array.from({ length: 50 }, (_, i) => 50 + ((i * 7919) % 2300));
    const groups = batchGroups(lengths, 4096);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const g of groups) if (g.length > 1) expect(g.length * Math.max(...g.map((i) => lengths[i]))).toBeLessThanOrEqual(4096);
  });
});

describe.skipIf(!ready).each(BUNDLES)('loadModel(%s)', (bundle) => {
  let model: LoadedModel;
  let items: GenerateRequest[];
  beforeAll(async () => {
    model = await loadModel(join(MODELS, bundle), { device: 'cpu', threads: 1 });
    const r = rng(bundle.length * 31337);
    items = [];
    for (let k = 0; k < 8; k++) items.push(await randomItem(r, k));
  });
  afterAll(async () => model?.dispose());

  it('KV-cache decoding gives the same tokens as full recompute (8 random images and prompts)', async () => {
    const texts = new Set<string>();
    for (const it of items) {
      const [a] = await model.generate([it]);
      const [b] = await model.generate([it], { useCache: false });
      expect(ok(a).text).toBe(ok(b).text);
      expect(ok(a).generatedTokens).toBe(ok(b).generatedTokens);
      texts.add(ok(a).text);
    }
    // Different images and prompts must give different answers, or the check above proves little. The trained tiny
    // models answer these random word salads with a few short words (2 to 3 distinct of 8 when this was written).
    expect(texts.size).toBeGreaterThanOrEqual(2);
  });

  it('text-only questions: KV cache = recompute, a batch mixing them with images = batch 1, prompt ids as the family builds them', async () => {
    // Every other item loses its image: rows of very different lengths (no image embeddings) share a batch.
    const mixedItems = items.map((it, k) => (k % 2 ? { ...it, image: null, source: `text-${k}` } : it));
    const batched = (await model.generate(mixedItems)).map(ok);
    const texts = new Set<string>();
    for (let k = 0; k < mixedItems.length; k++) {
      const [single] = await model.generate([mixedItems[k]]);
      expect(batched[k].tokenIds).toEqual(ok(single).tokenIds);
      expect(batched[k].promptTokens).toBe(ok(single).promptTokens);
      if (k % 2) {
        const [recompute] = await model.generate([mixedItems[k]], { useCache: false });
        expect(ok(single).tokenIds).toEqual(ok(recompute).tokenIds);
        expect(batched[k].imageTokens).toBe(0);
        expect(batched[k].image).toBeNull();
        texts.add(batched[k].text);
      } else {
        expect(batched[k].imageTokens).toBeGreaterThan(0);
      }
    }
    // Different prompts must give different answers, or the equalities above prove little.
    expect(texts.size).toBeGreaterThanOrEqual(3);
    // The prepared prompt is all "before" (nothing to splice), starting with one BOS-like id.
    const p = await model.prepare(mixedItems[1]);
    expect(p.pixels).toBeNull();
    expect(p.prompt.after).toEqual([]);
    expect(p.prompt.before.length).toBe(batched[1].promptTokens);
  });

  it('batch 8 gives the same answers as batch 1', async () => {
    // One decoder batch of all 8 rows (no token budget), so the rows really run together.
    const whole = await loadModel(join(MODELS, bundle), { device: 'cpu', threads: 1, maxBatchTokens: Infinity });
    const batched = (await whole.generate(items)).map(ok);
    expect(whole.lastLoop()?.rows).toBe(8);
    await whole.dispose();
    // The default budget groups the rows by prefill tokens; the answers stay the same.
    expect((await model.generate(items)).map(ok).map((r) => r.text)).toEqual(batched.map((r) => r.text));
    for (let k = 0; k < items.length; k++) {
      const [single] = await model.generate([items[k]]);
      expect(batched[k].text).toBe(ok(single).text);
      expect(batched[k].generatedTokens).toBe(ok(single).generatedTokens);
      expect(batched[k].imageTokens).toBe(ok(single).imageTokens);
      expect(batched[k].promptTokens).toBe(ok(single).promptTokens);
    }
  });

  it('a bad image fails only its own item', async () => {
    const bad = { ...items[1], image: Buffer.from('garbage'), source: 'bad.jpg' };
    const res = await model.generate([items[0], bad, items[2]]);
    expect('error' in res[1] && res[1].error.kind === 'input' && res[1].error.message.startsWith('bad.jpg')).toBe(true);
    expect(ok(res[0]).text).toBe(ok((await model.generate([items[0]]))[0]).text);
    expect(ok(res[2]).image!.width).toBeGreaterThan(0);
  });

  it('prepared items (prepare() ahead, then generate) give exactly the answers of plain requests', async () => {
    const plain = (await model.generate(items)).map(ok);
    const prepared = await Promise.all(items.map((it) => model.prepare(it)));
    expect(prepared.every((p) => p.kind === 'prepared' && p.preprocessMs > 0)).toBe(true);
    // Mixed: prepared and plain items in one batch.
    const mixed = (await model.generate(prepared.map((p, k) => (k % 2 ? items[k] : p)))).map(ok);
    for (let k = 0; k < items.length; k++) {
      expect(mixed[k].text).toBe(plain[k].text);
      expect(mixed[k].generatedTokens).toBe(plain[k].generatedTokens);
      expect(mixed[k].imageTokens).toBe(plain[k].imageTokens);
      expect(mixed[k].image).toEqual(plain[k].image);
    }
    // preprocess_ms of a prepared item is what prepare() measured, not time spent in generate().
    expect(mixed[0].timings.preprocess_ms).toBe(prepared[0].preprocessMs);
  });

  it('prepare() of a corrupt image throws naming the file; a foreign prepared item fails only itself', async () => {
    await expect(model.prepare({ ...items[0], image: Buffer.from('garbage'), source: 'broken.png' })).rejects.toThrow(/^broken\.png/);
    const p = await model.prepare(items[0]);
    const foreign = { ...p, bundleDir: '/elsewhere', source: 'foreign.png' };
    const res = await model.generate([foreign, p]);
    expect('error' in res[0] && res[0].error.kind === 'generation' && res[0].error.message.startsWith('foreign.png')).toBe(true);
    expect(ok(res[1]).text).toBe(ok((await model.generate([items[0]]))[0]).text);
  });

  it('fingerprint is a sha256 of the bundle files and differs between bundles', () => {
    expect(model.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(model.fingerprint).toBe(modelFingerprint(model.bundle.allFiles));
    expect(model.fingerprint).not.toBe(fingerprintFiles(model.bundle.allFiles)); // the decoding is part of it
    const other = BUNDLES.find((b) => b !== bundle)!;
    expect(fingerprintFiles([join(MODELS, other, 'config.json')])).not.toBe(fingerprintFiles([join(MODELS, bundle, 'config.json')]));
    expect(model.executionProvider).toBe('cpu');
  });
});
