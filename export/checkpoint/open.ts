// A checkpoint folder as the hub publishes it (one file or shards plus an index), or a single file.
import fs from 'node:fs';
import path from 'node:path';
import { CheckpointError } from './errors.ts';
import { closeFile, openForRead, readBytes } from './fileio.ts';
import { openSafetensors } from './safetensors.ts';
import { isZip, legacyFormat, openTorchZip } from './torch.ts';
import type { Checkpoint, TensorInfo } from './types.ts';

// transformers' own lookup order: safetensors before pickles, a single file before an index.
const CANDIDATES = ['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin', 'pytorch_model.bin.index.json'];

export function openCheckpoint(dir: string): Checkpoint {
  const abs = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new CheckpointError(abs, undefined, 'no such file or folder');
  }
  if (st.isFile()) return abs.endsWith('.index.json') ? openIndex(abs) : openTensorFile(abs);
  const found = CANDIDATES.find((name) => fs.existsSync(path.join(abs, name)));
  if (!found) throw new CheckpointError(abs, undefined, `no checkpoint: expected one of ${CANDIDATES.join(', ')}`);
  const file = path.join(abs, found);
  return found.endsWith('.index.json') ? openIndex(file) : openTensorFile(file);
}

/** One safetensors or torch.save file, told apart by content rather than by name. */
export function openTensorFile(file: string): Checkpoint {
  const f = openForRead(file);
  let head: Uint8Array;
  try {
    head = readBytes(f, Math.min(f.size, 512), 0);
  } finally {
    closeFile(f);
  }
  if (isZip(head) || legacyFormat(head) !== undefined) return openTorchZip(file);
  return openSafetensors(file);
}

function openIndex(indexFile: string): Checkpoint {
  const dir = path.dirname(indexFile);
  const fail = (detail: string) => new CheckpointError(indexFile, undefined, detail);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
  } catch (e) {
    throw fail(`not valid JSON (${(e as Error).message})`);
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw fail('no "weight_map" object');
  const byShard = new Map<string, string[]>();
  for (const [key, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string') throw fail(`weight_map["${key}"] is not a file name`);
    const list = byShard.get(shard) ?? [];
    list.push(key);
    byShard.set(shard, list);
  }
  for (const shard of byShard.keys()) {
    const file = path.resolve(dir, shard);
    if (path.dirname(file) !== dir) throw fail(`shard ${shard} is not a file next to the index`);
    if (!fs.existsSync(file)) throw fail(`names ${shard}, which does not exist`);
  }

  const opened: Checkpoint[] = [];
  const owner = new Map<string, Checkpoint>();
  const keys: string[] = [];
  try {
    // Shard names sort in shard order, so keys come out in the state dict's order.
    for (const [shard, wanted] of [...byShard].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const file = path.join(dir, shard);
      const ck = openTensorFile(file);
      opened.push(ck);
      const want = new Set(wanted);
      for (const key of wanted) {
        if (!ck.info(key)) throw new CheckpointError(file, key, `listed in ${path.basename(indexFile)} but missing from this shard`);
      }
      // The index is authoritative: a shard's tensors it does not list are not part of the checkpoint.
      for (const key of ck.keys()) {
        if (!want.has(key)) continue;
        keys.push(key);
        owner.set(key, ck);
      }
    }
  } catch (e) {
    for (const ck of opened) ck.close();
    throw e;
  }
  return {
    dir,
    keys: () => [...keys],
    info: (name): TensorInfo | undefined => owner.get(name)?.info(name),
    readFloat32(name) {
      const ck = owner.get(name);
      if (!ck) throw new CheckpointError(indexFile, name, 'no such tensor in the weight map');
      return ck.readFloat32(name);
    },
    close: () => opened.forEach((ck) => ck.close()),
  };
}
