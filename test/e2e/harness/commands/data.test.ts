// `eve-eval data` through the real CLI: the exit codes (status 0, check 1 on a problem, 2 on bad input) and --json.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pope from '../../../../benchmarks/pope/index.ts';
import { cli } from '../../../harness/commands/cli-helpers.ts';

const REAL = join(import.meta.dirname, '../../../../../shared/realdata');

describe('eve-eval data (CLI)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'data-cli-'));
    await pope.writeFixture(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('status exits 0 with a table; check exits 1 naming the problem; --json is one array', () => {
    const status = cli('data', 'status', '--data', root);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/pope\s+test\s+12 of 8,910 ✗/);
    const check = cli('data', 'check', '--data', root, '--benchmarks', 'pope');
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('pope/test: 12 questions, expected 8,910');
    const json = JSON.parse(cli('data', 'status', '--data', root, '--benchmarks', 'pope', '--json').stdout);
    expect(json[0].benchmark).toBe('pope');
  });

  it('exits 2 with one line on bad input', () => {
    const absent = cli('data', 'status', '--data', join(root, 'nope'));
    expect(absent.status).toBe(2);
    expect(absent.stderr.trim()).toMatch(/nope: data folder not found$/);
    const unknown = cli('data', 'check', '--data', root, '--benchmarks', 'pope,nope');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown benchmark "nope"');
    expect(cli('data', 'guide', 'nope').status).toBe(2);
    expect(cli('data', 'guide', 'mme').stdout).toContain('MME/eval_tool/Your_Results/<subtask>.txt');
  });

  it.skipIf(!existsSync(REAL))('status on ../shared/realdata exits 0 and check exits 1 for the absent images', () => {
    expect(cli('data', 'status', '--data', REAL).status).toBe(0);
    const check = cli('data', 'check', '--data', REAL, '--benchmarks', 'pope');
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('absent: pope/val2014');
  });
});
