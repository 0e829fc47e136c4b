// The remote backend against an OpenAI-compatible server this team did not write: llama.cpp's own server
// (llama-server, through the prebuilt `xllamacpp` wheel from PyPI) on a tiny random LLaMA written as GGUF
// with the real LLaMA-2 vocabulary. Text-only prompts work end to end; an image, which that server cannot
// take without a multimodal projector, is a per-sample error that carries the server's own words.
// Needs a Python with xllamacpp, gguf and sentencepiece: <repo>/.venv-llamacpp or EVE_EVAL_LLAMACPP_PYTHON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqa from '../../../../benchmarks/sqa/index.ts';
import { HttpBackend } from '../../../../harness/backends/http.ts';
import { isError, type GenerateItem } from '../../../../harness/backends/types.ts';
import { REPO, pythonSkipReason, runPython } from '../../../export/python.ts';
import { cli } from '../../cli.ts';

const PY = process.env.EVE_EVAL_LLAMACPP_PYTHON || join(REPO, '.venv-llamacpp', 'bin', 'python');
const INSTALL = 'python3 -m venv .venv-llamacpp && .venv-llamacpp/bin/pip install xllamacpp==2026.10.11549 gguf==0.19.0 sentencepiece==0.2.3';
const reason = pythonSkipReason(['xllamacpp', 'gguf', 'sentencepiece'], PY, INSTALL);
if (reason) console.warn(`llama-server e2e: skipped: ${reason}`);
const HERE = join(REPO, 'test/e2e/harness/backends/llama-server');

let server: ChildProcess | undefined;
let url = '';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const prompts = [
  'Which word would you find on a dictionary page between "bake" and "bump"?',
  'What is the capital of France?\nAnswer the question using a single word or phrase.',
  'Is a pencil a solid or a liquid?',
  'Name a primary colour.',
  'Count from one to five.',
  'Which is heavier, a kilogram of feathers or a kilogram of iron?',
];
const item = (prompt: string, i: number, image: Buffer | null = null): GenerateItem => ({ id: String(i), image, source: `q${i}`, prompt, maxNewTokens: 12 });

describe.skipIf(reason)("remote backend against llama.cpp's server (xllamacpp, tiny GGUF)", () => {
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llama-server-'));
    const gguf = join(dir, 'tiny.gguf');
    await runPython(join(HERE, 'make_tiny_gguf.py'), [join(REPO, 'fixtures/tokenizers/llama2/tokenizer.model'), gguf], 300_000, PY);
    const port = await freePort();
    server = spawn(PY, [join(HERE, 'serve.py'), gguf, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    server.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.on('data', (d) => String(d).includes('listening') && resolve());
      server!.on('close', (code) => reject(new Error(`serve.py exited ${code}: ${log}`)));
    });
    url = `http://127.0.0.1:${port}/v1`;
  });
  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it('text-only prompts: answered, greedy, the same at client concurrency 1 and 4, with token usage', async () => {
    const answers: string[][] = [];
    for (const concurrency of [1, 4]) {
      const b = new HttpBackend({ name: 'llama-cpp', url, model: 'tiny', concurrency, retries: 0, timeoutMs: 60_000 });
      const rs = await b.generate(prompts.map((p, i) => item(p, i)));
      for (const r of rs) {
        expect(isError(r), JSON.stringify(r)).toBe(false);
        if (isError(r)) continue;
        expect(r.text.length).toBeGreaterThan(0);
        expect(r.tokens!.prompt).toBeGreaterThan(10);
        expect(r.tokens!.generated).toBeGreaterThan(0);
        expect(r.request!.attempts).toBe(1);
      }
      answers.push(rs.map((r) => (isError(r) ? '' : r.text)));
    }
    expect(answers[1]).toEqual(answers[0]);
    // Random weights: the answers differ by prompt (the prompt reached the model).
    expect(new Set(answers[0]).size).toBeGreaterThan(1);
  });

  it('an image: a per-sample error naming what the server said, after its retries; batch-mates still answered', async () => {
    const jpeg = readFileSync(join(REPO, 'fixtures/data/pope/val2014', readdirSync(join(REPO, 'fixtures/data/pope/val2014'))[0]));
    const b = new HttpBackend({ name: 'llama-cpp', url, model: 'tiny', concurrency: 2, retries: 1, backoffMs: 10 });
    const [img, text] = await b.generate([item('Is there a dog?', 0, jpeg), item(prompts[0], 1)]);
    expect(img).toMatchObject({ error: { kind: 'http' }, request: { attempts: 2 } });
    expect((img as { error: { message: string } }).error.message).toMatch(/HTTP 500: .*image input is not supported/);
    expect(isError(text)).toBe(false);
  });

  it('eve-eval run on ScienceQA through it: the text-only questions are answered, the image ones are errors with the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llama-run-'));
    // ScienceQA's hand-made fixture (writeFixture): it has text-only questions, the synthetic set in fixtures/data none.
    await sqa.writeFixture(join(dir, 'data'));
    const cfg = join(dir, 'eval.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        models: [{ name: 'llama-cpp', url, model: 'tiny', retries: 0, breakerThreshold: 50, concurrency: 2 }],
        benchmarks: ['sqa'],
        data: join(dir, 'data'),
        out: join(dir, 'out'),
        options: { maxNewTokens: 8 },
      }),
    );
    const run = await cli(['all', '--config', cfg]);
    // 4 of the 6 fixture questions have an image: above --max-error-rate, so exit 1, with every answer kept.
    expect(run.status, run.stderr).toBe(1);
    const recs = readFileSync(join(dir, 'out/predictions/llama-cpp/sqa.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(recs).toHaveLength(6);
    expect(
      recs
        .filter((x) => !x.error)
        .map((x) => x.id)
        .sort(),
    ).toEqual(['15', '4']);
    for (const x of recs.filter((x) => x.error)) expect(x.error.message).toMatch(/image input is not supported/);
    expect(run.stdout).toMatch(/errors: llama-cpp sqa: http ×4/);
  });
});
