// Sharded runs: `--shard i/n` (0-based, as SLURM array ids, Kubernetes completion indexes and torch ranks
// are) takes a stable slice of every benchmark, so n machines can each run one slice into one shared --out.
//
// A sample belongs to shard sha256(id) mod n. Why a hash of the id and not index mod n: the slice then
// depends on nothing but the id, so it is the same on every machine whatever the order a reader yields,
// a question file that gains lines leaves every earlier sample in its shard (a resumed shard redoes
// nothing), and --limit (applied before the slice, to the first N samples in file order) keeps the union
// of the shards equal to the unsharded run. The cost is balance: shards differ by a few samples.
//
// Each shard writes into its own folder OUT/shards/<i>-of-<n>/ (a complete run directory with its own
// lock), so no file has two writers; `eve-eval merge OUT` joins them into OUT itself.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { UserError } from '../../core/errors.ts';

export interface Shard {
  index: number;
  count: number;
}

export const SHARDS_DIR = 'shards';

export function shardName(s: Shard): string {
  return `${s.index}-of-${s.count}`;
}

/** OUT/shards/<i>-of-<n>: the run directory of one shard. */
export function shardDir(out: string, s: Shard): string {
  return join(out, SHARDS_DIR, shardName(s));
}

/** The shard a sample id belongs to among `count`. */
export function shardOf(id: string, count: number): number {
  // 48 bits of the hash: exact in a double, and uniform enough mod any shard count in use.
  return Number.parseInt(createHash('sha256').update(id).digest('hex').slice(0, 12), 16) % count;
}

function check(index: number, count: number, where: string): Shard {
  if (!Number.isInteger(count) || count < 1) throw new UserError(`${where}: the shard count must be a positive integer (got ${count})`);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new UserError(`${where}: the shard index must be an integer from 0 to ${count - 1} (got ${index})`);
  }
  return { index, count };
}

/** `--shard i/n`, 0 ≤ i < n. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UserError(`--shard must be i/n, e.g. 0/4 (got "${text}")`);
  return check(Number(m[1]), Number(m[2]), '--shard');
}

const int = (env: NodeJS.ProcessEnv, name: string): number | undefined => {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UserError(`environment variable ${name} must be an integer (got "${v}")`);
  return n;
};

/**
 * The shard a scheduler gave this process, from its environment; undefined when none did (or a world of 1).
 * SLURM job array: SLURM_ARRAY_TASK_ID, counted from SLURM_ARRAY_TASK_MIN in steps of SLURM_ARRAY_TASK_STEP,
 * out of SLURM_ARRAY_TASK_COUNT. Kubernetes Indexed Job: JOB_COMPLETION_INDEX, out of EVE_EVAL_SHARD_COUNT
 * (the Job API puts no count into a pod's environment: the manifest sets it to spec.completions).
 * torchrun and friends: RANK out of WORLD_SIZE.
 */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): { shard: Shard; source: string } | undefined {
  const slurmId = int(env, 'SLURM_ARRAY_TASK_ID');
  if (slurmId !== undefined) {
    const min = int(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
    const step = int(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
    const count = int(env, 'SLURM_ARRAY_TASK_COUNT');
    if (count === undefined) throw new UserError('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: give --shard i/n');
    if (step < 1 || (slurmId - min) % step !== 0)
      throw new UserError(`SLURM_ARRAY_TASK_ID ${slurmId} is not on the array's grid (min ${min}, step ${step}): give --shard i/n`);
    return { shard: check((slurmId - min) / step, count, 'SLURM_ARRAY_TASK_ID'), source: `SLURM_ARRAY_TASK_ID=${slurmId} of SLURM_ARRAY_TASK_COUNT=${count}` };
  }
  const k8s = int(env, 'JOB_COMPLETION_INDEX');
  if (k8s !== undefined) {
    const count = int(env, 'EVE_EVAL_SHARD_COUNT');
    if (count === undefined)
      throw new UserError("JOB_COMPLETION_INDEX is set but EVE_EVAL_SHARD_COUNT is not: set it to the Job's completions, or give --shard i/n");
    return { shard: check(k8s, count, 'JOB_COMPLETION_INDEX'), source: `JOB_COMPLETION_INDEX=${k8s} of EVE_EVAL_SHARD_COUNT=${count}` };
  }
  const rank = int(env, 'RANK');
  const world = int(env, 'WORLD_SIZE');
  if (rank !== undefined || world !== undefined) {
    if (rank === undefined || world === undefined) throw new UserError('only one of RANK and WORLD_SIZE is set: set both, or give --shard i/n');
    if (world === 1) return undefined;
    return { shard: check(rank, world, 'RANK'), source: `RANK=${rank} of WORLD_SIZE=${world}` };
  }
  return undefined;
}

/** The samples of one shard, in file order. */
export async function* inShard<T extends { id: string }>(samples: AsyncIterable<T>, shard: Shard | undefined): AsyncIterable<T> {
  for await (const s of samples) if (!shard || shardOf(s.id, shard.count) === shard.index) yield s;
}
