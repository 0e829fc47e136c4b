// Pillow's 8-bit resampling passes (libImaging/Resample.c: ImagingResampleHorizontal_8bpc and
// ImagingResampleVertical_8bpc) for packed RGB, in WebAssembly SIMD: adapters/resize.ts computes the
// coefficients exactly as Pillow does and calls these. The sums are the integers Pillow's C loops compute
// (int32, starting from 1 << 21, >> 22, clamped to 0..255), so the output is the same, byte for byte.
// Built by build.sh into resample.wasm (committed); no libc, no allocation: the caller lays out memory.
#include <stdint.h>
#include <wasm_simd128.h>

#define PRECISION_BITS 22

static inline uint8_t clip8(int32_t ss) {
  int32_t v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

// One RGB pixel as four int32 lanes (the fourth is the next byte, never stored); the caller leaves 4 bytes
// of slack after the image so the last pixel's 4-byte read stays inside memory.
static inline v128_t pixel(const uint8_t *p) {
  return wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(p)));
}

// Source rows [0, rows) of `src` (inW pixels each) to `out` (outW pixels each). bounds: per output pixel its
// first source pixel and count; kk: ksize weights per output pixel.
__attribute__((export_name("horizontal"))) void horizontal(const uint8_t *src, int32_t inW, int32_t rows, uint8_t *out, int32_t outW,
                                                          const int32_t *bounds, const int32_t *kk, int32_t ksize) {
  const v128_t half = wasm_i32x4_splat(1 << (PRECISION_BITS - 1));
  for (int32_t y = 0; y < rows; y++) {
    const uint8_t *row = src + (intptr_t)y * inW * 3;
    uint8_t *d = out + (intptr_t)y * outW * 3;
    for (int32_t xx = 0; xx < outW; xx++) {
      const uint8_t *p = row + bounds[2 * xx] * 3;
      const int32_t n = bounds[2 * xx + 1];
      const int32_t *k = kk + xx * ksize;
      v128_t acc = half;
      int32_t x = 0;
      for (; x + 1 < n; x += 2, p += 6) {
        acc = wasm_i32x4_add(acc, wasm_i32x4_mul(pixel(p), wasm_i32x4_splat(k[x])));
        acc = wasm_i32x4_add(acc, wasm_i32x4_mul(pixel(p + 3), wasm_i32x4_splat(k[x + 1])));
      }
      if (x < n) acc = wasm_i32x4_add(acc, wasm_i32x4_mul(pixel(p), wasm_i32x4_splat(k[x])));
      d[0] = clip8(wasm_i32x4_extract_lane(acc, 0));
      d[1] = clip8(wasm_i32x4_extract_lane(acc, 1));
      d[2] = clip8(wasm_i32x4_extract_lane(acc, 2));
      d += 3;
    }
  }
}

// Rows of `mid` (rowBytes each) to outH rows of `out`. bounds: per output row its first row of `mid` and
// count; kk: ksize weights per output row. Sixteen bytes of a row at a time, all its taps summed in registers.
__attribute__((export_name("vertical"))) void vertical(const uint8_t *mid, int32_t rowBytes, uint8_t *out, int32_t outH, const int32_t *bounds,
                                                      const int32_t *kk, int32_t ksize) {
  const v128_t half = wasm_i32x4_splat(1 << (PRECISION_BITS - 1));
  for (int32_t yy = 0; yy < outH; yy++) {
    const uint8_t *first = mid + (intptr_t)bounds[2 * yy] * rowBytes;
    const int32_t n = bounds[2 * yy + 1];
    const int32_t *k = kk + yy * ksize;
    uint8_t *d = out + (intptr_t)yy * rowBytes;
    int32_t xb = 0;
    for (; xb + 16 <= rowBytes; xb += 16) {
      v128_t a0 = half, a1 = half, a2 = half, a3 = half;
      const uint8_t *p = first + xb;
      for (int32_t y = 0; y < n; y++, p += rowBytes) {
        const v128_t w = wasm_i32x4_splat(k[y]);
        const v128_t v = wasm_v128_load(p);
        const v128_t lo = wasm_u16x8_extend_low_u8x16(v);
        const v128_t hi = wasm_u16x8_extend_high_u8x16(v);
        a0 = wasm_i32x4_add(a0, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(lo), w));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(lo), w));
        a2 = wasm_i32x4_add(a2, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(hi), w));
        a3 = wasm_i32x4_add(a3, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(hi), w));
      }
      // >> 22, then saturating narrows: below 0 gives 0 and above 255 gives 255, as clip8 does.
      const v128_t s01 = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(a0, PRECISION_BITS), wasm_i32x4_shr(a1, PRECISION_BITS));
      const v128_t s23 = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(a2, PRECISION_BITS), wasm_i32x4_shr(a3, PRECISION_BITS));
      wasm_v128_store(d + xb, wasm_u8x16_narrow_i16x8(s01, s23));
    }
    for (; xb < rowBytes; xb++) {
      int32_t ss = 1 << (PRECISION_BITS - 1);
      const uint8_t *p = first + xb;
      for (int32_t y = 0; y < n; y++, p += rowBytes) ss += *p * k[y];
      d[xb] = clip8(ss);
    }
  }
}
