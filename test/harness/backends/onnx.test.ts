// The ONNX backend's prepare(): items prepared ahead give the same answers as plain ones, and bad or
// bad items come back as that item's error instead of throwing; text-only items are generated.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadOnnxBackend } from '../../../harness/backends/onnx.ts';
import { isError, type GenerateItem, type ModelBackend } from '../../../harness/backends/types.ts';

const BUNDLE = fileURLToPath(new URL('../../../fixtures/models/tiny-eve/', import.meta.url));
const ready = existsSync(join(BUNDLE, 'tokenizer.json')) && existsSync(join(BUNDLE, 'preprocessor_config.json'));
if (!ready) console.log('onnx backend tests skipped: fixtures/models/tiny-eve has no tokenizer.json / preprocessor_config.json');

describe.skipIf(!ready)('loadOnnxBackend prepare()', () => {
  let backend: ModelBackend;
  let items: GenerateItem[];
  beforeAll(async () => {
    backend = await loadOnnxBackend({ name: 'tiny-eve', path: BUNDLE, device: 'cpu', threads: 1, batchSize: 4 });
    items = [];
    for (let k = 0; k < 4; k++) {
      const image = await sharp({ create: { width: 60 + 70 * k, height: 200 - 30 * k, channels: 3, background: { r: 40 * k, g: 200 - 40 * k, b: 90 } } })
        .png()
        .toBuffer();
      items.push({ id: `s${k}`, image, source: `img-${k}.png`, prompt: `What colour is object ${k}?`, maxNewTokens: 8 });
    }
  });
  afterAll(async () => backend?.dispose());

  it('prepared items give the plain answers, and records keep prepare()-measured preprocess_ms', async () => {
    const plain = await backend.generate(items);
    const prepared = await Promise.all(items.map((it) => backend.prepare!(it)));
    const withPrep = items.map((it, k) => {
      const p = prepared[k];
      if ('error' in p) throw new Error(p.error.message);
      return { ...it, prepared: p.prepared };
    });
    const ahead = await backend.generate(withPrep);
    expect(ahead.map((r) => (isError(r) ? r.error.message : r.text))).toEqual(plain.map((r) => (isError(r) ? r.error.message : r.text)));
    for (const [k, r] of ahead.entries()) {
      if (isError(r)) throw new Error(r.error.message);
      expect(r.timings!.preprocess_ms).toBe((prepared[k] as { prepared: { preprocessMs: number } }).prepared.preprocessMs);
      expect(r.image).toEqual({ width: 60 + 70 * k, height: 200 - 30 * k });
    }
  });

  it('a corrupt image is a per-item error from prepare()', async () => {
    const bad = await backend.prepare!({ ...items[0], image: Buffer.from('not a png'), source: 'corrupt.png' });
    expect('error' in bad && bad.error.kind === 'input' && bad.error.message.startsWith('corrupt.png')).toBe(true);
  });

  it('a text-only question is prepared and generated: no image tokens, no image size, same answer alone or batched', async () => {
    const textItem: GenerateItem = { ...items[0], id: 'q1', image: null, source: 'sqa (q1)' };
    const prep = await backend.prepare!(textItem);
    if ('error' in prep) throw new Error(prep.error.message);
    const [alone] = await backend.generate([textItem]);
    const mixed = await backend.generate([items[1], { ...textItem, prepared: prep.prepared }, items[2]]);
    for (const r of [alone, mixed[1]]) {
      if (isError(r)) throw new Error(r.error.message);
      expect(r.tokens!.image).toBe(0);
      expect(r.tokens!.prompt).toBeGreaterThan(0);
      expect(r.image).toBeUndefined();
    }
    expect(isError(mixed[1]) ? '' : mixed[1].text).toBe(isError(alone) ? 'error' : alone.text);
    expect(isError(mixed[0]) ? null : mixed[0].tokens!.image).toBeGreaterThan(0);
  });
});
