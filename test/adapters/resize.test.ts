import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { precomputeCoeffs, resizeRgb, type Filter } from '../../adapters/resize.ts';

const grey = (values: number[], w: number, h: number) => {
  const data = new Uint8Array(w * h * 3);
  values.forEach((v, i) => data.fill(v, i * 3, i * 3 + 3));
  return { width: w, height: h, data };
};
const firstChannel = (d: Uint8Array) => Array.from(d).filter((_, i) => i % 3 === 0);

describe('PIL-compatible resize, hand-computed', () => {
  it('widens the filter support by the downscale factor (antialiasing)', () => {
    // 4 → 2 bilinear: scale 2, support 1·2 = 2. Output 0: centre 1.0, taps x = 0..2 with weights
    // tri((x − 1 + 0.5)/2) = 0.75, 0.75, 0.25 → normalised 3/7, 3/7, 1/7: 0·3/7 + 70·3/7 + 140/7 = 50.
    // Output 1: centre 3.0, taps 1..3, weights 1/7, 3/7, 3/7: 70/7 + 140·3/7 + 210·3/7 = 160.
    // (A plain 2-tap bilinear would give 35 and 175.)
    const out = resizeRgb(grey([0, 70, 140, 210], 4, 1), 2, 1, 'bilinear');
    expect(firstChannel(out.data)).toEqual([50, 160]);
  });

  it('uses fixed-point weights rounded half away from zero (22 fraction bits)', () => {
    const c = precomputeCoeffs(4, 2, 'bilinear');
    expect(c.ksize).toBe(5);
    expect(Array.from(c.bounds)).toEqual([0, 3, 1, 3]);
    // 3/7 · 2^22 = 1797558.86 → 1797559; 1/7 · 2^22 = 599186.29 → 599186.
    expect(Array.from(c.kk.subarray(0, 3))).toEqual([1797559, 1797559, 599186]);
    // Bicubic has negative lobes: 2 → 3 upscale keeps support 2 and gets a negative weight.
    const b = precomputeCoeffs(2, 3, 'bicubic');
    expect(Math.min(...b.kk)).toBeLessThan(0);
  });

  it('clamps overshoot of the bicubic kernel to 0..255 and rounds between passes', () => {
    // A hard 0/255 edge upsampled with bicubic overshoots; PIL clamps, never wraps.
    const out = resizeRgb(grey([0, 0, 255, 255], 4, 1), 9, 1, 'bicubic');
    const v = firstChannel(out.data);
    expect(Math.min(...v)).toBe(0);
    expect(Math.max(...v)).toBe(255);
    expect(v[0]).toBe(0);
    expect(v[8]).toBe(255);
  });

  it('keeps a constant image constant and returns a copy for the same size', () => {
    const img = grey(new Array(35).fill(123), 7, 5);
    expect(new Set(resizeRgb(img, 3, 11).data)).toEqual(new Set([123]));
    const same = resizeRgb(img, 7, 5);
    expect(same.data).toEqual(img.data);
    expect(same.data).not.toBe(img.data);
  });
});

const PY = '/usr/bin/python3';
const hasPil =
  existsSync(PY) &&
  (() => {
    try {
      execFileSync(PY, ['-c', 'import PIL, numpy']);
      return true;
    } catch {
      return false;
    }
  })();
if (!hasPil) console.log('note: /usr/bin/python3 with PIL + numpy not found; skipping the live PIL resize comparison');

describe.skipIf(!hasPil)('PIL-compatible resize against Pillow itself', () => {
  const cases: [number, number, number, number, Filter][] = [
    [37, 23, 16, 40, 'bicubic'],
    [64, 48, 672, 504, 'bicubic'],
    [640, 480, 21, 9, 'bicubic'],
    [2000, 60, 1920, 57, 'bilinear'],
    [50, 50, 1, 3, 'bilinear'],
    [9, 300, 28, 672, 'bicubic'],
    // The WebAssembly passes' edge paths: extreme ratios, one pass only (same width or height), rows whose
    // bytes are no multiple of 16 (the vertical pass's tail), one-pixel outputs.
    [4000, 200, 672, 34, 'bicubic'],
    [200, 4000, 34, 672, 'bicubic'],
    [33, 47, 33, 91, 'bicubic'],
    [47, 33, 91, 33, 'bicubic'],
    [301, 7, 1, 1, 'bicubic'],
  ];
  it.each(cases)('%i×%i → %i×%i %s is bit-identical', (w, h, ow, oh, filter) => {
    const script = `
import sys, numpy as np
from PIL import Image
rng = np.random.default_rng(${w * 7 + h})
a = rng.integers(0, 256, (${h}, ${w}, 3), dtype=np.uint8)
a[::3] = np.where(a[::3] > 127, 255, 0)  # hard edges, to exercise overshoot clamping
out = np.asarray(Image.fromarray(a).resize((${ow}, ${oh}), Image.${filter.toUpperCase()}))
sys.stdout.buffer.write(a.tobytes() + out.tobytes())`;
    const buf = execFileSync(PY, ['-c', script], { maxBuffer: 1 << 26 });
    const src = new Uint8Array(buf.subarray(0, w * h * 3));
    const ref = new Uint8Array(buf.subarray(w * h * 3));
    const out = resizeRgb({ width: w, height: h, data: src }, ow, oh, filter);
    let diff = 0;
    for (let i = 0; i < ref.length; i++) if (out.data[i] !== ref[i]) diff++;
    expect(diff).toBe(0);
  });
});

// The committed resample.wasm is what adapters/resample/build.sh makes of resample.c (clang's output is the
// same bytes wherever the checkout lies), so the binary that runs is the source that is read.
const clang = ['/usr/bin/clang-14', '/usr/lib/llvm-14/bin/wasm-ld'].every(existsSync);
if (!clang) console.log('note: clang-14 and lld-14 not found (apt install clang-14 lld-14); skipping the resample.wasm rebuild check');
describe.skipIf(!clang)('resample.wasm', () => {
  it('is what build.sh builds from resample.c', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eve-resample-'));
    try {
      const built = join(dir, 'resample.wasm');
      execFileSync('bash', [new URL('../../adapters/resample/build.sh', import.meta.url).pathname, built]);
      expect(readFileSync(built).equals(readFileSync(new URL('../../adapters/resample/resample.wasm', import.meta.url)))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
