import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatClient, UNAVAILABLE } from '../../../harness/backends/chat-client.ts';
import { displayUrl, requestTarget } from '../../../harness/backends/url-secrets.ts';

// A loopback stand-in whose behaviour each test sets: how many requests it holds at once, which it refuses.
let server: Server;
let base = '';
let inFlight = 0;
let maxInFlight = 0;
let capacity = Infinity;
const seen: Array<{ url: string; auth?: string }> = [];

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    for await (const _ of req);
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    if (inFlight >= capacity) {
      res.writeHead(429, { 'retry-after': '0.05' });
      return void res.end('busy');
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 20));
    inFlight--;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ choices: [{ message: { content: 'ok' } }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const ask = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

/** A port nothing listens on: bind one, note it, close it. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('ChatClient', () => {
  it('a dead endpoint opens the circuit after N failed attempts: the rest fail at once as unavailable', async () => {
    const url = `http://127.0.0.1:${await deadPort()}/v1`;
    const c = new ChatClient({ url, name: 'm', retries: 2, backoffMs: 1, breakerThreshold: 4, concurrency: 2 });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => c.complete(ask)));
    const kinds = results.map((r) => ('error' in r ? r.error.kind : 'ok'));
    expect(kinds.filter((k) => k === 'ok')).toHaveLength(0);
    expect(kinds.filter((k) => k === UNAVAILABLE).length).toBeGreaterThanOrEqual(18);
    // 20 requests × 3 attempts would be 60; the breaker stops them after 4 (plus any already in flight).
    expect(c.stats().attempts).toBeLessThanOrEqual(4 + 2);
    expect(c.stats().circuitOpen).toBe(true);
    const refused = results.find((r) => 'error' in r && r.error.kind === UNAVAILABLE) as { error: { message: string } };
    expect(refused.error.message).toMatch(/failed 4 times in a row .*not sending more requests/);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('after the cool-down one trial request goes; success closes the circuit', async () => {
    const port = await deadPort();
    const c = new ChatClient({ url: `http://127.0.0.1:${port}/v1`, name: 'm', retries: 0, breakerThreshold: 1, breakerCooldownMs: 100 });
    expect(await c.complete(ask)).toMatchObject({ error: { kind: 'http' } });
    expect(await c.complete(ask)).toMatchObject({ error: { kind: UNAVAILABLE } });
    // Same port, now alive.
    const revived = createServer((_, res) => res.end(JSON.stringify({ choices: [{ message: { content: 'back' } }] })));
    await new Promise<void>((r) => revived.listen(port, '127.0.0.1', r));
    try {
      await new Promise((r) => setTimeout(r, 150));
      expect(await c.complete(ask)).toMatchObject({ content: 'back' });
      expect(c.stats().circuitOpen).toBe(false);
    } finally {
      await new Promise<void>((r) => revived.close(() => r()));
    }
  });

  it('429s lower the concurrency to what the server takes; every request still succeeds, retries counted', async () => {
    capacity = 2;
    maxInFlight = 0;
    try {
      const c = new ChatClient({ url: base, name: 'm', concurrency: 16, retries: 8, backoffMs: 5 });
      const results = await Promise.all(Array.from({ length: 60 }, () => c.complete(ask)));
      expect(results.every((r) => 'content' in r)).toBe(true);
      const s = c.stats();
      expect(s.throttled).toBeGreaterThan(0);
      expect(s.retries).toBeGreaterThanOrEqual(s.throttled);
      expect(s.limit).toBeLessThan(16);
      const retried = results.filter((r) => r.attempts > 1);
      expect(retried.length).toBeGreaterThan(0);
      for (const r of retried) expect(r.totalMs).toBeGreaterThanOrEqual((r as { ms: number }).ms);
    } finally {
      capacity = Infinity;
    }
  });

  it('URL credentials go to the server (Basic auth, query) and nowhere else', async () => {
    const u = new URL(base);
    const url = `http://alice:s3cret-pass@${u.host}/v1?api-key=qk-123456`;
    const c = new ChatClient({ url, name: 'm', retries: 0 });
    expect(await c.complete(ask)).toMatchObject({ content: 'ok' });
    const last = seen.at(-1)!;
    expect(last.url).toBe('/v1/chat/completions?api-key=qk-123456');
    expect(Buffer.from(last.auth!.replace('Basic ', ''), 'base64').toString()).toBe('alice:s3cret-pass');
    expect(c.endpoint).toBe(`http://[redacted]:[redacted]@${u.host}/v1/chat/completions?api-key=[redacted]`);
    // A failure message names the endpoint: redacted.
    const dead = new ChatClient({ url: `http://bob:pw-secret-9@127.0.0.1:${await deadPort()}/v1?key=zz-secret-1`, name: 'm', retries: 0 });
    const r = await dead.complete(ask);
    expect(JSON.stringify(r)).not.toMatch(/pw-secret-9|zz-secret-1|bob/);
    expect(displayUrl('not a url')).toBe('[redacted]');
    expect(requestTarget('http://h/v1')).toEqual({ url: 'http://h/v1' });
  });
});
