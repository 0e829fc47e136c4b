import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../core/prng.ts';
import { openForRead } from '../../../export/checkpoint/fileio.ts';
import { PickleWriter } from '../../../export/checkpoint/pickle.ts';
import { openTorchZip, writeTorchZip } from '../../../export/checkpoint/torch.ts';
import type { TensorToWrite } from '../../../export/checkpoint/types.ts';
import { entryDataOffset, readZipDirectory, ZipWriter } from '../../../export/checkpoint/zip.ts';
import { bitsEqual, oracle, readF32, roundingProbe, runOracle, tempDir, writeF32, errorOf, f32 } from './oracle.ts';

const dir = tempDir('torch');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A torch-style zip whose data.pkl is `pickle` and whose other records are given. */
function craftZip(name: string, pickle: Buffer, records: Record<string, Uint8Array> = {}): string {
  const file = path.join(dir, name);
  const fd = fs.openSync(file, 'w');
  const zip = new ZipWriter(fd);
  zip.add('archive/data.pkl', pickle);
  for (const [k, v] of Object.entries(records)) zip.add(`archive/${k}`, v);
  zip.finish();
  fs.closeSync(fd);
  return file;
}

/** OrderedDict{name: _rebuild_tensor_v2(storage(cls, key, numel), offset, shape, stride)} */
function statePickle(tensors: { name: string; cls: string; key: string; numel: number; offset?: number; shape: number[]; stride: number[] }[]): Buffer {
  const p = new PickleWriter();
  p.global('collections', 'OrderedDict').op(0x29, 0x52, 0x28);
  for (const t of tensors) {
    p.str(t.name).global('torch._utils', '_rebuild_tensor_v2').op(0x28);
    p.op(0x28).str('storage').global('torch', t.cls).str(t.key).str('cpu').int(t.numel).op(0x74, 0x51);
    p.int(t.offset ?? 0)
      .tuple(t.shape)
      .tuple(t.stride)
      .op(0x89)
      .global('collections', 'OrderedDict')
      .op(0x29, 0x52, 0x74, 0x52);
  }
  return p.op(0x75).bytes();
}

