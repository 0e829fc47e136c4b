import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type LoadedModel } from '../../../harness/runtime/model.ts';
import { startServer, type RunningServer } from '../../../harness/serve/server.ts';
import { evaluate } from '../../../harness/runner/evaluate.ts';
import { resolveConfig } from '../../../harness/config.ts';
import { Progress } from '../../../harness/runner/progress.ts';
import pope from '../../../benchmarks/pope/index.ts';
import sqa from '../../../benchmarks/sqa/index.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLE = join(ROOT, 'fixtures/models/tiny-eve');
const ready = existsSync(join(BUNDLE, 'tokenizer.json'));
if (!ready) console.warn('serve test: fixtures/models/tiny-eve missing; skipped');
// The hand-made fixtures (written into a temporary folder): ScienceQA's has text-only questions, the synthetic set none.
let DATA: string;

// pope has images, sqa text-only questions too.
const BENCHMARKS = ['pope', 'sqa'];
const quiet = () => ({ log: () => {}, progress: new Progress({ out: { write: () => true }, live: false }) });

let model: LoadedModel;
let server: RunningServer;

/** id → text for every predictions file of a run, keyed by benchmark. */
function texts(out: string): Record<string, Record<string, string>> {
  const dir = join(out, 'predictions');
  const res: Record<string, Record<string, string>> = {};
  for (const m of readdirSync(dir)) {
    for (const f of readdirSync(join(dir, m))) {
      const lines = readFileSync(join(dir, m, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      res[f] = Object.fromEntries(lines.map((r) => [r.id, r.error ? `ERROR ${r.error.message}` : r.text]));
    }
  }
  return res;
}

async function runWith(models: NonNullable<Awaited<ReturnType<typeof resolveConfig>>['models']>, batchSize = 4) {
  const out = await mkdtemp(join(tmpdir(), 'serve-run-'));
  const config = await resolveConfig({ data: DATA, out, benchmarks: BENCHMARKS, maxNewTokens: 6, batchSize });
  config.models = models;
  const outcome = await evaluate(config, quiet());
  return { out, outcome };
}

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe.skipIf(!ready)('eve-eval serve (tiny EVE on a loopback port)', () => {
  beforeAll(async () => {
    DATA = await mkdtemp(join(tmpdir(), 'serve-data-'));
    await pope.writeFixture(DATA);
    await sqa.writeFixture(DATA);
    model = await loadModel(BUNDLE);
    server = await startServer({ model, name: 'tiny-eve', host: '127.0.0.1', port: 0, maxBatch: 8, maxQueue: 256, maxContext: 4096, defaultMaxTokens: 16 });
  });
  afterAll(async () => {
    await server?.close();
    await model?.dispose();
    if (DATA) await rm(DATA, { recursive: true, force: true });
  });

  it("benchmarks through the remote backend give the local run's predictions, at client concurrency 1, 4 and 16", async () => {
    const local = await runWith([{ kind: 'bundle', name: 'tiny-eve', path: BUNDLE, precision: 'fp32' }]);
    const want = texts(local.out);
    expect(Object.keys(want).sort()).toEqual(BENCHMARKS.map((b) => `${b}.jsonl`).sort());
    expect(
      Object.values(want)
        .flatMap((m) => Object.values(m))
        .some((t) => t.startsWith('ERROR')),
    ).toBe(false);
    const batchesBefore = server.stats().batches;
    for (const concurrency of [1, 4, 16]) {
      const before = server.stats();
      const remote = await runWith([{ kind: 'remote', name: 'tiny-eve', url: server.url, model: 'tiny-eve', concurrency }]);
      expect(texts(remote.out), `concurrency ${concurrency}`).toEqual(want);
      const after = server.stats();
      const mean = (after.served - before.served) / (after.batches - before.batches);
      // Concurrent clients are batched together (at 16 the model sees more than one request per call).
      if (concurrency === 16) expect(mean).toBeGreaterThan(1);
      if (concurrency === 1) expect(mean).toBe(1);
      // Records carry the request's attempts and latency.
      const rec = JSON.parse(readFileSync(join(remote.out, 'predictions/tiny-eve/pope.jsonl'), 'utf8').split('\n')[0]);
      expect(rec.request.attempts).toBe(1);
      expect(rec.request.latency_ms).toBeGreaterThanOrEqual(0);
    }
    expect(server.stats().batches).toBeGreaterThan(batchesBefore);
  });

  it('answers /v1/models and /health, and 400 with a JSON error for bad requests', async () => {
    const models = await (await fetch(`${server.url}/models`)).json();
    expect(models.data[0].id).toBe('tiny-eve');
    const health = await fetch(server.url.replace('/v1', '/health'));
    expect(health.status).toBe(200);
    expect((await health.json()).family).toBe('eve');
    const cases: Array<[unknown, RegExp, number?]> = [
      [
        {
          messages: [
            {
              role: 'user',
              content: [
                { type: 'image_url', image_url: { url: 'data:image/png;base64,@@@@' } },
                { type: 'text', text: 'x' },
              ],
            },
          ],
        },
        /not valid base64/,
      ],
      [
        {
          messages: [
            {
              role: 'user',
              content: [
                { type: 'image_url', image_url: {} },
                { type: 'text', text: 'x' },
              ],
            },
          ],
        },
        /no image/,
      ],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } }] }] }, /fetches nothing/],
      [
        {
          messages: [
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from('not a png at all').toString('base64')}` } }],
            },
          ],
        },
        /request \d+/,
      ],
      [{ messages: [{ role: 'user', content: 'hello' }], max_tokens: 5000 }, /prompt too long: \d+ prompt tokens/],
      [{ messages: [{ role: 'user', content: 'hello' }], temperature: 0.7 }, /greedy/],
      [{ messages: [{ role: 'user', content: 'hello' }], stream: true }, /not supported yet/],
      [{ messages: [] }, /messages/],
      [{ model: 'gpt-4', messages: [{ role: 'user', content: 'hello' }] }, /not served here/, 404],
    ];
    for (const [body, message, status] of cases) {
      const res = await post(body);
      const json = await res.json();
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status ?? 400);
      expect(json.error.message).toMatch(message);
    }
    const notJson = await fetch(`${server.url}/chat/completions`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
  });

  it('a full queue answers 429 with Retry-After; the admitted requests are answered', async () => {
    const small = await startServer({ model, name: 'tiny-eve', host: '127.0.0.1', port: 0, maxBatch: 1, maxQueue: 2, maxContext: 4096, defaultMaxTokens: 32 });
    try {
      const res = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          fetch(`${small.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: `question ${i}` }] }) }),
        ),
      );
      const codes = res.map((r) => r.status);
      expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
      expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(3);
      expect(codes.every((c) => c === 200 || c === 429)).toBe(true);
      const limited = res.find((r) => r.status === 429)!;
      expect(limited.headers.get('retry-after')).toBe('1');
      expect((await limited.json()).error.type).toBe('rate_limit_error');
    } finally {
      await small.close();
    }
  });

  it('with a key, a request without the right bearer token is 401', async () => {
    const keyed = await startServer({
      model,
      name: 'tiny-eve',
      host: '127.0.0.1',
      port: 0,
      maxBatch: 2,
      maxQueue: 4,
      maxContext: 4096,
      defaultMaxTokens: 4,
      apiKey: 'serve-key-xyz',
    });
    try {
      const body = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] });
      expect((await fetch(`${keyed.url}/chat/completions`, { method: 'POST', body })).status).toBe(401);
      expect((await fetch(`${keyed.url}/chat/completions`, { method: 'POST', body, headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(`${keyed.url}/chat/completions`, { method: 'POST', body, headers: { authorization: 'Bearer serve-key-xyz' } })).status).toBe(200);
    } finally {
      await keyed.close();
    }
  });
});
