// Sharded runs as a cluster runs them: separate processes, the shard taken from the scheduler's environment
// (SLURM job array, Kubernetes Indexed Job), one shared --out, then `eve-eval merge`.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../../../../core/records.ts';
import { ROOT, cli } from '../../cli.ts';

const MODELS = ['tiny-fuyu', 'tiny-eve'].map((m) => join(ROOT, 'fixtures/models', m));
const ready = MODELS.every((m) => existsSync(join(m, 'tokenizer.json'))) && existsSync(join(ROOT, 'fixtures/data/pope'));
if (!ready) console.warn('merge e2e: tiny bundles or fixtures/data missing (npm run fixtures); skipped');

// Two models, four benchmarks (sqa has text-only questions), --limit on one of them through the config-free flags.
const ARGS = ['run', '--models', MODELS.join(','), '--benchmarks', 'pope,mme,sqa,seed', '--max-new-tokens', '4', '--batch-size', '3'];

/** Environment without any scheduler variable of this machine's own. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of [
    'SLURM_ARRAY_TASK_ID',
    'SLURM_ARRAY_TASK_COUNT',
    'SLURM_ARRAY_TASK_MIN',
    'SLURM_ARRAY_TASK_STEP',
    'JOB_COMPLETION_INDEX',
    'EVE_EVAL_SHARD_COUNT',
    'RANK',
    'WORLD_SIZE',
  ])
    delete env[k];
  return { ...env, ...extra };
}

const run = (args: string[], env: Record<string, string> = {}) => cli(args, cleanEnv(env));

/** What must be identical: every result but the manifest, and every prediction's id, text and cache key. */
function snapshot(out: string) {
  const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
  const preds: Record<string, string[]> = {};
  for (const m of readdirSync(join(out, 'predictions'))) {
    for (const f of readdirSync(join(out, 'predictions', m))) {
      preds[`${m}/${f}`] = readFileSync(join(out, 'predictions', m, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const x = JSON.parse(l);
          return JSON.stringify([x.id, x.text, x.cacheKey, x.error ?? null]);
        });
    }
  }
  const samples = readdirSync(join(out, 'samples')).map((f) => [f, readFileSync(join(out, 'samples', f), 'utf8')]);
  return { results: r.results, preds, samples };
}

describe.skipIf(!ready)('sharded runs merged (separate processes, scheduler environments)', () => {
  it('2 shards (SLURM array) and 4 shards (Kubernetes Indexed Job) merge to the unsharded run; a missing shard is refused naming its ids', async () => {
    const base = await mkdtemp(join(tmpdir(), 'shards-'));
    const whole = join(base, 'whole');
    const u = await run([...ARGS, '--out', whole]);
    expect(u.status, u.stderr).toBe(0);
    const want = snapshot(whole);
    expect(want.results).toHaveLength(8);

    // SLURM: --array=0-1, run concurrently as the scheduler would.
    const slurm = join(base, 'slurm');
    const two = await Promise.all([0, 1].map((i) => run([...ARGS, '--out', slurm], { SLURM_ARRAY_TASK_ID: String(i), SLURM_ARRAY_TASK_COUNT: '2' })));
    for (const r of two) expect(r.status, r.stderr).toBe(0);
    expect(two[1].stderr).toMatch(/shard 1\/2 \(SLURM_ARRAY_TASK_ID=1 of SLURM_ARRAY_TASK_COUNT=2\)/);
    expect(readdirSync(join(slurm, 'shards')).sort()).toEqual(['0-of-2', '1-of-2']);
    const m2 = await run(['merge', slurm]);
    expect(m2.status, m2.stderr).toBe(0);
    expect(snapshot(slurm)).toEqual(want);

    // Kubernetes Indexed Job: 4 completions; two at a time (the 2-core machine), as parallelism: 2 would.
    const k8s = join(base, 'k8s');
    for (const pair of [
      [0, 1],
      [2, 3],
    ]) {
      const rs = await Promise.all(pair.map((i) => run([...ARGS, '--out', k8s], { JOB_COMPLETION_INDEX: String(i), EVE_EVAL_SHARD_COUNT: '4' })));
      for (const r of rs) expect(r.status, r.stderr).toBe(0);
    }
    // Before the merge, remove one shard: refused with its ids, exit 2, nothing merged.
    const full3 = join(base, 'k8s-3');
    rmSync(full3, { recursive: true, force: true });
    const shard3 = join(k8s, 'shards', '3-of-4');
    const ids3 = readFileSync(join(shard3, 'predictions', 'tiny-eve', 'pope.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).id as string);
    expect(ids3.length).toBeGreaterThan(0);
    const { renameSync } = await import('node:fs');
    renameSync(shard3, full3);
    const refused = await run(['merge', k8s]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/merge refused/);
    expect(refused.stderr).toMatch(
      new RegExp(`tiny-eve pope/test: ${ids3.length} of \\d+ samples have no prediction \\(in 3-of-4\\): ${ids3.slice(0, 3).join(', ')}`),
    );
    expect(existsSync(join(k8s, 'results.json'))).toBe(false);
    const missing = readFileSync(join(k8s, 'merge-missing.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(missing.filter((m) => m.model === 'tiny-eve' && m.benchmark === 'pope').map((m) => m.id)).toEqual(ids3);
    // Back in place: the merge goes through and equals the unsharded run.
    renameSync(full3, shard3);
    const m4 = await run(['merge', k8s]);
    expect(m4.status, m4.stderr).toBe(0);
    expect(snapshot(k8s)).toEqual(want);
    expect(existsSync(join(k8s, 'merge-missing.jsonl'))).toBe(false);
    const manifest = (JSON.parse(readFileSync(join(k8s, 'results.json'), 'utf8')) as ResultsFile).manifest.config as { mergedShards: number };
    expect(manifest.mergedShards).toBe(4);
  });

  it('--devices 0,1 runs one shard per device and merges, equal to the unsharded run with --limit', async () => {
    const base = await mkdtemp(join(tmpdir(), 'devices-'));
    const args = [...ARGS.slice(0, 2), MODELS[0], '--benchmarks', 'pope,sqa', '--max-new-tokens', '4', '--limit', '7'];
    const u = await run([...args, '--out', join(base, 'whole')]);
    expect(u.status, u.stderr).toBe(0);
    const d = await run([...args, '--out', join(base, 'dev'), '--devices', '0,1']);
    expect(d.status, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/\[shard 1 \/ device 1\]/);
    const a = snapshot(join(base, 'whole'));
    const b = snapshot(join(base, 'dev'));
    expect(b).toEqual(a);
    // --limit 7 of a larger set is marked on the merged results as on the unsharded ones.
    expect(b.results[0].subset).toMatch(/^7 of \d+ samples \(--limit 7\)$/);
  });
});
