// `eve-eval serve` as a process: it prints where it listens, a bearer key comes from the environment, and
// SIGTERM while requests are in the model answers every one of them before the process exits 0.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, cli } from '../../cli.ts';

const BUNDLE = join(ROOT, 'fixtures/models/tiny-llava');
const IMAGES = join(ROOT, 'fixtures/data/pope/val2014');
const ready = existsSync(join(BUNDLE, 'tokenizer.json')) && existsSync(IMAGES);
if (!ready) console.warn('serve e2e: fixtures/models/tiny-llava or fixtures/data missing (npm run fixtures); skipped');

/** Start `eve-eval serve` and resolve with its URL once it listens. */
function serve(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'serve', ...args, '--port', '0'], { env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const url = new Promise<string>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(stderr);
      if (m) {
        clearInterval(t);
        resolve(m[1]);
      }
    }, 50);
    child.on('close', () => {
      clearInterval(t);
      reject(new Error(`serve exited: ${stderr}`));
    });
  });
  return { child, url, exited, stderr: () => stderr };
}

const texts = (out: string, model: string) =>
  Object.fromEntries(
    readdirSync(join(out, 'predictions', model)).map((f) => [
      f,
      readFileSync(join(out, 'predictions', model, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const r = JSON.parse(l);
          return [r.id, r.text, r.error?.message ?? null];
        }),
    ]),
  );

describe.skipIf(!ready)('eve-eval serve (spawned)', () => {
  it("`eve-eval run` against `eve-eval serve` (tiny EVE) gives the local run's predictions", async () => {
    const eve = join(ROOT, 'fixtures/models/tiny-eve');
    const s = serve(['--model', eve]);
    try {
      const url = await s.url;
      const dir = await mkdtemp(join(tmpdir(), 'serve-e2e-'));
      const common = ['--benchmarks', 'pope,sqa,mme', '--max-new-tokens', '6', '--data', join(ROOT, 'fixtures/data')];
      const local = await cli(['run', '--models', eve, '--out', join(dir, 'local'), ...common]);
      expect(local.status, local.stderr).toBe(0);
      const cfg = join(dir, 'remote.json');
      writeFileSync(cfg, JSON.stringify({ models: [{ name: 'tiny-eve', url, model: 'tiny-eve', concurrency: 8 }] }));
      const remote = await cli(['all', '--config', cfg, '--out', join(dir, 'remote'), ...common]);
      expect(remote.status, remote.stderr).toBe(0);
      expect(texts(join(dir, 'remote'), 'tiny-eve')).toEqual(texts(join(dir, 'local'), 'tiny-eve'));
    } finally {
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    }
  });

  it('SIGTERM with requests in flight: each is answered, then exit 0; new connections are refused', async () => {
    const s = serve(['--model', BUNDLE, '--max-batch', '2', '--api-key-env', 'SERVE_TEST_KEY'], { SERVE_TEST_KEY: 'k-serve-e2e' });
    const { child, exited } = s;
    const url = await s.url;
    expect(s.stderr()).toContain('(API key required)');
    const name = readdirSync(IMAGES)[0];
    const image = readFileSync(join(IMAGES, name)).toString('base64');
    const mime = name.endsWith('.png') ? 'image/png' : 'image/jpeg';
    const body = JSON.stringify({
      model: 'tiny-llava',
      max_tokens: 48,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: `data:${mime};base64,${image}` } },
            { type: 'text', text: 'Is there a cat?' },
          ],
        },
      ],
    });
    const headers = { authorization: 'Bearer k-serve-e2e', 'content-type': 'application/json' };
    expect((await fetch(`${url}/chat/completions`, { method: 'POST', body })).status).toBe(401);
    const inFlight = Array.from({ length: 6 }, () =>
      fetch(`${url}/chat/completions`, { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, json: await r.json() })),
    );
    // Wait until the server has them, then ask it to stop.
    for (;;) {
      const h = await (await fetch(url.replace('/v1', '/health'))).json();
      if (h.queued + h.inModel + h.served >= 6) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(typeof a.json.choices[0].message.content).toBe('string');
      expect(a.json.usage.prompt_tokens).toBeGreaterThan(576);
    }
    // The same request at any batch gives one answer.
    expect(new Set(answers.map((a) => a.json.choices[0].message.content)).size).toBe(1);
    expect(await exited).toBe(0);
    expect(s.stderr()).toMatch(/SIGTERM: answering [1-9]\d* admitted requests, then exiting/);
    expect(s.stderr()).toMatch(/stopped after 6 answers/);
    expect(s.stderr()).not.toContain('k-serve-e2e');
    await expect(fetch(`${url}/models`, { headers })).rejects.toThrow();
  });
});
