// PIL-compatible resampling (Pillow's libImaging/Resample.c algorithm, re-implemented), so preprocessed
// tensors match the reference code bit for bit. sharp's resize uses other kernels and rounding.
//
// Pillow's 8-bit resize: separable convolution, horizontal pass first, then vertical; the filter's
// support is widened by the downscale factor (antialiasing); each output pixel's weights are
// normalised to sum 1, then turned into fixed point with 22 fractional bits (rounded half away from
// zero); each pass accumulates ints starting from 0.5 (1 << 21), shifts right by 22 (floor) and clamps
// to 0..255, so the intermediate image is rounded to uint8 between the passes. Only source rows the
// vertical pass needs go through the horizontal pass (same numbers, less work).
import type { RgbImage } from '../core/image.ts';

export type Filter = 'bicubic' | 'bilinear';

const PRECISION_BITS = 32 - 8 - 2;

function bicubic(x: number): number {
  // Pillow's bicubic uses a = -0.5 (Keys), support 2.
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

function bilinear(x: number): number {
  if (x < 0) x = -x;
  return x < 1 ? 1 - x : 0;
}

const FILTERS: Record<Filter, { fn: (x: number) => number; support: number }> = {
  bicubic: { fn: bicubic, support: 2 },
  bilinear: { fn: bilinear, support: 1 },
};

interface Coeffs {
  ksize: number;
  /** Per output pixel: first source index and count. */
  bounds: Int32Array;
  /** Fixed-point weights, ksize per output pixel. */
  kk: Int32Array;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the whole source range [0, inSize). */
export function precomputeCoeffs(inSize: number, outSize: number, filter: Filter): Coeffs {
  const { fn, support: baseSupport } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = baseSupport * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const pre = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero; center - support + 0.5 can be negative, then clamped.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = fn((x + xmin - center + 0.5) * ss);
      pre[x] = w;
      ww += w;
    }
    for (let x = 0; x < ksize; x++) {
      let w = x < xmax ? pre[x] : 0;
      if (x < xmax && ww !== 0) w /= ww;
      // (int)(±0.5 + w·2^22): round half away from zero, as normalize_coeffs_8bpc does.
      kk[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

/** clip8: arithmetic shift (floor) then clamp to 0..255. */
function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

// Every sum below fits int32 as Pillow's does (|Σ w| ≈ 2^22, pixels ≤ 255), so `| 0` keeps V8 on integer
// arithmetic without changing a result.

/** Pillow's horizontal pass over source rows [y0, y0 + rows), 3 bytes per pixel. */
function resampleHorizontal(src: Uint8Array, inW: number, y0: number, rows: number, outW: number, c: Coeffs): Uint8Array {
  const { ksize, bounds, kk } = c;
  const half = 1 << (PRECISION_BITS - 1);
  const out = new Uint8Array(outW * rows * 3);
  for (let y = 0; y < rows; y++) {
    const srcRow = (y + y0) * inW * 3;
    let d = y * outW * 3;
    for (let xx = 0; xx < outW; xx++) {
      const xmax = bounds[xx * 2 + 1];
      const k = xx * ksize;
      let p = srcRow + bounds[xx * 2] * 3;
      let s0 = half;
      let s1 = half;
      let s2 = half;
      for (let x = 0; x < xmax; x++, p += 3) {
        const w = kk[k + x];
        s0 = (s0 + src[p] * w) | 0;
        s1 = (s1 + src[p + 1] * w) | 0;
        s2 = (s2 + src[p + 2] * w) | 0;
      }
      out[d++] = clip8(s0);
      out[d++] = clip8(s1);
      out[d++] = clip8(s2);
    }
  }
  return out;
}

/**
 * Pillow's vertical pass. Pillow walks each output byte down its source column; summing whole source rows
 * into a row of accumulators gives the same integers with memory read in order.
 */
function resampleVertical(mid: Uint8Array, rowBytes: number, row0: number, outH: number, c: Coeffs): Uint8Array {
  const { ksize, bounds, kk } = c;
  const half = 1 << (PRECISION_BITS - 1);
  const out = new Uint8Array(rowBytes * outH);
  const acc = new Int32Array(rowBytes);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2] - row0;
    const ymax = bounds[yy * 2 + 1];
    const k = yy * ksize;
    acc.fill(half);
    for (let y = 0; y < ymax; y++) {
      const w = kk[k + y];
      if (w === 0) continue;
      const r = (y + ymin) * rowBytes;
      for (let xb = 0; xb < rowBytes; xb++) acc[xb] = (acc[xb] + mid[r + xb] * w) | 0;
    }
    const dstRow = yy * rowBytes;
    for (let xb = 0; xb < rowBytes; xb++) out[dstRow + xb] = clip8(acc[xb]);
  }
  return out;
}

/**
 * Resize an RGB image as PIL's `Image.resize((outW, outH), filter)` does (no box, no reducing_gap).
 * Sizes equal to the input return a copy, as Pillow does.
 */
export function resizeRgb(img: RgbImage, outW: number, outH: number, filter: Filter = 'bicubic'): RgbImage {
  const { width: inW, height: inH, data } = img;
  if (outW < 1 || outH < 1) throw new RangeError(`resize to ${outW}×${outH}: sizes must be positive`);
  if (outW === inW && outH === inH) return { width: inW, height: inH, data: data.slice() };
  const needV = outH !== inH;
  const vert = needV ? precomputeCoeffs(inH, outH, filter) : undefined;
  // Rows the vertical pass reads: Pillow only resamples these horizontally.
  const yFirst = vert ? vert.bounds[0] : 0;
  const yLast = vert ? vert.bounds[(outH - 1) * 2] + vert.bounds[(outH - 1) * 2 + 1] : inH;
  const mid = outW !== inW ? resampleHorizontal(data, inW, yFirst, yLast - yFirst, outW, precomputeCoeffs(inW, outW, filter)) : data;
  const midRow0 = outW !== inW ? yFirst : 0;
  const out = vert ? resampleVertical(mid, outW * 3, midRow0, outH, vert) : mid;
  return { width: outW, height: outH, data: out };
}
