// The judge client's cache and accounting: answers cached by (judge model, request) and appended as they
// arrive; a torn last line (a killed run) dropped; failed requests never cached; usage and cost counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Judge } from '../../../harness/judge/client.ts';

describe('Judge', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let requests = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'judge-client-'));
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        requests++;
        const { messages } = JSON.parse(body) as { messages: Array<{ content: string }> };
        if (messages[0].content === 'refuse') {
          res.writeHead(400);
          return res.end('bad request');
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            model: 'served-model',
            choices: [{ message: { content: `echo ${messages[0].content}` } }],
            usage: { prompt_tokens: 10, completion_tokens: 5 },
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('caches by judge model and request, survives a torn line, never caches a failure, and counts cost', async () => {
    const cache = join(dir, 'judge-cache.jsonl');
    const settings = { url, model: 'm1', retries: 0, prices: { inputPerMTok: 2, outputPerMTok: 8 } };
    const a = await Judge.open(settings, cache);
    const ask = (j: Judge, content: string, tag?: string) => j.ask({ messages: [{ role: 'user', content }], temperature: 0, max_tokens: 3 }, tag);
    expect(await ask(a, 'x')).toEqual({ content: 'echo x', model: 'served-model', cached: false });
    expect(await ask(a, 'x', 'run-2')).toMatchObject({ cached: false }); // a tagged request is its own entry
    expect(await ask(a, 'refuse')).toMatchObject({ error: { kind: 'http' } });
    expect(a.usage).toEqual({ requests: 3, cached: 0, promptTokens: 20, completionTokens: 10, costUsd: (20 * 2 + 10 * 8) / 1e6 });
    await appendFile(cache, '{"key": "torn'); // a run killed mid-write

    const before = requests;
    const b = await Judge.open(settings, cache);
    expect(await ask(b, 'x')).toEqual({ content: 'echo x', model: 'served-model', cached: true });
    expect(await ask(b, 'x', 'run-2')).toMatchObject({ cached: true });
    expect(requests).toBe(before);
    expect(await ask(b, 'refuse')).toMatchObject({ error: {} }); // asked again: failures are not cached
    expect(requests).toBe(before + 1);
    expect(b.usage).toMatchObject({ requests: 1, cached: 2 });

    const other = await Judge.open({ ...settings, model: 'm2' }, cache);
    expect(await ask(other, 'x')).toMatchObject({ cached: false }); // another judge model: another entry
    expect((await readFile(cache, 'utf8')).split('\n').filter((l) => l.includes('"m2"'))).toHaveLength(1);
    const reopened = await Judge.open({ ...settings, model: 'm2' }, cache); // the torn line was cut, not glued to the next
    expect(await ask(reopened, 'x')).toMatchObject({ cached: true });
  });
});
