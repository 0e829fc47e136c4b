import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DATA, EMBEDDED_MAX_NEW_TOKENS, redactConfig, resolveConfig } from '../../harness/config.ts';
import { InputError, UserError } from '../../core/errors.ts';

async function cfg(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-'));
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('config', () => {
  it('no flags: the embedded default (tiny models, fixtures, capped generation)', async () => {
    const c = await resolveConfig({});
    expect(c.embedded).toBe(true);
    expect(c.models.map((m) => m.name)).toEqual(['tiny-eve', 'tiny-fuyu', 'tiny-llava']);
    expect(c.benchmarks).toHaveLength(10);
    expect(c.data).toBe(DEFAULT_DATA);
    expect(c.out.endsWith(join('runs', 'default'))).toBe(true);
    expect(c.maxNewTokens).toBe(EMBEDDED_MAX_NEW_TOKENS);
    expect(c.device).toBe('cpu');
  });

  it('flags override the file, and relative paths in the file are relative to it', async () => {
    const file = await cfg(
      'c.json',
      JSON.stringify({
        models: ['bundles/eve', { name: 'vllm-llava', url: 'http://127.0.0.1:8000/v1', model: 'llava', apiKeyEnv: 'MY_KEY' }],
        benchmarks: ['pope', 'mme'],
        data: 'data',
        splits: { pope: 'random' },
        options: { batchSize: 2, concurrency: 3 },
      }),
    );
    const c = await resolveConfig({ config: file, batchSize: 8, benchmarks: ['gqa'] });
    expect(c.embedded).toBe(false);
    expect(c.batchSize).toBe(8);
    expect(c.concurrency).toBe(3);
    expect(c.benchmarks).toEqual(['gqa']);
    expect(c.splits).toEqual({ pope: 'random' });
    expect(c.maxNewTokens).toBeNull(); // real runs keep the published budget
    expect(c.models[0]).toMatchObject({ kind: 'bundle', name: 'eve', path: join(file, '..', 'bundles', 'eve') });
    expect(c.models[1]).toMatchObject({ kind: 'remote', name: 'vllm-llava', apiKeyEnv: 'MY_KEY' });
    expect(c.data).toBe(join(file, '..', 'data'));
  });

  it('a bad field is a one-line error naming the file and the field', async () => {
    const file = await cfg('bad.json', JSON.stringify({ models: ['a', { name: 'x', url: 'not a url', model: 'm' }] }));
    const err = await resolveConfig({ config: file }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain('bad.json');
    expect(err.message).toContain('models.1');
    const file2 = await cfg('b2.json', JSON.stringify({ benchmarks: ['pope', 'mmmu'] }));
    await expect(resolveConfig({ config: file2 })).rejects.toThrow(/b2\.json \(benchmarks\.1\)/);
  });

  it('refuses an API key in the file: keys come only from the environment', async () => {
    const file = await cfg('k.json', JSON.stringify({ models: [{ name: 'x', url: 'http://h/v1', model: 'm', apiKey: 'sk-123' }] }));
    await expect(resolveConfig({ config: file })).rejects.toThrow(/apiKeyEnv/);
  });

  it('invalid JSON names the file and line', async () => {
    const file = await cfg('j.json', '{\n  "benchmarks": ["pope"],\n  oops\n}');
    await expect(resolveConfig({ config: file })).rejects.toThrow(/j\.json:3/);
  });

  it('loads a .ts config module (default export)', async () => {
    const file = await cfg('c.ts', 'export default { benchmarks: ["pope"], options: { maxErrorRate: 0.2 } };\n');
    const c = await resolveConfig({ config: file });
    expect(c.benchmarks).toEqual(['pope']);
    expect(c.maxErrorRate).toBe(0.2);
  });

  it('rejects bad flag values and duplicate model names', async () => {
    await expect(resolveConfig({ device: 'tpu' })).rejects.toThrow(UserError);
    await expect(resolveConfig({ models: ['a/x', 'b/x'] })).rejects.toThrow(/both named "x"/);
    await expect(resolveConfig({ benchmarks: ['nope'] })).rejects.toThrow(/unknown benchmark "nope"/);
  });

  it('redacts key-like fields from the config written to results', () => {
    const red = redactConfig({ models: [{ apiKey: 'sk-secret', apiKeyEnv: 'K' }] } as never) as { models: Array<Record<string, string>> };
    expect(JSON.stringify(red)).not.toContain('sk-secret');
    expect(red.models[0].apiKeyEnv).toBe('K');
  });
});

describe('config: the judge', () => {
  it('reads `judge` from the file (official grader by default), flags override it, and a key in the file is refused', async () => {
    const file = await cfg(
      'j.json',
      JSON.stringify({
        judge: { url: 'http://127.0.0.1:9/v1', runs: 3, prices: { inputPerMTok: 30, outputPerMTok: 60 } },
        options: { mmbenchRules: 'vlmevalkit' },
      }),
    );
    const c = await resolveConfig({ config: file });
    expect(c.judge).toMatchObject({ url: 'http://127.0.0.1:9/v1', model: 'gpt-4-0613', runs: 3, prices: { inputPerMTok: 30, outputPerMTok: 60 } });
    expect(c.mmbenchRules).toBe('vlmevalkit');
    const f = await resolveConfig({ config: file, judgeModel: 'local-grader', judgeRuns: 5, mmbenchRules: 'opencompass' });
    expect(f.judge).toMatchObject({ model: 'local-grader', runs: 5 });
    expect(f.mmbenchRules).toBe('opencompass');
    expect((await resolveConfig({})).judge).toBeUndefined();

    const keyed = await cfg('k.json', JSON.stringify({ judge: { url: 'http://127.0.0.1:9/v1', apiKey: 'sk-secret' } }));
    const err = await resolveConfig({ config: keyed }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${keyed} (judge): unknown field apiKey: API keys come only from the environment (name the variable with apiKeyEnv)`);
    await expect(resolveConfig({ judgeRuns: 2 })).rejects.toThrow('need a judge endpoint: --judge-url');
    await expect(resolveConfig({ mmbenchRules: 'lmms' })).rejects.toThrow('--mmbench-rules must be opencompass or vlmevalkit (got "lmms")');
  });
});
