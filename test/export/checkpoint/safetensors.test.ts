import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../core/prng.ts';
import { f32BitsToBf16 } from '../../../export/checkpoint/convert.ts';
import { f32BitsToHalf, halfBitsToFloat } from '../../../core/float16.ts';
import { CheckpointError } from '../../../export/checkpoint/errors.ts';
import { openSafetensors, writeSafetensors } from '../../../export/checkpoint/safetensors.ts';
import type { TensorToWrite } from '../../../export/checkpoint/types.ts';
import { bitsEqual, oracle, readF32, roundingProbe, runOracle, tempDir, writeF32 } from './oracle.ts';

const dir = tempDir('st');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A safetensors file from a header object (or raw header text) and buffer bytes. */
function craft(name: string, header: object | string, data: Uint8Array | number = 0): string {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const buf = typeof data === 'number' ? new Uint8Array(data) : data;
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([len, json, buf]));
  return file;
}

function errorOf(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return e as CheckpointError;
  }
  throw new Error('expected a CheckpointError');
}

const f32 = (xs: number[]) => new Float32Array(xs);
const viaHalf = (x: Float32Array) => x.map((v) => halfBitsToFloat(f32BitsToHalf(new Uint32Array(new Float32Array([v]).buffer)[0])));
const viaBf16 = (x: Float32Array) => {
  const out = new Float32Array(x.length);
  const ob = new Uint32Array(out.buffer);
  const ib = new Uint32Array(x.buffer, x.byteOffset, x.length);
  for (let i = 0; i < x.length; i++) ob[i] = f32BitsToBf16(ib[i]) << 16;
  return out;
};