describe('writeTorchZip / openTorchZip', () => {
  const rand = seededRandom(5);
  const a = Float32Array.from({ length: 12 }, () => rand() * 4 - 2);
  const tensors = (): TensorToWrite[] => [
    { name: 'layer.weight', dtype: 'F32', shape: [3, 4], data: a },
    { name: 'layer.half', dtype: 'F16', shape: [12], data: () => a },
    { name: 'scalar', dtype: 'BF16', shape: [], data: f32([0.5]) },
    { name: 'none', dtype: 'F32', shape: [0], data: f32([]) },
  ];

  for (const forceZip64 of [false, true]) {
    it(`round-trips with 64-byte aligned stored entries${forceZip64 ? ' (ZIP64 forced)' : ''}`, () => {
      const file = path.join(dir, `rt${forceZip64 ? '64' : ''}.pt`);
      const { bytes } = writeTorchZip(file, tensors(), { forceZip64 });
      expect(fs.statSync(file).size).toBe(bytes);
      const f = openForRead(file);
      const entries = readZipDirectory(f);
      expect(entries.map((e) => e.name)).toEqual([
        `${path.parse(file).name}/data/0`,
        `${path.parse(file).name}/data/1`,
        `${path.parse(file).name}/data/2`,
        `${path.parse(file).name}/data/3`,
        `${path.parse(file).name}/data.pkl`,
        `${path.parse(file).name}/byteorder`,
        `${path.parse(file).name}/version`,
      ]);
      for (const e of entries) expect(entryDataOffset(f, e) % 64).toBe(0);
      fs.closeSync(f.fd);
      const ck = openTorchZip(file);
      expect(ck.keys()).toEqual(['layer.weight', 'layer.half', 'scalar', 'none']);
      expect(ck.info('layer.half')).toEqual({ name: 'layer.half', dtype: 'F16', shape: [12], file });
      expect(ck.readFloat32('layer.weight')).toEqual(a);
      expect(ck.readFloat32('scalar')).toEqual(f32([0.5]));
      expect(ck.readFloat32('none')).toEqual(f32([]));
      ck.close();
    });
  }

  it('streams: pulls each tensor from the iterator only when it writes it', () => {
    const log: string[] = [];
    function* gen(): Generator<TensorToWrite> {
      for (let i = 0; i < 3; i++) {
        log.push(`yield ${i}`);
        yield { name: `t${i}`, dtype: 'F16', shape: [2], data: () => (log.push(`data ${i}`), f32([i, -i])) };
      }
    }
    const file = path.join(dir, 'gen.pt');
    writeTorchZip(file, gen());
    expect(log).toEqual(['yield 0', 'data 0', 'yield 1', 'data 1', 'yield 2', 'data 2']);
    const ck = openTorchZip(file);
    expect(ck.readFloat32('t2')).toEqual(f32([2, -2]));
    ck.close();
  });

  it('honours a big-endian byteorder record, shared storages and strides', () => {
    const be = Buffer.alloc(6 * 4);
    [1, 2, 3, 4, 5, 6].forEach((v, i) => be.writeFloatBE(v, 4 * i));
    const half = Buffer.from([0x3c, 0x00, 0xc0, 0x00]); // 1, -2 as big-endian halves
    const file = craftZip(
      'big.pt',
      statePickle([
        { name: 'm', cls: 'FloatStorage', key: '0', numel: 6, shape: [2, 3], stride: [3, 1] },
        { name: 'mt', cls: 'FloatStorage', key: '0', numel: 6, shape: [3, 2], stride: [1, 3] },
        { name: 'col', cls: 'FloatStorage', key: '0', numel: 6, offset: 1, shape: [2], stride: [3] },
        { name: 'h', cls: 'HalfStorage', key: '1', numel: 2, shape: [2], stride: [1] },
      ]),
      { byteorder: Buffer.from('big'), 'data/0': be, 'data/1': half, version: Buffer.from('3\n') },
    );
    const ck = openTorchZip(file);
    expect(ck.readFloat32('m')).toEqual(f32([1, 2, 3, 4, 5, 6]));
    expect(ck.readFloat32('mt')).toEqual(f32([1, 4, 2, 5, 3, 6]));
    expect(ck.readFloat32('col')).toEqual(f32([2, 5]));
    expect(ck.readFloat32('h')).toEqual(f32([1, -2]));
    ck.close();
  });

  it('reads _rebuild_tensor_v3 over an UntypedStorage, listing but refusing float8', () => {
    const p = new PickleWriter();
    p.global('collections', 'OrderedDict').op(0x29, 0x52, 0x28);
    for (const [name, dtype, key, numel] of [
      ['h', 'float16', '0', 4],
      ['f8', 'float8_e4m3fn', '1', 2],
    ] as const) {
      p.str(name).global('torch._utils', '_rebuild_tensor_v3').op(0x28);
      p.op(0x28).str('storage').global('torch', 'UntypedStorage').str(key).str('cpu').int(numel).op(0x74, 0x51);
      p.int(0)
        .tuple([numel / (name === 'h' ? 2 : 1)])
        .tuple([1])
        .op(0x89)
        .global('collections', 'OrderedDict')
        .op(0x29, 0x52);
      p.global('torch', dtype).op(0x74, 0x52);
    }
    const file = craftZip('v3.pt', p.op(0x75).bytes(), { 'data/0': Buffer.from([0x00, 0x3c, 0x00, 0xc4]), 'data/1': Buffer.from([1, 2]) });
    const ck = openTorchZip(file);
    expect(ck.readFloat32('h')).toEqual(f32([1, -4]));
    expect(ck.info('f8')).toEqual({ name: 'f8', dtype: 'F8_E4M3', shape: [2], file });
    expect(errorOf(() => ck.readFloat32('f8'))).toMatch(/\(tensor 'f8'\): unsupported dtype F8_E4M3: only F64, F32/);
    ck.close();
    ck.close(); // idempotent
    expect(errorOf(() => ck.readFloat32('h'))).toBe(`${file} (tensor 'h'): read after the checkpoint was closed`);
  });

  it('refuses unsafe or malformed pickles, naming the file', () => {
    const evil = new PickleWriter().global('os', 'system').str('echo hi').op(0x85, 0x52).bytes();
    const f1 = craftZip('evil.pt', evil);
    expect(errorOf(() => openTorchZip(f1))).toBe(
      `${f1}: archive/data.pkl refuses pickle global 'os.system': only state dicts of plain tensors (OrderedDict, _rebuild_tensor_v2/v3, _rebuild_parameter, torch.*Storage) can be read`,
    );
    const f2 = craftZip('proto4.pt', Buffer.from([0x80, 0x04, 0x95, 0, 0, 0, 0, 0, 0, 0, 0, 0x7d, 0x2e]));
    expect(errorOf(() => openTorchZip(f2))).toBe(`${f2}: archive/data.pkl unsupported pickle opcode 0x95 (FRAME) at byte 2`);
    const quant = statePickle([{ name: 'q', cls: 'QInt8Storage', key: '0', numel: 1, shape: [1], stride: [1] }]);
    expect(errorOf(() => openTorchZip(craftZip('quant.pt', quant, { 'data/0': new Uint8Array(1) })))).toMatch(/refuses pickle global 'torch\.QInt8Storage'/);
    const f3 = craftZip('nostorage.pt', statePickle([{ name: 'w', cls: 'FloatStorage', key: '0', numel: 2, shape: [2], stride: [1] }]));
    expect(errorOf(() => openTorchZip(f3))).toBe(`${f3} (tensor 'w'): storage record archive/data/0 is missing`);
    const f4 = craftZip('overrun.pt', statePickle([{ name: 'w', cls: 'FloatStorage', key: '0', numel: 2, offset: 1, shape: [2], stride: [1] }]), {
      'data/0': new Uint8Array(8),
    });
    expect(errorOf(() => openTorchZip(f4))).toBe(`${f4} (tensor 'w'): the view (offset 1, size [2], stride [1]) runs past its storage's 8 bytes`);
    const f5 = craftZip('short.pt', statePickle([{ name: 'w', cls: 'FloatStorage', key: '0', numel: 2, shape: [2], stride: [1] }]), {
      'data/0': new Uint8Array(4),
    });
    expect(errorOf(() => openTorchZip(f5))).toBe(`${f5} (tensor 'w'): storage record archive/data/0 has 4 bytes, its 2 elements need 8`);
  });

  it('refuses files that are not torch zips, and truncated ones', () => {
    const junk = path.join(dir, 'junk.bin');
    fs.writeFileSync(junk, 'hello world');
    expect(errorOf(() => openTorchZip(junk))).toBe(`${junk}: not a torch.save zip checkpoint (no zip signature)`);
    const tar = Buffer.alloc(1024);
    tar.write('ustar', 257);
    fs.writeFileSync(junk, tar);
    expect(errorOf(() => openTorchZip(junk))).toMatch(/: a pre-0\.4 torch tar checkpoint: load it with torch and re-save it with torch >= 1\.6/);
    const good = path.join(dir, 'rt.pt');
    const cut = path.join(dir, 'cut.pt');
    fs.writeFileSync(cut, fs.readFileSync(good).subarray(0, 300));
    expect(errorOf(() => openTorchZip(cut))).toBe(`${cut}: no zip end-of-central-directory record: the file is truncated or not a zip`);
  });
});

