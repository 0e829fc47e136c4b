import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardFromEnv, shardOf } from '../../../harness/runner/shard.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
async function* gen(ids: string[]) {
  for (const id of ids) yield { id };
}

describe('shards', () => {
  it('parses i/n, 0-based, and refuses what is not a shard', () => {
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    for (const bad of ['4/4', '1/0', '-1/2', 'a/b', '1', '1/2/3']) expect(() => parseShard(bad), bad).toThrow(/--shard/);
  });

  it('partitions every id into exactly one of n shards, whatever the order, and spreads them', async () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `q${i}`);
    for (const n of [2, 3, 4, 7]) {
      const parts = await Promise.all(Array.from({ length: n }, (_, i) => collect(inShard(gen(ids), { index: i, count: n }))));
      const all = parts
        .flat()
        .map((s) => s.id)
        .sort();
      expect(all).toEqual([...ids].sort());
      for (const p of parts) expect(p.length).toBeGreaterThan(2000 / n / 1.3);
      // Reordering the input moves no id to another shard.
      const reversed = await collect(inShard(gen([...ids].reverse()), { index: 0, count: n }));
      expect(reversed.map((s) => s.id).sort()).toEqual(parts[0].map((s) => s.id).sort());
    }
    expect(shardOf('q17', 4)).toBe(shardOf('q17', 4));
  });

  it('reads the slice from SLURM, Kubernetes and torchrun environments', () => {
    expect(shardFromEnv({})).toBeUndefined();
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' })?.shard).toEqual({ index: 2, count: 4 });
    // --array=1-7:2 → ids 1,3,5,7: the third task is shard 2 of 4.
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '4' })?.shard).toEqual({
      index: 2,
      count: 4,
    });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '1', EVE_EVAL_SHARD_COUNT: '2' })?.shard).toEqual({ index: 1, count: 2 });
    expect(shardFromEnv({ RANK: '3', WORLD_SIZE: '8' })?.shard).toEqual({ index: 3, count: 8 });
    expect(shardFromEnv({ RANK: '0', WORLD_SIZE: '1' })).toBeUndefined();
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '1' })).toThrow(/EVE_EVAL_SHARD_COUNT/);
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '1' })).toThrow(/SLURM_ARRAY_TASK_COUNT/);
    expect(() => shardFromEnv({ RANK: '1' })).toThrow(/WORLD_SIZE/);
    expect(() => shardFromEnv({ RANK: '4', WORLD_SIZE: '4' })).toThrow(/from 0 to 3/);
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '2' })).toThrow(/integer/);
  });
});
