// Sharded checkpoints as transformers' save_pretrained writes them: shards filled in order, a new one started
// when the next tensor would overflow, plus an index whose total_size counts tensor bytes.
import fs from 'node:fs';
import path from 'node:path';
import { writeSafetensors } from './safetensors.ts';
import { checkTensors, tensorBytes } from './writable.ts';
import { writeTorchZip } from './torch.ts';
import type { TensorToWrite } from './types.ts';

export type ShardFormat = 'bin' | 'safetensors';

const NAMES: Record<ShardFormat, { single: string; stem: string; ext: string; index: string }> = {
  bin: { single: 'pytorch_model.bin', stem: 'pytorch_model', ext: 'bin', index: 'pytorch_model.bin.index.json' },
  safetensors: { single: 'model.safetensors', stem: 'model', ext: 'safetensors', index: 'model.safetensors.index.json' },
};

/** Splits like huggingface_hub's split_torch_state_dict_into_shards: order kept, an oversized tensor alone. */
export function planShards<T extends Pick<TensorToWrite, 'dtype' | 'shape'>>(tensors: T[], maxShardBytes: number): T[][] {
  const shards: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const t of tensors) {
    const b = tensorBytes(t);
    if (b > maxShardBytes) {
      shards.push([t]);
      continue;
    }
    if (size + b > maxShardBytes && current.length) {
      shards.push(current);
      current = [];
      size = 0;
    }
    current.push(t);
    size += b;
  }
  if (current.length || shards.length === 0) shards.push(current);
  return shards;
}

/**
 * Writes `dir/pytorch_model-0000N-of-0000M.bin` or `dir/model-0000N-of-0000M.safetensors` and the index, or one
 * unindexed file when everything fits in a shard. The plan needs every shape first, so the tensors are listed up
 * front; give `data` as functions and only one tensor's values are ever in memory. Earlier weights of the same
 * format in `dir` are removed, as save_pretrained does, so a stale file can never be loaded instead.
 */
export function writeShardedCheckpoint(
  dir: string,
  format: ShardFormat,
  tensors: Iterable<TensorToWrite>,
  opts: { maxShardBytes: number },
): { files: string[]; totalSize: number } {
  const names = NAMES[format];
  const list = checkTensors(dir, tensors);
  const shards = planShards(list, opts.maxShardBytes);
  const m = shards.length;
  const pad = (i: number) => String(i).padStart(5, '0');
  const files = m === 1 ? [names.single] : shards.map((_, i) => `${names.stem}-${pad(i + 1)}-of-${pad(m)}.${names.ext}`);
  fs.mkdirSync(dir, { recursive: true });
  removeStale(dir, format, new Set(m === 1 ? files : [...files, names.index]));
  const weightMap = new Map<string, string>();
  shards.forEach((shard, i) => {
    const file = path.join(dir, files[i]);
    if (format === 'bin') writeTorchZip(file, shard);
    else writeSafetensors(file, shard, { metadata: { format: 'pt' } });
    for (const t of shard) weightMap.set(t.name, files[i]);
  });
  const totalSize = list.reduce((s, t) => s + tensorBytes(t), 0);
  if (m > 1) {
    fs.writeFileSync(path.join(dir, names.index), indexJson(totalSize, weightMap));
    files.push(names.index);
  }
  return { files: files.map((f) => path.join(dir, f)), totalSize };
}

/** Laid out like Python's json.dumps(index, indent=2, sort_keys=True) + "\n". */
function indexJson(totalSize: number, weightMap: Map<string, string>): string {
  const keys = [...weightMap.keys()].sort();
  const lines = keys.map((k) => `    ${JSON.stringify(k)}: ${JSON.stringify(weightMap.get(k))}`);
  return `{\n  "metadata": {\n    "total_size": ${totalSize}\n  },\n  "weight_map": {\n${lines.join(',\n')}\n  }\n}\n`;
}

function removeStale(dir: string, format: ShardFormat, keep: Set<string>): void {
  const { stem, ext } = NAMES[format];
  const pattern = new RegExp(`^${stem}(-\\d{5}-of-\\d{5})?\\.${ext}(\\.index\\.json)?$`);
  for (const name of fs.readdirSync(dir)) {
    if (pattern.test(name) && !keep.has(name)) fs.rmSync(path.join(dir, name), { force: true });
  }
}