describe.skipIf(!oracle.python)('torch.save zip files against torch', () => {
  let result: Record<string, any>;
  const probe = roundingProbe(12_000, seededRandom(21));
  const ours = (forceZip64: boolean): TensorToWrite[] => [
    { name: 'w.f32', dtype: 'F32', shape: [120, 100], data: probe },
    { name: 'w.f16', dtype: 'F16', shape: [12_000], data: () => probe },
    { name: 'w.bf16', dtype: 'BF16', shape: [3, 4000], data: () => probe },
    { name: forceZip64 ? 'scalar64' : 'scalar', dtype: 'F16', shape: [], data: f32([3.5]) },
  ];
  beforeAll(() => {
    writeF32(path.join(dir, 'probe.f32'), probe);
    writeF32(path.join(dir, 'scalar.f32'), f32([3.5]));
    const manifest = [false, true].map((z) => {
      const file = z ? 'ours64.pt' : 'ours.pt';
      const ts = ours(z);
      writeTorchZip(path.join(dir, file), ts, { forceZip64: z });
      return {
        file,
        format: 'torch',
        tensors: ts.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, src: t.shape.length ? 'probe.f32' : 'scalar.f32' })),
      };
    });
    fs.writeFileSync(path.join(dir, 'ours.json'), JSON.stringify(manifest));
    result = runOracle(dir, ['torch-files', 'verify']);
  });

  it('torch.load and zipfile read our files, ZIP64 forced or not, with torch-identical rounding', () => {
    for (const [file, top, zip64] of [
      ['ours.pt', 'ours', false],
      ['ours64.pt', 'ours64', true],
    ] as const) {
      const r = result.verify[file];
      expect(r.errors, file).toEqual([]);
      expect(r.type).toBe('OrderedDict');
      expect(r.testzip).toBeNull(); // every CRC right
      expect(r.keys).toEqual(ours(zip64).map((t) => t.name));
      expect(r.records).toEqual([0, 1, 2, 3].map((i) => `${top}/data/${i}`).concat([`${top}/data.pkl`, `${top}/byteorder`, `${top}/version`]));
      expect(r.zip64_extra).toBe(zip64);
    }
  });

  it('reads its own ZIP64-forced output', () => {
    const ck = openTorchZip(path.join(dir, 'ours64.pt'));
    expect(ck.readFloat32('w.f32')).toEqual(probe);
    expect(ck.readFloat32('scalar64')).toEqual(f32([3.5]));
    ck.close();
  });

  it('reads torch.save output exactly: every dtype, rank 0, transposed, shared, sliced, expanded, Parameter', () => {
    const file = path.join(dir, 'fixtures.pt');
    // torch's writer always ends with ZIP64 end records, so this also covers reading them.
    const tail = fs.readFileSync(file).subarray(-98);
    expect(tail.readUInt32LE(0)).toBe(0x06064b50);
    const ck = openTorchZip(file);
    const expected = result['torch-files']['fixtures.pt'] as { key: string; shape: number[]; dtype: string; expected: string }[];
    expect(ck.keys()).toEqual(expected.map((e) => e.key));
    const dtypes: Record<string, string> = {
      float32: 'F32',
      float16: 'F16',
      bfloat16: 'BF16',
      float64: 'F64',
      int64: 'I64',
      int32: 'I32',
      int16: 'I16',
      int8: 'I8',
      uint8: 'U8',
      bool: 'BOOL',
    };
    for (const e of expected) {
      expect(ck.info(e.key), e.key).toEqual({ name: e.key, dtype: dtypes[e.dtype], shape: e.shape, file });
      expect(bitsEqual(ck.readFloat32(e.key), readF32(path.join(dir, e.expected))), e.key).toBeUndefined();
    }
    ck.close();
  });

  it('reads a plain dict as well as an OrderedDict', () => {
    const ck = openTorchZip(path.join(dir, 'plain.pt'));
    const expected = result['torch-files']['plain.pt'] as { key: string; expected: string }[];
    expect(ck.keys()).toEqual(['x', 'y']);
    for (const e of expected) expect(bitsEqual(ck.readFloat32(e.key), readF32(path.join(dir, e.expected)))).toBeUndefined();
    ck.close();
  });

  it('refuses legacy, TorchScript, nested and non-tensor checkpoints in one line naming the file', () => {
    const at = (f: string) => path.join(dir, f);
    const resave = 'load it with torch and re-save it with torch >= 1.6 (torch.save(model.state_dict(), path)) or as safetensors';
    expect(errorOf(() => openTorchZip(at('legacy.pt')))).toBe(
      `${at('legacy.pt')}: a legacy (non-zip) torch.save file (torch < 1.6 or _use_new_zipfile_serialization=False): ${resave}`,
    );
    expect(errorOf(() => openTorchZip(at('scripted.pt')))).toBe(`${at('scripted.pt')}: a TorchScript archive (torch.jit.save), not a state dict: ${resave}`);
    expect(errorOf(() => openTorchZip(at('nested.pt')))).toBe(
      `${at('nested.pt')} (tensor 'state_dict'): holds a dict (a nested state dict? save model.state_dict() itself), not a tensor: only flat state dicts of tensors can be read`,
    );
    expect(errorOf(() => openTorchZip(at('with_int.pt')))).toBe(
      `${at('with_int.pt')} (tensor 'step'): holds an int (3), not a tensor: only flat state dicts of tensors can be read`,
    );
    expect(errorOf(() => openTorchZip(at('counter.pt')))).toMatch(/counter\.pt: counter\/data\.pkl refuses pickle global 'collections\.Counter'/);
  });
});
