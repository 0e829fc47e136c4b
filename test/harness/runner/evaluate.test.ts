import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, scoreOne } from '../../../harness/runner/evaluate.ts';
import { UserError } from '../../../core/errors.ts';
import { resolveConfig } from '../../../harness/config.ts';
import { HttpBackend } from '../../../harness/backends/http.ts';
import { Progress } from '../../../harness/runner/progress.ts';
import type { ResultsFile } from '../../../core/records.ts';
import { fakeAdapter, writeFakeData } from './fakes.ts';

const KEY = 'sk-live-DO-NOT-LEAK-4242';
let server: Server;
let url = '';
beforeAll(async () => {
  // Echoes the number in the prompt; answers "leak <auth header>" to one question to try to smuggle the key out.
  server = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    const text: string = JSON.parse(raw).messages[0].content.at(-1).text;
    const n = /(\d+)/.exec(text)![1];
    if (n === '3') {
      res.statusCode = 400;
      return void res.end(`bad request from ${req.headers.authorization}`);
    }
    res.end(JSON.stringify({ choices: [{ message: { content: n } }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('evaluate with a remote (OpenAI-compatible) model', () => {
  it('scores, writes results after every benchmark, and the API key reaches no file and no log line', async () => {
    process.env.EVE_EVAL_TEST_KEY = KEY;
    const data = await mkdtemp(join(tmpdir(), 'ev-data-'));
    const out = await mkdtemp(join(tmpdir(), 'ev-out-'));
    await writeFakeData(data, 6);
    const config = await resolveConfig({ data, out, benchmarks: ['pope', 'mme'], batchSize: 2 });
    config.models = [{ kind: 'remote', name: 'remote-llava', url, model: 'llava', apiKeyEnv: 'EVE_EVAL_TEST_KEY' }];
    const log: string[] = [];
    let resultsAfterFirst: ResultsFile | null = null;
    const outcome = await evaluate(config, {
      log: (s) => log.push(s),
      progress: new Progress({ out: { write: (s) => void log.push(s) }, live: false }),
      adapters: { pope: fakeAdapter({ id: 'pope' }), mme: fakeAdapter({ id: 'mme' }) },
      makeBackend: async (m, c) => {
        const b = new HttpBackend({ ...(m as Extract<typeof m, { kind: 'remote' }>), concurrency: c.concurrency, retries: 0 });
        const gen = b.generate.bind(b);
        b.generate = async (items) => {
          if (items[0].prompt && existsSync(join(out, 'predictions', 'remote-llava', 'mme.jsonl')) && !resultsAfterFirst) {
            resultsAfterFirst = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
          }
          return gen(items);
        };
        return b;
      },
    });
    expect(resultsAfterFirst!.results.map((r) => r.benchmark)).toEqual(['pope']);
    const final = JSON.parse(readFileSync(outcome.file, 'utf8')) as ResultsFile;
    expect(final.results.map((r) => [r.benchmark, r.headline, r.counts.errors])).toEqual([
      ['pope', 500 / 6, 1],
      ['mme', 500 / 6, 1],
    ]);
    expect(final.manifest.executionProvider).toBe('http');
    expect(JSON.stringify(final.manifest.config)).toContain('EVE_EVAL_TEST_KEY'); // the variable's name, not its value
    for (const f of allFiles(out)) expect(readFileSync(f, 'utf8'), f).not.toContain(KEY);
    expect(log.join('\n')).not.toContain(KEY);
    const preds = readFileSync(join(out, 'predictions', 'remote-llava', 'pope.jsonl'), 'utf8');
    expect(preds).toContain('HTTP 400'); // the error is recorded, with the key scrubbed
    expect(preds).toContain('[redacted]');
    expect(outcome.errorRate).toBeCloseTo(2 / 12);
  });
});

describe('scoreOne: a benchmark the adapter cannot score offline', () => {
  const samples = ['a', 'b', 'c'].map((id) => ({ id, benchmark: 'mmvet' as const, split: 'test', prompt: id, maxNewTokens: 1024, meta: {} }));
  const answers = new Map([
    ['a', { id: 'a', text: 'x' }],
    ['b', { id: 'b', text: '', error: { kind: 'timeout', message: 't' } }],
  ]);
  it('gives headline null, the reason, real counts, and no perSample or interval', () => {
    const refusing = {
      ...fakeAdapter({ id: 'mmvet' }),
      score: () => {
        throw new UserError('mmvet: a judge grade file is required');
      },
    };
    const r = scoreOne(refusing, 'test', 'm', samples, answers);
    expect(r.headline).toBeNull();
    expect(r.unscored).toBe('mmvet: a judge grade file is required'); // the real cause, not a generic line
    expect(r.counts).toEqual({ samples: 3, predicted: 2, missing: 1, errors: 1, failedExtraction: 0 });
    expect(r.perSample).toBeUndefined();
    expect(r.ci95).toBeUndefined();
  });
  it('keeps the adapter message for other benchmarks, and lets real bugs through', () => {
    const other = {
      ...fakeAdapter({ id: 'gqa' }),
      score: () => {
        throw new UserError('gqa: no ground truth');
      },
    };
    expect(scoreOne(other, 'test', 'm', samples, answers).unscored).toBe('gqa: no ground truth');
    const buggy = {
      ...fakeAdapter({ id: 'gqa' }),
      score: () => {
        throw new TypeError('x is undefined');
      },
    };
    expect(() => scoreOne(buggy, 'test', 'm', samples, answers)).toThrow(TypeError);
  });
});
