// A judge served by `eve-eval serve`: tiny LLaVA (random weights) answers MM-Vet's grading prompts over the real
// HTTP path. Its replies are mostly not numbers, which is the point: every grade the official parser cannot
// read after its tries is a counted, marked judge failure, never a silent number (serve answers greedily and
// refuses the retry rule's temperatures above 0 with a 400, which ends those tries); the rest are scores; the
// second scoring takes every answer from the judge cache.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsFile } from '../../../../core/records.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const BIN = join(ROOT, 'bin', 'eve-eval.js');
const JUDGE = join(ROOT, 'fixtures', 'models', 'tiny-llava');
const DATA = join(ROOT, 'fixtures', 'data');

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('MM-Vet graded by a judge that eve-eval serve serves', () => {
  let server: ChildProcess;
  let url = '';
  let out = '';
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'served-judge-'));
    server = spawn(process.execPath, [BIN, 'serve', '--model', JUDGE, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    url = await new Promise<string>((resolve, reject) => {
      server.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (m) resolve(`${m[1]}/v1`);
      });
      server.on('exit', (code) => reject(new Error(`serve exited ${code}: ${log}`)));
    });
  });
  afterAll(async () => {
    server.kill('SIGTERM');
    await rm(out, { recursive: true, force: true });
  });

  it('grades over HTTP, counts what it could not read, and rescoring asks nothing', async () => {
    const results = join(out, 'results.json');
    const args = [
      'score',
      '--benchmark',
      'mmvet',
      '--data',
      DATA,
      '--predictions',
      join(DATA, 'mm-vet', 'answers', 'fixture.jsonl'),
      '--judge-url',
      url,
      '--judge-model',
      'tiny-llava',
      '--results',
      results,
      '--json',
    ];
    const first = await cli(args);
    expect(first.status, first.stderr).toBe(0);
    const r = (JSON.parse(readFileSync(results, 'utf8')) as ResultsFile).results.find((x) => x.benchmark === 'mmvet')!;
    const judge = r.judge!;
    expect(judge.answeredBy).toEqual(['tiny-llava']); // the served model's name, as /v1/chat/completions reports it
    expect(judge.usage.requests).toBeGreaterThan(0);
    const grades = JSON.parse(readFileSync(join(out, judge.gradeFile!), 'utf8')) as Record<string, Record<string, unknown>>;
    const failed = Object.values(grades).filter((g) => g.judge_failed).length;
    expect(judge.failures).toBe(failed);
    expect(r.counts.judgeFailures).toBe(failed);
    console.log(`served judge: ${JSON.stringify(judge.usage)}, ${failed} judge failures of ${Object.keys(grades).length} grades`);
    if (failed > 0) expect(first.stderr).toMatch(/judge fail/i);
    expect(Number.isFinite(r.headline)).toBe(true);

    const again = await cli(args);
    expect(again.status, again.stderr).toBe(0);
    const r2 = (JSON.parse(readFileSync(results, 'utf8')) as ResultsFile).results.find((x) => x.benchmark === 'mmvet')!;
    // Every answer the judge gave comes from the cache; only the tries the server refused (400: it decodes greedily,
    // so the retry rule's temperatures above 0 are refused, and refusals are not cached) are asked again.
    expect(r2.judge!.usage.cached).toBeGreaterThan(0);
    expect(r2.judge!.usage.cached + r2.judge!.usage.requests).toBe(judge.usage.requests);
    expect(r2.judge!.usage.requests).toBeLessThanOrEqual(failed);
    expect(r2.headline).toBe(r.headline);
    expect(existsSync(join(out, 'judge-cache.jsonl'))).toBe(true);
  });
});
