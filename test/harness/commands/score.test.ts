import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pope from '../../../benchmarks/pope/index.ts';
import mme from '../../../benchmarks/mme/index.ts';
import { cli } from './cli-helpers.ts';

const REAL = join(import.meta.dirname, '../../../../shared/realdata');

describe('eve-eval score', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'score-'));
    await pope.writeFixture(root);
    await mme.writeFixture(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('--json prints one object with benchmark, headline, metrics, counts', () => {
    const r = cli('score', '--benchmark', 'pope', '--data', root, '--predictions', join(root, 'pope/answers/fixture.jsonl'), '--json');
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.benchmark).toBe('pope');
    expect(o.headline).toBe(76.67); // (50 + 100 + 80) / 3
    expect(o.metrics['random.f1']).toBe(80);
    expect(o.counts.samples).toBe(12);
  });

  it('prints a readable summary with the official scorer lines', () => {
    const r = cli('score', '--benchmark', 'mme', '--data', root, '--predictions', join(root, 'MME/eval_tool/fixture_results'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('mme/test: perception score (sum of 10 subtasks, max 2000) = 250');
    expect(r.stdout).toContain('total score: 250.0 ');
  });

  it('exits 2 with one line for an unknown benchmark, a malformed line, a file of another benchmark', async () => {
    const unknown = cli('score', '--benchmark', 'nope', '--data', root, '--predictions', 'x');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe('eve-eval: unknown benchmark "nope"; known: vqav2, gqa, vizwiz, textvqa, pope, mme, mmbench, seed, mmvet, sqa');

    const bad = join(root, 'bad.jsonl');
    await writeFile(bad, '{"question_id": 1, "text": "Yes"}\nnot json\n');
    const malformed = cli('score', '--benchmark', 'pope', '--data', root, '--predictions', bad);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr.trim().split('\n')).toHaveLength(1);
    expect(malformed.stderr).toContain(`${bad}:2: malformed JSON`);

    const other = cli('score', '--benchmark', 'pope', '--data', root, '--predictions', join(root, 'MME/answers/fixture.jsonl'));
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/none of its 12 predictions match pope\/test/);
  });

  it.skipIf(!existsSync(REAL))('reproduces POPE 85.95 on ../shared/realdata', () => {
    const r = cli('score', '--benchmark', 'pope', '--data', REAL, '--predictions', join(REAL, 'pope/answers/llava-v1.5-13b.jsonl'), '--json');
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.headline).toBe(85.95);
    expect([o.metrics['adversarial.f1'], o.metrics['popular.f1'], o.metrics['random.f1']]).toEqual([84.46, 86.25, 87.14]);
  });
});
