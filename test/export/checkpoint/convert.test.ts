import { describe, expect, it } from 'vitest';
import { contiguousStrides, f32BitsToBf16, viewSpan } from '../../../export/checkpoint/convert.ts';
import { f32BitsToHalf, halfBitsToFloat } from '../../../core/float16.ts';

const bitsOf = (v: number) => new Uint32Array(new Float32Array([v]).buffer)[0];
const half = (v: number) => f32BitsToHalf(bitsOf(v));
const bf16 = (v: number) => f32BitsToBf16(bitsOf(v));

describe('float32 → float16 (round to nearest even)', () => {
  it('converts exact values, signed zero, infinities and NaN', () => {
    expect(half(1)).toBe(0x3c00);
    expect(half(-2)).toBe(0xc000);
    expect(half(65504)).toBe(0x7bff);
    expect(half(0)).toBe(0);
    expect(half(-0)).toBe(0x8000);
    expect(half(Infinity)).toBe(0x7c00);
    expect(half(-Infinity)).toBe(0xfc00);
    expect(half(NaN)).toBe(0x7e00);
    expect(half(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(half(2 ** -14)).toBe(0x0400); // smallest normal
  });
  it('breaks ties to even and overflows to infinity', () => {
    expect(half(1 + 2 ** -11)).toBe(0x3c00); // tie, 0x3c00 even
    expect(half(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, rounds up to even
    expect(half(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // above the tie
    expect(half(65519)).toBe(0x7bff);
    expect(half(65520)).toBe(0x7c00); // tie at max: rounds to even = inf
    expect(half(2 ** -25)).toBe(0); // tie between 0 and the smallest subnormal
    expect(half(3 * 2 ** -25)).toBe(0x0002); // tie between subnormals 1 and 2
    expect(half(2 ** -26)).toBe(0);
    expect(half((1 - 2 ** -11) * 2 ** -14)).toBe(0x0400); // subnormal rounding carries into the normal range
  });
  it('round-trips every finite half exactly', () => {
    const bad: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) !== 0x7c00 && f32BitsToHalf(bitsOf(halfBitsToFloat(h))) !== h) bad.push(h);
    }
    expect(bad).toEqual([]);
  });
  it('decodes halves', () => {
    expect(halfBitsToFloat(0x3c00)).toBe(1);
    expect(halfBitsToFloat(0x0001)).toBe(2 ** -24);
    expect(Object.is(halfBitsToFloat(0x8000), -0)).toBe(true);
    expect(halfBitsToFloat(0xfc00)).toBe(-Infinity);
    expect(halfBitsToFloat(0x7e00)).toBeNaN();
  });
});

describe('float32 → bfloat16 (round to nearest even)', () => {
  it('truncates exact values and breaks ties to even', () => {
    expect(bf16(1)).toBe(0x3f80);
    expect(bf16(-3.5)).toBe(0xc060);
    const at = (hi: number, lo: number) => f32BitsToBf16(((hi << 16) | lo) >>> 0);
    expect(at(0x3f80, 0x8000)).toBe(0x3f80); // tie, even stays
    expect(at(0x3f81, 0x8000)).toBe(0x3f82); // tie, odd rounds up
    expect(at(0x3f80, 0x8001)).toBe(0x3f81);
    expect(at(0x3f80, 0x7fff)).toBe(0x3f80);
    expect(at(0x7f7f, 0x8000)).toBe(0x7f80); // largest finite rounds to inf
    expect(bf16(NaN)).toBe(0x7fc0);
    expect(bf16(-Infinity)).toBe(0xff80);
  });
});

describe('strides', () => {
  it('computes torch-style contiguous strides and view spans', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([])).toEqual([]);
    expect(contiguousStrides([3, 0])).toEqual([1, 1]);
    expect(viewSpan([3, 2], [1, 3])).toBe(6); // a transposed 2×3
    expect(viewSpan([4, 2], [5, 1])).toBe(17);
    expect(viewSpan([2, 3], [0, 1])).toBe(3); // expanded
    expect(viewSpan([0, 3], [3, 1])).toBe(0);
    expect(viewSpan([], [])).toBe(1);
  });
});
