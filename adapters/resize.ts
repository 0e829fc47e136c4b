// PIL-compatible resampling (Pillow's libImaging/Resample.c algorithm, re-implemented), so preprocessed
// tensors match the reference code bit for bit. sharp's resize uses other kernels and rounding.
//
// Pillow's 8-bit resize: separable convolution, horizontal pass first, then vertical; the filter's
// support is widened by the downscale factor (antialiasing); each output pixel's weights are
// normalised to sum 1, then turned into fixed point with 22 fractional bits (rounded half away from
// zero); each pass accumulates ints starting from 0.5 (1 << 21), shifts right by 22 (floor) and clamps
// to 0..255, so the intermediate image is rounded to uint8 between the passes. Only source rows the
// vertical pass needs go through the horizontal pass (same numbers, less work). The coefficients are computed
// here; the passes themselves run in WebAssembly (resample/resample.c).
import { readFileSync } from 'node:fs';
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

// The two passes run in WebAssembly SIMD (adapters/resample/resample.c, built into the committed
// resample.wasm): one instance per thread, its memory holding one resize at a time (a 4000×3000 photo to
// 672 px: 8 MB). A memory cannot shrink, so an instance grown past KEEP_BYTES by a very large output is dropped
// after it, not kept for the thread's life.
const WASM = new WebAssembly.Module(readFileSync(new URL('./resample/resample.wasm', import.meta.url)));
interface Passes {
  memory: WebAssembly.Memory;
  heapBase: number;
  horizontal(src: number, inW: number, rows: number, out: number, outW: number, bounds: number, kk: number, ksize: number): void;
  vertical(mid: number, rowBytes: number, out: number, outH: number, bounds: number, kk: number, ksize: number): void;
}
/** An instance whose memory grew past this is dropped after its call. */
const KEEP_BYTES = 64 << 20;
/** Source bytes copied in per horizontal call. */
const BAND_BYTES = 1 << 20;

let passes: Passes | undefined;
function wasmPasses(): Passes {
  if (!passes) {
    const e = new WebAssembly.Instance(WASM, {}).exports as unknown as Omit<Passes, 'heapBase'> & { __heap_base: WebAssembly.Global };
    passes = { memory: e.memory, heapBase: e.__heap_base.value as number, horizontal: e.horizontal, vertical: e.vertical };
  }
  return passes;
}

/** Bump allocation in the instance's memory for one resize: byte offsets, 16-byte aligned. */
function layout(base: number, sizes: number[]): { offsets: number[]; end: number } {
  const offsets: number[] = [];
  let at = (base + 15) & ~15;
  for (const n of sizes) {
    offsets.push(at);
    at = (at + n + 16 + 15) & ~15; // 16 bytes of slack: the horizontal pass reads 4 bytes per 3-byte pixel
  }
  return { offsets, end: at };
}

/**
 * Resize an RGB image as PIL's `Image.resize((outW, outH), filter)` does (no box, no reducing_gap).
 * Sizes equal to the input return a copy, as Pillow does.
 */
export function resizeRgb(img: RgbImage, outW: number, outH: number, filter: Filter = 'bicubic'): RgbImage {
  const { width: inW, height: inH, data } = img;
  if (outW < 1 || outH < 1) throw new RangeError(`resize to ${outW}×${outH}: sizes must be positive`);
  if (outW === inW && outH === inH) return { width: inW, height: inH, data: data.slice() };
  const horiz = outW !== inW ? precomputeCoeffs(inW, outW, filter) : undefined;
  const vert = outH !== inH ? precomputeCoeffs(inH, outH, filter) : undefined;
  // Rows the vertical pass reads: Pillow only resamples these horizontally.
  const yFirst = vert ? vert.bounds[0] : 0;
  const yLast = vert ? vert.bounds[(outH - 1) * 2] + vert.bounds[(outH - 1) * 2 + 1] : inH;
  const rows = yLast - yFirst;
  if (vert) for (let i = 0; i < outH; i++) vert.bounds[i * 2] -= yFirst; // rows of what the vertical pass reads

  const w = wasmPasses();
  // The source goes in by bands of rows when the horizontal pass reads it (a 4000×3000 photo is 36 MB; its
  // horizontal output at 672 px wide is 6 MB), whole when the vertical pass reads it directly.
  const band = horiz ? Math.max(1, Math.min(rows, Math.floor(BAND_BYTES / (inW * 3)))) : rows;
  const midBytes = horiz ? rows * outW * 3 : 0;
  const outBytes = outW * outH * 3;
  const { offsets, end } = layout(w.heapBase, [
    band * inW * 3,
    horiz ? horiz.bounds.byteLength : 0,
    horiz ? horiz.kk.byteLength : 0,
    midBytes,
    vert ? vert.bounds.byteLength : 0,
    vert ? vert.kk.byteLength : 0,
    vert ? outBytes : 0,
  ]);
  const [src, hBounds, hKk, mid, vBounds, vKk, dst] = offsets;
  if (end > w.memory.buffer.byteLength) w.memory.grow(Math.ceil((end - w.memory.buffer.byteLength) / 65536));
  const heap = new Uint8Array(w.memory.buffer);
  let result = src;
  if (horiz) {
    heap.set(new Uint8Array(horiz.bounds.buffer), hBounds);
    heap.set(new Uint8Array(horiz.kk.buffer), hKk);
    for (let y = 0; y < rows; y += band) {
      const n = Math.min(band, rows - y);
      heap.set(data.subarray((yFirst + y) * inW * 3, (yFirst + y + n) * inW * 3), src);
      w.horizontal(src, inW, n, mid + y * outW * 3, outW, hBounds, hKk, horiz.ksize);
    }
    result = mid;
  } else heap.set(data.subarray(yFirst * inW * 3, yLast * inW * 3), src);
  if (vert) {
    heap.set(new Uint8Array(vert.bounds.buffer), vBounds);
    heap.set(new Uint8Array(vert.kk.buffer), vKk);
    w.vertical(result, outW * 3, dst, outH, vBounds, vKk, vert.ksize);
    result = dst;
  }
  const out = heap.slice(result, result + outBytes);
  if (w.memory.buffer.byteLength > KEEP_BYTES) passes = undefined;
  return { width: outW, height: outH, data: out };
}
