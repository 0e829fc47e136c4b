// `eve-eval run` with a judge, as a user runs it: a tiny bundle answers MM-Vet's fixture, a loopback judge
// (node:http, answering like a grader) grades through the real HTTP path with an API key from the
// environment. The result carries the judge record and a number; the key is nowhere on disk; rerunning
// asks the judge nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultsFile } from '../../../../core/records.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(ROOT, 'bin/eve-eval.js');
const MODEL = join(ROOT, 'fixtures/models/tiny-eve');
const ready = existsSync(join(MODEL, 'tokenizer.json')) && existsSync(join(ROOT, 'fixtures/data/mm-vet/mm-vet.json'));
if (!ready) console.warn('run-judge.test: tiny-eve or fixtures/data/mm-vet missing (npm run fixtures); skipped');

const KEY = 'sk-test-judge-secret-0123456789';

function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

describe.skipIf(!ready)('eve-eval run --benchmarks mmvet with a judge', () => {
  let server: Server;
  let url: string;
  let out: string;
  const auth: string[] = [];
  let requests = 0;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'run-judge-'));
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        requests++;
        auth.push(String(req.headers.authorization));
        const { messages } = JSON.parse(body) as { messages: Array<{ content: string }> };
        // A grader's reply: a score derived from the prompt's length, so different answers grade differently.
        const score = (messages[0].content.length % 11) / 10;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ model: 'loopback-grader', choices: [{ message: { content: String(score) } }], usage: { prompt_tokens: 900, completion_tokens: 1 } }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(out, { recursive: true, force: true });
  });

  const args = () => [
    'run',
    '--models',
    MODEL,
    '--benchmarks',
    'mmvet',
    '--max-new-tokens',
    '4',
    '--out',
    out,
    '--judge-url',
    url,
    '--judge-key-env',
    'JUDGE_KEY',
    '--judge-runs',
    '2',
  ];

  it('grades, scores, records the judge, and keeps the key out of every file', async () => {
    const r = await cli(args(), { JUDGE_KEY: KEY });
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    const mm = results.results.find((x) => x.benchmark === 'mmvet')!;
    expect(Number.isFinite(mm.headline)).toBe(true);
    expect(mm.judge).toMatchObject({ role: 'mmvet-grader', model: 'gpt-4-0613', answeredBy: ['loopback-grader'], runs: 2, failures: 0 });
    expect(mm.judge!.usage.requests).toBe(requests);
    expect(existsSync(join(out, mm.judge!.gradeFile!))).toBe(true);
    // The manifest: the protocol beside the benchmark versions, the judge settings (the key's variable name only).
    expect(results.manifest.adapterVersions['judge/mmvet']).toMatch(/^yuweihao\/MM-Vet@c7ff270 .*temperature 0, max_tokens 3, 5 tries .*2 run/);
    expect((results.manifest.config as { judge: { apiKeyEnv: string; runs: number } }).judge).toMatchObject({ apiKeyEnv: 'JUDGE_KEY', runs: 2 });
    expect(auth.every((a) => a === `Bearer ${KEY}`)).toBe(true);
    for (const f of filesUnder(out)) expect(readFileSync(f).includes(KEY), f).toBe(false);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(r.stderr).toMatch(/mmvet: judge gpt-4-0613: \d+ requests, 0 answers from the cache/);
  });

  it('reruns from the cache: no request, the same number', async () => {
    const before = requests;
    const first = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile).results[0].headline;
    const r = await cli(args(), { JUDGE_KEY: KEY });
    expect(r.status, r.stderr).toBe(0);
    expect(requests).toBe(before);
    const again = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    expect(again.results[0].headline).toBe(first);
    expect(again.results[0].judge!.usage.requests).toBe(0);
  });

  it('score grades an answers file the same way, beside --results, and needs --results to', async () => {
    const answers = join(ROOT, 'fixtures/data/mm-vet/answers/fixture.jsonl');
    const data = join(ROOT, 'fixtures/data');
    const base = ['score', '--benchmark', 'mmvet', '--data', data, '--predictions', answers, '--judge-url', url, '--judge-key-env', 'JUDGE_KEY'];
    const refused = await cli(base, { JUDGE_KEY: KEY });
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim()).toBe(
      'eve-eval: score --benchmark mmvet with a judge needs --results FILE: the judge cache and the files for the official tools are written beside it',
    );
    const file = join(out, 'scored', 'results.json');
    const r = await cli([...base, '--results', file, '--json'], { JUDGE_KEY: KEY });
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { headline: number; judge: { role: string; runs: number } };
    expect(printed.judge).toMatchObject({ role: 'mmvet-grader', runs: 1 });
    const written = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
    expect(written.results[0].judge!.gradeFile).toBe(join('mm-vet', 'fixture_gpt-4-0613-grade-1runs.json'));
    expect(existsSync(join(out, 'scored', 'mm-vet', 'fixture_gpt-4-0613-grade-1runs.json'))).toBe(true);
    expect(existsSync(join(out, 'scored', 'judge-cache.jsonl'))).toBe(true);
  });

  it('refuses to start when the key variable is unset, before any model runs', async () => {
    const r = await cli(args(), {});
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('eve-eval: judge: environment variable JUDGE_KEY (its API key) is not set');
  });
});
