// `eve-eval data` through the real CLI: the exit codes (status 0, check 1 on a problem, 2 on bad input) and --json.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pope from '../../../../benchmarks/pope/index.ts';
import { cli } from './cli-helpers.ts';

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

  it('score --results and report warn, naming the file, when two models were scored on different data', () => {
    const other = `${root}-other`;
    cpSync(root, other, { recursive: true });
    const label = join(other, 'pope/coco/coco_pope_random.json');
    writeFileSync(label, readFileSync(label, 'utf8').trim().split('\n').reverse().join('\n') + '\n');
    const results = join(root, 'merged', 'results.json');
    const pred = (r: string) => join(r, 'pope/answers/fixture.jsonl');
    expect(cli('score', '--benchmark', 'pope', '--data', root, '--predictions', pred(root), '--results', results, '--model', 'a').status).toBe(0);
    const second = cli('score', '--benchmark', 'pope', '--data', other, '--predictions', pred(other), '--results', results, '--model', 'b');
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/warning: pope: a and b were scored on different data: different contents: pope\/coco\/coco_pope_random\.json/);
    const report = cli('report', results, '--no-html');
    expect(report.status).toBe(0);
    expect(report.stdout).toContain('warning: pope: a and b were scored on different data');
    rmSync(other, { recursive: true, force: true });
  });

  it.skipIf(!existsSync(REAL))('status on ../shared/realdata exits 0 and check exits 1 for the absent images', () => {
    expect(cli('data', 'status', '--data', REAL).status).toBe(0);
    const check = cli('data', 'check', '--data', REAL, '--benchmarks', 'pope');
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('absent: pope/val2014');
  });
});
