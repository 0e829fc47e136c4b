import { describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../../harness/runner/evaluate.ts';
import { mergeShards } from '../../../harness/runner/merge.ts';
import { resolveConfig, type ResolvedConfig } from '../../../harness/config.ts';
import { Progress } from '../../../harness/runner/progress.ts';
import { shardOf } from '../../../harness/runner/shard.ts';
import type { ResultsFile } from '../../../core/records.ts';
import { FakeBackend, fakeAdapter, writeFakeData } from './fakes.ts';

const adapters = { pope: fakeAdapter({ id: 'pope' }), mme: fakeAdapter({ id: 'mme' }) };
// Right on even numbers only, so the scores are neither 0 nor 100 and depend on every answer.
const backend = () =>
  new FakeBackend('fake-model', 'fp-1', 4, (it) => ({ text: Number(/(\d+)/.exec(it.prompt)![1]) % 2 ? 'wrong' : /(\d+)/.exec(it.prompt)![1] }));
const quiet = () => ({ log: () => {}, progress: new Progress({ out: { write: () => true }, live: false }), adapters, makeBackend: async () => backend() });

async function setUp() {
  const data = await mkdtemp(join(tmpdir(), 'merge-data-'));
  await writeFakeData(data, 23);
  const config = async (out: string, extra: Partial<ResolvedConfig> = {}) => ({
    ...(await resolveConfig({ data, out, benchmarks: ['pope', 'mme'], batchSize: 4 })),
    models: [{ kind: 'bundle' as const, name: 'fake-model', path: '/nowhere', precision: 'fp32' }],
    ...extra,
  });
  return { data, config };
}

const results = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as ResultsFile).results;

describe('mergeShards', () => {
  it('three shards merged score exactly as the unsharded run; a shard from other data, or a doubled id, is refused', async () => {
    const { config } = await setUp();
    const whole = await mkdtemp(join(tmpdir(), 'merge-whole-'));
    await evaluate(await config(whole), quiet());
    const out = await mkdtemp(join(tmpdir(), 'merge-out-'));
    for (let i = 0; i < 3; i++) await evaluate(await config(out, { shard: { index: i, count: 3 } }), quiet());
    const merged = await mergeShards(out, { adapters, log: () => {} });
    expect(merged.results.results).toEqual(results(join(whole, 'results.json')));
    expect(merged.samples).toBe(46);
    expect(
      readFileSync(join(out, 'predictions/fake-model/pope.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).text),
    ).toEqual(
      readFileSync(join(whole, 'predictions/fake-model/pope.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).text),
    );

    // An id answered in two shards (a shard run with another count, copied in): refused, naming it.
    const shard1 = join(out, 'shards/1-of-3/predictions/fake-model/pope.jsonl');
    const before = readFileSync(shard1, 'utf8');
    const foreign = readFileSync(join(out, 'shards/0-of-3/predictions/fake-model/pope.jsonl'), 'utf8').split('\n')[0];
    const id = JSON.parse(foreign).id as string;
    expect(shardOf(id, 3)).toBe(0);
    appendFileSync(shard1, `${foreign}\n`);
    await expect(mergeShards(out, { adapters, log: () => {} })).rejects.toThrow(
      new RegExp(`fake-model pope/test: 1 samples are in more than one shard: ${id} \\(0-of-3, 1-of-3\\)`),
    );
    writeFileSync(shard1, before);

    // A shard whose question files differ (another copy of the data): its answers do not belong here.
    const r2 = join(out, 'shards/2-of-3/results.json');
    const original = readFileSync(r2, 'utf8');
    const file = JSON.parse(original) as ResultsFile;
    const key = Object.keys(file.manifest.dataFiles)[0];
    file.manifest.dataFiles[key] = '0'.repeat(64);
    writeFileSync(r2, JSON.stringify(file));
    await expect(mergeShards(out, { adapters, log: () => {} })).rejects.toThrow(/2-of-3: ran with other data files \(sha256\)/);
    writeFileSync(r2, original);
    // Merging on a machine that mounts the data elsewhere: --data, else one clear line.
    await expect(mergeShards(out, { adapters, log: () => {}, data: '/no/such/data' })).rejects.toThrow(
      /\/no\/such\/data .*does not exist here: give merge --data DIR/,
    );
  });

  it('refuses an OUT without shards, and shards of two different counts', async () => {
    const { config } = await setUp();
    const out = await mkdtemp(join(tmpdir(), 'merge-bad-'));
    await expect(mergeShards(out, { adapters })).rejects.toThrow(/no shards\/ folder/);
    await evaluate(await config(out, { shard: { index: 0, count: 2 } }), quiet());
    await evaluate(await config(out, { shard: { index: 0, count: 3 } }), quiet());
    await expect(mergeShards(out, { adapters })).rejects.toThrow(/shards of different counts \(2, 3\)/);
  });
});
