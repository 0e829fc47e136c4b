import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pope from '../../../../benchmarks/pope/index.ts';
import mmvet from '../../../../benchmarks/mmvet/index.ts';
import { cli } from './cli-helpers.ts';

describe('eve-eval submission', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sub-'));
    await pope.writeFixture(root);
    await mmvet.writeFixture(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('writes the MM-Vet evaluator file {"v1_0": answer}', async () => {
    const out = join(root, 'out', 'mmvet.json');
    const r = cli('submission', '--benchmark', 'mmvet', '--data', root, '--predictions', join(root, 'mm-vet/answers/fixture.jsonl'), '--out', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('4 questions, 4 answered, 0 missing');
    const o = JSON.parse(await readFile(out, 'utf8'));
    expect(Object.keys(o)).toEqual(['v1_0', 'v1_1', 'v1_2', 'v1_3']);
    expect(o.v1_2).toBe('France');
  });

  it('refuses, exit 2, for a locally scored benchmark', () => {
    const r = cli(
      'submission',
      '--benchmark',
      'pope',
      '--data',
      root,
      '--predictions',
      join(root, 'pope/answers/fixture.jsonl'),
      '--out',
      join(root, 'x.json'),
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('pope is scored locally and has no submission server');
  });
});
