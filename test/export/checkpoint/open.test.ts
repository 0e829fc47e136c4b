import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../../export/checkpoint/open.ts';
import { planShards, writeShardedCheckpoint } from '../../../export/checkpoint/shards.ts';
import type { Checkpoint, TensorToWrite } from '../../../export/checkpoint/types.ts';
import { bitsEqual, oracle, readF32, runOracle, tempDir, errorOf, f32 } from './oracle.ts';

const dir = tempDir('open');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every tensor of `ck` as a lazy writer entry: what a conversion or benchmark writer does. */
const lazyTensors = (ck: Checkpoint): TensorToWrite[] =>
  ck.keys().map((k) => ({ name: k, dtype: 'F32', shape: ck.info(k)!.shape, data: () => ck.readFloat32(k) }));

function copyDir(from: string, to: string): string {
  fs.cpSync(from, to, { recursive: true });
  return to;
}

describe('writeShardedCheckpoint / openCheckpoint (no Python)', () => {
  const t = (name: string, n: number, dtype: 'F32' | 'F16' = 'F32'): TensorToWrite => ({
    name,
    dtype,
    shape: [n],
    data: () => Float32Array.from({ length: n }, (_, i) => i + name.length),
  });

  it('plans shards like huggingface_hub: in order, an oversized tensor alone', () => {
    // bytes: 40, 40, 120 (over the limit: a shard of its own, emitted at once), 20, 40
    const plan = planShards([t('a', 10), t('b', 10), t('c', 30), t('d', 5), t('e', 10)], 80);
    expect(plan.map((s) => s.map((x) => x.name))).toEqual([['c'], ['a', 'b'], ['d', 'e']]);
    const plan2 = planShards([t('a', 10), t('big', 100), t('b', 10)], 80);
    expect(plan2.map((s) => s.map((x) => x.name))).toEqual([['big'], ['a', 'b']]);
  });

  for (const format of ['bin', 'safetensors'] as const) {
    it(`writes ${format} shards plus an index, or one file, and removes stale weights`, () => {
      const out = path.join(dir, `w-${format}`);
      const tensors = [t('x.weight', 100), t('y.weight', 100), t('z.half', 50, 'F16')];
      const r = writeShardedCheckpoint(out, format, tensors, { maxShardBytes: 500 });
      const base = format === 'bin' ? 'pytorch_model' : 'model';
      const ext = format === 'bin' ? 'bin' : 'safetensors';
      expect(r.files.map((f) => path.basename(f))).toEqual([`${base}-00001-of-00002.${ext}`, `${base}-00002-of-00002.${ext}`, `${base}.${ext}.index.json`]);
      expect(r.totalSize).toBe(900);
      const index = fs.readFileSync(path.join(out, `${base}.${ext}.index.json`), 'utf8');
      expect(JSON.parse(index)).toEqual({
        metadata: { total_size: 900 },
        weight_map: { 'x.weight': `${base}-00001-of-00002.${ext}`, 'y.weight': `${base}-00002-of-00002.${ext}`, 'z.half': `${base}-00002-of-00002.${ext}` },
      });
      expect(index.startsWith('{\n  "metadata": {\n    "total_size": 900\n  },\n  "weight_map": {\n    "x.weight": ')).toBe(true);
      let ck = openCheckpoint(out);
      expect([...ck.keys()].sort()).toEqual(['x.weight', 'y.weight', 'z.half']);
      expect(ck.readFloat32('z.half')).toEqual(Float32Array.from({ length: 50 }, (_, i) => i + 6));
      expect(path.basename(ck.info('y.weight')!.file)).toBe(`${base}-00002-of-00002.${ext}`);
      ck.close();

      writeShardedCheckpoint(out, format, tensors, { maxShardBytes: 10_000 });
      expect(fs.readdirSync(out).sort()).toEqual([`${base}.${ext}`]);
      ck = openCheckpoint(out);
      expect(ck.readFloat32('x.weight')).toEqual(Float32Array.from({ length: 100 }, (_, i) => i + 8));
      ck.close();
    });
  }

  it('refuses a folder without a checkpoint and a missing path', () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    expect(errorOf(() => openCheckpoint(empty))).toBe(
      `${empty}: no checkpoint: expected one of model.safetensors, model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json`,
    );
    expect(errorOf(() => openCheckpoint(path.join(dir, 'nowhere')))).toBe(`${path.join(dir, 'nowhere')}: no such file or folder`);
  });

  it('checks the index: a missing shard, a key absent from its shard, a name outside the folder', () => {
    const out = path.join(dir, 'idx');
    writeShardedCheckpoint(out, 'safetensors', [t('a', 100), t('b', 100)], { maxShardBytes: 400 });
    const indexFile = path.join(out, 'model.safetensors.index.json');
    const index = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
    const write = (wm: Record<string, string>) => fs.writeFileSync(indexFile, JSON.stringify({ ...index, weight_map: wm }));
    write({ ...index.weight_map, c: 'model-00003-of-00002.safetensors' });
    expect(errorOf(() => openCheckpoint(out))).toBe(`${indexFile}: names model-00003-of-00002.safetensors, which does not exist`);
    write({ ...index.weight_map, b: 'model-00001-of-00002.safetensors' });
    expect(errorOf(() => openCheckpoint(out))).toBe(
      `${path.join(out, 'model-00001-of-00002.safetensors')} (tensor 'b'): listed in model.safetensors.index.json but missing from this shard`,
    );
    write({ a: '../idx/model-00001-of-00002.safetensors/../../x' });
    expect(errorOf(() => openCheckpoint(out))).toMatch(/is not a file next to the index$/);
    fs.writeFileSync(indexFile, '{"weight_map": ');
    expect(errorOf(() => openCheckpoint(out))).toMatch(new RegExp(`^${indexFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
  });
});

describe.skipIf(!oracle.python || !oracle.transformers)('sharded checkpoints against transformers save_pretrained', () => {
  let expected: { key: string; shape: number[]; expected: string }[];
  let reload: Record<string, any>;
  const hfBin = path.join(dir, 'hf-bin');
  const hfSt = path.join(dir, 'hf-st');
  beforeAll(() => {
    expected = runOracle(dir, ['hf']).hf;
    // Re-shard HF's own checkpoint with our writer, streaming tensor by tensor from our reader.
    for (const [from, to, format] of [
      [hfBin, 'ours-bin', 'bin'],
      [hfSt, 'ours-st', 'safetensors'],
    ] as const) {
      const ck = openCheckpoint(from);
      writeShardedCheckpoint(path.join(dir, to), format, lazyTensors(ck), { maxShardBytes: 200_000 });
      ck.close();
      fs.copyFileSync(path.join(from, 'config.json'), path.join(dir, to, 'config.json'));
    }
    const src = Object.fromEntries(expected.map((e) => [e.key, e.expected]));
    const manifest = [
      ['ours-bin', 'pytorch_model.bin.index.json'],
      ['ours-st', 'model.safetensors.index.json'],
    ].map(([file, index]) => ({
      file,
      index,
      format: 'sharded',
      tensors: expected.map((e) => ({ name: e.key, dtype: 'F32', shape: e.shape, src: src[e.key] })),
    }));
    fs.writeFileSync(path.join(dir, 'ours.json'), JSON.stringify(manifest));
    reload = runOracle(dir, ['hf-reload', 'verify']);
  });

  for (const [label, folder] of [
    ['bin', hfBin],
    ['safetensors', hfSt],
  ] as const) {
    it(`reads every key of a ${label} save_pretrained folder (several shards), values equal to the state dict`, () => {
      const shards = fs.readdirSync(folder).filter((f) => /-0000\d-of-0000\d\./.test(f));
      expect(shards.length).toBeGreaterThan(2);
      const ck = openCheckpoint(folder);
      expect([...ck.keys()].sort()).toEqual(expected.map((e) => e.key).sort());
      if (label === 'bin') expect(ck.keys()).toEqual(expected.map((e) => e.key)); // shards in order, torch.save keeps insertion order
      for (const e of expected) {
        expect(ck.info(e.key)?.shape).toEqual(e.shape);
        expect(bitsEqual(ck.readFloat32(e.key), readF32(path.join(dir, e.expected))), e.key).toBeUndefined();
      }
      ck.close();
    });
  }

  it('transformers loads the folders our writer re-sharded, identical to the original model', () => {
    for (const name of ['ours-bin', 'ours-st']) {
      expect(reload['hf-reload'][name]).toEqual({ keys: expected.length, mismatched: [] });
      expect(reload.verify[name].errors).toEqual([]);
    }
    const hfIndex = JSON.parse(fs.readFileSync(path.join(hfBin, 'pytorch_model.bin.index.json'), 'utf8'));
    const ourIndex = JSON.parse(fs.readFileSync(path.join(dir, 'ours-bin', 'pytorch_model.bin.index.json'), 'utf8'));
    expect(ourIndex).toEqual(hfIndex); // same split, same names, same total_size
  });

  it('opens a single model.safetensors, a lone shard, an index path; prefers safetensors', () => {
    let ck = openCheckpoint(path.join(dir, 'hf-single'));
    expect(ck.keys().length).toBe(expected.length);
    expect(path.basename(ck.info(expected[0].key)!.file)).toBe('model.safetensors');
    ck.close();
    const lone = path.join(hfBin, fs.readdirSync(hfBin).find((f) => f.endsWith('.bin'))!);
    ck = openCheckpoint(lone);
    expect(ck.keys().length).toBeGreaterThan(0);
    ck.close();
    ck = openCheckpoint(path.join(hfSt, 'model.safetensors.index.json'));
    expect(ck.keys().length).toBe(expected.length);
    ck.close();
    const both = copyDir(hfBin, path.join(dir, 'both'));
    for (const f of fs.readdirSync(hfSt)) fs.copyFileSync(path.join(hfSt, f), path.join(both, f));
    ck = openCheckpoint(both);
    expect(ck.keys().every((k) => ck.info(k)!.file.endsWith('.safetensors'))).toBe(true);
    ck.close();
  });

  it('names the shard when one is truncated', () => {
    for (const [folder, ext, re] of [
      [hfSt, 'safetensors', /: truncated: the header needs \d+ bytes, the file has \d+$/],
      [hfBin, 'bin', /: no zip end-of-central-directory record: the file is truncated or not a zip$/],
    ] as const) {
      const bad = copyDir(folder, path.join(dir, `trunc-${ext}`));
      const shard = path.join(
        bad,
        fs
          .readdirSync(bad)
          .filter((f) => f.endsWith(`.${ext}`))
          .sort()[1],
      );
      fs.truncateSync(shard, fs.statSync(shard).size - 100);
      const msg = errorOf(() => openCheckpoint(bad));
      expect(msg.startsWith(`${shard}: `)).toBe(true);
      expect(msg).toMatch(re);
    }
  });

  it('names the index and the file when a shard is missing', () => {
    const bad = copyDir(hfBin, path.join(dir, 'missing'));
    const shard = fs
      .readdirSync(bad)
      .filter((f) => f.endsWith('.bin'))
      .sort()[0];
    fs.rmSync(path.join(bad, shard));
    expect(errorOf(() => openCheckpoint(bad))).toBe(`${path.join(bad, 'pytorch_model.bin.index.json')}: names ${shard}, which does not exist`);
  });

  it('reads single-value shards it wrote itself', () => {
    const out = path.join(dir, 'tiny');
    writeShardedCheckpoint(out, 'bin', [{ name: 's', dtype: 'BF16', shape: [], data: f32([1.5]) }], { maxShardBytes: 1 });
    const ck = openCheckpoint(out);
    expect(ck.readFloat32('s')).toEqual(f32([1.5]));
    ck.close();
  });
});
