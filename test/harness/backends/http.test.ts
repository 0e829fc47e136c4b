import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpBackend, sniffMime } from '../../../harness/backends/http.ts';
import { chatCompletionsUrl } from '../../../harness/backends/chat-client.ts';

// A local OpenAI-compatible stand-in on 127.0.0.1 only: answers by the prompt text.
const seen: Array<{ auth?: string; body: any }> = [];
let server: Server;
let base = '';
let flaky = 0;

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    const body = JSON.parse(raw);
    seen.push({ auth: req.headers.authorization, body });
    const text: string = body.messages[0].content.at(-1).text;
    if (text === 'slow') return void setTimeout(() => res.end('{}'), 2000);
    if (text === 'flaky' && flaky++ < 1) {
      res.statusCode = 503;
      return void res.end('busy');
    }
    if (text === 'forbidden') {
      res.statusCode = 401;
      return void res.end(`bad key ${req.headers.authorization}`);
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ choices: [{ message: { content: ` echo: ${text} ` } }], usage: { prompt_tokens: 7, completion_tokens: 3 } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const png = Buffer.from('89504e470d0a1a0a0000', 'hex');

describe('HttpBackend', () => {
  it('sends an OpenAI chat request with the image as a data URL, greedy, and returns the text', async () => {
    process.env.EVE_TEST_KEY = 'sk-test-secret-123';
    const b = new HttpBackend({ name: 'remote', url: base, model: 'llava-1.5', apiKeyEnv: 'EVE_TEST_KEY', timeoutMs: 1000, retries: 0 });
    const [r] = await b.generate([{ id: '1', image: png, source: 'a.png', prompt: 'hello', maxNewTokens: 16 }]);
    expect(r).toMatchObject({ text: 'echo: hello', tokens: { prompt: 7, generated: 3 } });
    const last = seen.at(-1)!;
    expect(last.auth).toBe('Bearer sk-test-secret-123');
    expect(last.body).toMatchObject({ model: 'llava-1.5', max_tokens: 16, temperature: 0 });
    expect(last.body.messages[0].content[0].image_url.url.startsWith('data:image/png;base64,')).toBe(true);
    expect(b.fingerprint).not.toContain('sk-test');
  });

  it('sends a text-only question as a message with the text part alone (no image_url)', async () => {
    const b = new HttpBackend({ name: 'remote', url: base, model: 'llava-1.5', timeoutMs: 1000, retries: 0 });
    const [r] = await b.generate([{ id: 'q1', image: null, source: 'sqa (q1)', prompt: 'Which is a solid?', maxNewTokens: 8 }]);
    expect(r).toMatchObject({ text: 'echo: Which is a solid?' });
    expect(seen.at(-1)!.body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Which is a solid?' }] }]);
  });

  it('a timeout becomes a per-sample error and the batch-mates still answer', async () => {
    const b = new HttpBackend({ name: 'remote', url: base, model: 'm', timeoutMs: 300, retries: 1, backoffMs: 10 });
    const rs = await b.generate([
      { id: '1', image: null, source: 'x', prompt: 'slow', maxNewTokens: 4 },
      { id: '2', image: null, source: 'y', prompt: 'fast', maxNewTokens: 4 },
    ]);
    expect(rs[0]).toMatchObject({ error: { kind: 'timeout' } });
    expect((rs[0] as { error: { message: string } }).error.message).toMatch(/within 300 ms \(after 2 attempts\)/);
    expect(rs[1]).toMatchObject({ text: 'echo: fast' });
  });

  it('retries a 503 and succeeds; a 401 is not retried and never shows the key', async () => {
    process.env.EVE_TEST_KEY = 'sk-test-secret-123';
    const b = new HttpBackend({ name: 'remote', url: base, model: 'm', apiKeyEnv: 'EVE_TEST_KEY', timeoutMs: 1000, retries: 2, backoffMs: 5 });
    const [ok] = await b.generate([{ id: '1', image: null, source: 'x', prompt: 'flaky', maxNewTokens: 4 }]);
    expect(ok).toMatchObject({ text: 'echo: flaky' });
    const n = seen.length;
    const [bad] = await b.generate([{ id: '2', image: null, source: 'x', prompt: 'forbidden', maxNewTokens: 4 }]);
    expect(seen.length).toBe(n + 1);
    expect(JSON.stringify(bad)).toContain('HTTP 401');
    expect(JSON.stringify(bad)).not.toContain('sk-test-secret-123');
  });

  it('refuses to start when the key variable is not set', () => {
    expect(() => new HttpBackend({ name: 'r', url: base, model: 'm', apiKeyEnv: 'EVE_TEST_UNSET_VAR' })).toThrow(/EVE_TEST_UNSET_VAR/);
  });

  it('builds the endpoint and sniffs image types', () => {
    expect(chatCompletionsUrl('http://h:8000/v1/')).toBe('http://h:8000/v1/chat/completions');
    expect(chatCompletionsUrl('http://h/v1/chat/completions')).toBe('http://h/v1/chat/completions');
    expect(sniffMime(Buffer.from([0xff, 0xd8, 0xff]))).toBe('image/jpeg');
    expect(sniffMime(png)).toBe('image/png');
  });
});