describe('writeSafetensors / openSafetensors', () => {
  it('round-trips, ordered by dtype then name like the Python library, header padded to 8', () => {
    const rand = seededRandom(3);
    const a = Float32Array.from({ length: 6 }, () => rand() - 0.5);
    const calls: string[] = [];
    const lazy = (name: string, v: Float32Array) => () => (calls.push(name), v);
    const tensors: TensorToWrite[] = [
      { name: 'z.half', dtype: 'F16', shape: [2, 3], data: lazy('z.half', a) },
      { name: 'b.bf', dtype: 'BF16', shape: [6], data: lazy('b.bf', a) },
      { name: 'y.full', dtype: 'F32', shape: [3, 2], data: lazy('y.full', a) },
      { name: '10', dtype: 'F32', shape: [], data: f32([7]) },
      { name: '9', dtype: 'F32', shape: [0, 4], data: f32([]) },
    ];
    const file = path.join(dir, 'rt.safetensors');
    const { bytes } = writeSafetensors(file, tensors);
    expect(fs.statSync(file).size).toBe(bytes);
    expect(calls).toEqual(['y.full', 'b.bf', 'z.half']);
    const raw = fs.readFileSync(file);
    const n = Number(raw.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    expect(raw.subarray(8, 8 + n).toString()).toMatch(/^\{"__metadata__":\{"format":"pt"\},"10":.*\} *$/);

    const ck = openSafetensors(file);
    expect(ck.keys()).toEqual(['10', '9', 'y.full', 'b.bf', 'z.half']); // file order, not JSON.parse order
    expect(ck.info('z.half')).toEqual({ name: 'z.half', dtype: 'F16', shape: [2, 3], file });
    expect(ck.info('nope')).toBeUndefined();
    expect(ck.readFloat32('y.full')).toEqual(a);
    expect(ck.readFloat32('z.half')).toEqual(viaHalf(a));
    expect(ck.readFloat32('b.bf')).toEqual(viaBf16(a));
    expect(ck.readFloat32('10')).toEqual(f32([7]));
    expect(ck.readFloat32('9')).toEqual(f32([]));
    expect(errorOf(() => ck.readFloat32('nope')).message).toBe(`${file} (tensor 'nope'): no such tensor`);
    ck.close();
  });

  it('refuses bad writer input and leaves no partial file', () => {
    const file = path.join(dir, 'bad-write.safetensors');
    expect(errorOf(() => writeSafetensors(file, [{ name: 'a', dtype: 'F32', shape: [3], data: f32([1, 2]) }])).message).toBe(
      `${file} (tensor 'a'): 2 values for shape [3] (3 elements)`,
    );
    expect(fs.existsSync(file)).toBe(false);
    expect(
      errorOf(() =>
        writeSafetensors(file, [
          { name: 'a', dtype: 'F32', shape: [1], data: f32([1]) },
          { name: 'a', dtype: 'F16', shape: [1], data: f32([1]) },
        ]),
      ).message,
    ).toMatch(/'a'\): duplicate tensor name/);
  });

  it('reads every readable dtype and lists, but refuses, the ones it cannot convert', () => {
    const data = new Uint8Array(8 + 2 + 1 + 8);
    const dv = new DataView(data.buffer);
    dv.setBigInt64(0, -5n, true);
    dv.setInt16(8, -300, true);
    data[10] = 1;
    const file = craft(
      'dtypes.safetensors',
      {
        __metadata__: { anything: 'ignored' },
        i64: { dtype: 'I64', shape: [1], data_offsets: [0, 8] },
        i16: { dtype: 'I16', shape: [1], data_offsets: [8, 10] },
        b: { dtype: 'BOOL', shape: [], data_offsets: [10, 11] },
        f8: { dtype: 'F8_E4M3', shape: [2, 4], data_offsets: [11, 19] },
      },
      data,
    );
    const ck = openSafetensors(file);
    expect(ck.keys()).toEqual(['i64', 'i16', 'b', 'f8']);
    expect(ck.readFloat32('i64')).toEqual(f32([-5]));
    expect(ck.readFloat32('i16')).toEqual(f32([-300]));
    expect(ck.readFloat32('b')).toEqual(f32([1]));
    expect(ck.info('f8')?.dtype).toBe('F8_E4M3');
    expect(errorOf(() => ck.readFloat32('f8')).message).toBe(
      `${file} (tensor 'f8'): unsupported dtype F8_E4M3: only F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL can be read`,
    );
    ck.close();
  });

  it('validates the header as the reference implementation does', () => {
    const t = (offsets: number[], shape = [1]) => ({ dtype: 'F32', shape, data_offsets: offsets });
    const cases: [string, object | string, number, RegExp][] = [
      ['hole', { a: t([0, 4]), b: t([8, 12]) }, 12, /\(tensor 'b'\): tensor data leaves a hole before it/],
      ['overlap', { a: t([0, 8], [2]), b: t([4, 8]) }, 8, /\(tensor 'b'\): tensor data overlaps the previous tensor/],
      ['truncated', { a: t([0, 8], [2]) }, 5, /: truncated: the header needs \d+ bytes, the file has \d+/],
      ['trailing', { a: t([0, 4]) }, 9, /: 5 bytes after the last tensor's data/],
      ['span', { a: t([0, 8]) }, 8, /\(tensor 'a'\): data_offsets span 8 bytes, F32 \[1\] needs 4/],
      ['dtype', { a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, 1, /\(tensor 'a'\): unknown dtype "Q4"/],
      ['json', '{"a": ', 0, /: header is not valid JSON/],
      ['notobj', '[1, 2]', 0, /: header does not start with "\{"/],
    ];
    for (const [name, header, size, re] of cases) {
      const file = craft(`${name}.safetensors`, header, size);
      const msg = errorOf(() => openSafetensors(file)).message;
      expect(msg.startsWith(file)).toBe(true);
      expect(msg).toMatch(re);
      expect(msg).not.toContain('\n');
    }
    const huge = path.join(dir, 'huge.safetensors');
    const len = Buffer.alloc(16);
    len.writeBigUInt64LE(100_000_001n);
    fs.writeFileSync(huge, len);
    expect(errorOf(() => openSafetensors(huge)).message).toBe(`${huge}: header length 100000001 exceeds 100000000: not a safetensors file`);
    fs.writeFileSync(huge, Buffer.alloc(3));
    expect(errorOf(() => openSafetensors(huge)).message).toMatch(/3 bytes: too short/);
    expect(errorOf(() => openSafetensors(path.join(dir, 'absent.safetensors'))).message).toMatch(/absent\.safetensors: no such file$/);
  });

  it('reads at offsets past 4 GiB without reading the file (sparse 6 GB file)', () => {
    const big = 6_000_000_000;
    const header = Buffer.from(
      JSON.stringify({
        big: { dtype: 'U8', shape: [big], data_offsets: [0, big] },
        tail: { dtype: 'F32', shape: [2, 2], data_offsets: [big, big + 16] },
      }),
    );
    const file = path.join(dir, 'sparse.safetensors');
    const fd = fs.openSync(file, 'w');
    try {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(header.length));
      fs.writeSync(fd, Buffer.concat([len, header]), 0, 8 + header.length, 0);
      const tail = f32([1.5, -2, 3.25, 1e-30]);
      fs.writeSync(fd, new Uint8Array(tail.buffer), 0, 16, 8 + header.length + big);
      fs.closeSync(fd);
      const ck = openSafetensors(file);
      expect(ck.info('big')?.shape).toEqual([big]);
      expect(ck.readFloat32('tail')).toEqual(tail);
      ck.close();
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});

describe.skipIf(!oracle.python || !oracle.safetensors)('safetensors against the Python library', () => {
  let result: Record<string, any>;
  const probe = roundingProbe(20_000, seededRandom(11));
  beforeAll(() => {
    writeF32(path.join(dir, 'probe.f32'), probe);
    writeF32(path.join(dir, 'scalar.f32'), f32([-1.75]));
    writeF32(path.join(dir, 'empty.f32'), f32([]));
    const tensors: TensorToWrite[] = [
      { name: 'w.f32', dtype: 'F32', shape: [100, 200], data: probe },
      { name: 'w.f16', dtype: 'F16', shape: [20_000], data: () => probe },
      { name: 'w.bf16', dtype: 'BF16', shape: [4, 5000], data: () => probe },
      { name: 'scalar', dtype: 'BF16', shape: [], data: f32([-1.75]) },
      { name: 'empty', dtype: 'F16', shape: [0, 7], data: f32([]) },
    ];
    writeSafetensors(path.join(dir, 'ours.safetensors'), tensors);
    const manifest = [
      {
        file: 'ours.safetensors',
        format: 'safetensors',
        tensors: tensors.map((t) => ({
          name: t.name,
          dtype: t.dtype,
          shape: t.shape,
          src: t.name === 'scalar' ? 'scalar.f32' : t.name === 'empty' ? 'empty.f32' : 'probe.f32',
        })),
      },
    ];
    fs.writeFileSync(path.join(dir, 'ours.json'), JSON.stringify(manifest));
    result = runOracle(dir, ['st-files', 'verify']);
  });

  it('safetensors.torch.load_file reads our file with torch-identical f16/bf16 rounding', () => {
    const r = result.verify['ours.safetensors'];
    expect(r.errors).toEqual([]);
    expect(r.keys.sort()).toEqual(['empty', 'scalar', 'w.bf16', 'w.f16', 'w.f32']);
  });

  it('reads a file save_file wrote: every dtype, exact values, in file order', () => {
    const file = path.join(dir, 'python.safetensors');
    const ck = openSafetensors(file);
    const expected = result['st-files'] as { key: string; shape: number[]; expected: string }[];
    expect([...ck.keys()].sort()).toEqual(expected.map((e) => e.key).sort());
    expect(ck.keys().slice(0, 3)).toEqual(['e.i64', 'd.f64', '10']); // save_file's layout: by dtype (I64 before F64), then name
    for (const e of expected) {
      expect(ck.info(e.key)?.shape).toEqual(e.shape);
      expect(bitsEqual(ck.readFloat32(e.key), readF32(path.join(dir, e.expected))), e.key).toBeUndefined();
    }
    expect(ck.info('j.bool')?.dtype).toBe('BOOL');
    ck.close();
  });
});
