// Preprocessing on worker threads gives the PIL reference's tensors (test/fixtures/preprocess-reference,
// computed by PIL + numpy) for every family and image, the same as the main thread; a bad image is the same
// one-line InputError naming its source; many jobs at once come back each to its caller.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PreprocessPool } from '../../../harness/runtime/preprocess-pool.ts';
import { getFamily } from '../../../adapters/registry.ts';
import { InputError } from '../../../core/errors.ts';
import { imageBytes, reference, sha256 } from '../../adapters/reference-helpers.ts';

const MODELS = fileURLToPath(new URL('../../../fixtures/models/', import.meta.url));
const cfg = (bundle: string) => JSON.parse(readFileSync(join(MODELS, bundle, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
const FAMILIES = [
  ['eve', 'tiny-eve'],
  ['llava', 'tiny-llava'],
  ['fuyu', 'tiny-fuyu'],
] as const;

describe('PreprocessPool', () => {
  const pool = new PreprocessPool(2);
  afterAll(() => pool.close());

  for (const [family, bundle] of FAMILIES) {
    it(`${family}: every reference image as PIL computes it, all jobs in flight at once`, async () => {
      const names = Object.keys(reference.images);
      const got = await Promise.all(names.map((n) => pool.preprocess(family, imageBytes(n), n, cfg(bundle))));
      for (const [i, name] of names.entries()) {
        expect(sha256(got[i].data), `${family} ${name}`).toBe(reference.images[name][family].sha256);
        const local = await getFamily(family).preprocess(imageBytes(name), name, cfg(bundle));
        expect(got[i].dims).toEqual(local.dims);
        expect(got[i].imageTokens).toBe(local.imageTokens);
        expect(got[i].extra ? Object.keys(got[i].extra!) : []).toEqual(local.extra ? Object.keys(local.extra) : []);
      }
    });
  }

  it('a bad image is an InputError naming its source; the pool goes on', async () => {
    const err = await pool.preprocess('eve', Buffer.from('not an image'), 'photos/bad.jpg', cfg('tiny-eve')).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^photos\/bad\.jpg: cannot decode image/);
    const ok = await pool.preprocess('eve', imageBytes('land-64x48.png'), 'land', cfg('tiny-eve'));
    expect(sha256(ok.data)).toBe(reference.images['land-64x48.png'].eve.sha256);
  });
});
