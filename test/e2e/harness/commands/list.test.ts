import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pope from '../../../../benchmarks/pope/index.ts';
import { cli } from './cli-helpers.ts';

describe('eve-eval list', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'list-'));
    await pope.writeFixture(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('prints the ten benchmarks with title and default split', () => {
    const r = cli('list');
    expect(r.status).toBe(0);
    const ids = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0]);
    expect(ids).toEqual(['vqav2', 'gqa', 'vizwiz', 'textvqa', 'pope', 'mme', 'mmbench', 'seed', 'mmvet', 'sqa']);
    expect(r.stdout).toMatch(/pope\s+POPE \(COCO, adversarial\/popular\/random\)\s+test/);
  });

  it('with --data marks which benchmarks are present', () => {
    const r = cli('list', '--data', root, '--json');
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ id: string; present: string[] }>;
    expect(rows.find((x) => x.id === 'pope')?.present).toEqual(['test', 'adversarial', 'popular', 'random']);
    expect(rows.find((x) => x.id === 'mme')?.present).toEqual([]);
  });

  it('exits 2 for a missing data folder', () => {
    const r = cli('list', '--data', join(root, 'nope'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('data folder not found');
  });
});
