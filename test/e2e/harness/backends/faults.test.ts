// The remote backend against a loopback server that misbehaves: 429 with Retry-After, 500, answers past the
// timeout, dropped connections, and finally a server stopped for good. Runs are the real CLI, spawned.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../cli.ts';
import { BENCHMARKS } from '../../../../benchmarks/registry.ts';
import { loadSamples, resolveSplit } from '../../../../harness/predictions.ts';

// The hand-made fixtures (writeFixture) in a temporary folder: small, so the injected faults are a large share of
// the requests. ScienceQA's has text-only questions too.
const RUN_BENCHMARKS = ['pope', 'mme', 'sqa'] as const;
let DATA: string;
/** Questions in the run: every one is asked once (and retried) by the remote model. */
let QUESTIONS: number;
beforeAll(async () => {
  DATA = await mkdtemp(join(tmpdir(), 'faults-data-'));
  QUESTIONS = 0;
  for (const id of RUN_BENCHMARKS) {
    await BENCHMARKS[id].writeFixture(DATA);
    QUESTIONS += (await loadSamples(BENCHMARKS[id], DATA, await resolveSplit(BENCHMARKS[id], DATA, undefined))).length;
  }
});
afterAll(() => rm(DATA, { recursive: true, force: true }));

const USER_SECRET = 'userpass-7Hq2';
const QUERY_SECRET = 'querykey-9Zx4';

/** The answer a correct server gives: a function of the request's messages alone, so any rerun agrees. */
function answerFor(body: { messages: unknown }): string {
  return `a${createHash('sha256').update(JSON.stringify(body.messages)).digest('hex').slice(0, 10)}`;
}

interface FaultServer {
  server: Server;
  port: number;
  seen: number;
  injected: { throttled: number; failed: number; hung: number; dropped: number };
  badAuth: number;
}

/** fault(k) picks what the k-th request (1-based) gets. */
async function startFaultServer(fault: (k: number) => 'ok' | '429' | '500' | 'hang' | 'drop' | 'die', port = 0): Promise<FaultServer> {
  const st: FaultServer = { server: undefined as unknown as Server, port: 0, seen: 0, injected: { throttled: 0, failed: 0, hung: 0, dropped: 0 }, badAuth: 0 };
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const c of req) raw += c;
    const k = ++st.seen;
    const expected = `Basic ${Buffer.from(`eval:${USER_SECRET}`).toString('base64')}`;
    if (req.headers.authorization !== expected || !req.url?.includes(`key=${QUERY_SECRET}`)) st.badAuth++;
    const what = fault(k);
    if (what === '429') {
      st.injected.throttled++;
      res.writeHead(429, { 'retry-after': '1' });
      return void res.end('slow down');
    }
    if (what === '500') {
      st.injected.failed++;
      res.statusCode = 500;
      return void res.end('internal error');
    }
    if (what === 'hang') {
      st.injected.hung++;
      return void setTimeout(() => res.destroy(), 4000);
    }
    if (what === 'drop') {
      st.injected.dropped++;
      return void req.socket.destroy();
    }
    if (what === 'die') {
      st.server.close();
      st.server.closeAllConnections();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ choices: [{ message: { content: answerFor(JSON.parse(raw)) } }], usage: { prompt_tokens: 5, completion_tokens: 1 } }));
  };
  st.server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => st.server.listen(port, '127.0.0.1', r));
  st.port = (st.server.address() as AddressInfo).port;
  return st;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

function config(dir: string, port: number, extra: Record<string, unknown>): string {
  const file = join(dir, 'eval.json');
  writeFileSync(
    file,
    JSON.stringify({
      models: [
        { name: 'remote', url: `http://eval:${USER_SECRET}@127.0.0.1:${port}/v1?key=${QUERY_SECRET}`, model: 'm', timeoutMs: 1000, concurrency: 4, ...extra },
      ],
      benchmarks: RUN_BENCHMARKS,
      data: DATA,
      out: join(dir, 'out'),
    }),
  );
  return file;
}

type Rec = { id: string; text: string; error?: { kind: string }; request?: { attempts: number; latency_ms: number } };
function records(out: string): Map<string, Rec[]> {
  const dir = join(out, 'predictions', 'remote');
  const byFile = new Map<string, Rec[]>();
  if (!existsSync(dir)) return byFile;
  for (const f of readdirSync(dir)) {
    const text = readFileSync(join(dir, f), 'utf8');
    expect(text === '' || text.endsWith('\n'), `${f} ends with a whole line`).toBe(true);
    byFile.set(
      f,
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    );
  }
  return byFile;
}
function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}
function expectNoSecrets(dir: string, ...logs: string[]): void {
  for (const f of allFiles(dir)) {
    const t = readFileSync(f, 'latin1');
    expect(t.includes(USER_SECRET) || t.includes(QUERY_SECRET), f).toBe(false);
  }
  for (const l of logs) expect(l.includes(USER_SECRET) || l.includes(QUERY_SECRET)).toBe(false);
}

describe('remote backend under faults (spawned eve-eval run, loopback server)', () => {
  it('429 / 500 / timeouts / dropped connections: the run completes, every retry counted, nothing lost or duplicated, no credential written', async () => {
    const cycle = ['ok', '429', 'ok', '500', 'hang', 'ok', 'drop', 'ok'] as const;
    const srv = await startFaultServer((k) => cycle[(k - 1) % cycle.length]);
    servers.push(srv.server);
    const dir = await mkdtemp(join(tmpdir(), 'faults-'));
    const r = await cli(['all', '--config', config(dir, srv.port, { retries: 8, breakerThreshold: 20 })]);
    expect(r.status, r.stderr).toBe(0);
    expect(srv.badAuth).toBe(0);
    const recs = records(join(dir, 'out'));
    let attempts = 0;
    let total = 0;
    for (const [file, list] of recs) {
      const ids = list.map((x) => x.id);
      expect(new Set(ids).size, `${file}: one line per id`).toBe(ids.length);
      for (const x of list) {
        expect(x.error, `${file} ${x.id}`).toBeUndefined();
        attempts += x.request!.attempts;
      }
      total += list.length;
    }
    expect(total).toBe(QUESTIONS);
    expect(QUESTIONS).toBeGreaterThan(10);
    // Every request the server saw belongs to exactly one record's attempts.
    expect(attempts).toBe(srv.seen);
    const faults = srv.injected.throttled + srv.injected.failed + srv.injected.hung + srv.injected.dropped;
    expect(faults).toBeGreaterThan(8);
    expect(srv.injected.hung).toBeGreaterThan(0);
    expect(srv.injected.dropped).toBeGreaterThan(0);
    expect(r.stderr).toContain(
      `remote: ${total} requests to http://[redacted]:[redacted]@127.0.0.1:${srv.port}/v1/chat/completions?key=[redacted], ${faults} retries, ${srv.injected.throttled} answered 429`,
    );
    // The answers are the ones a healthy server gives (the same function of each request).
    const clean = await startFaultServer(() => 'ok');
    servers.push(clean.server);
    const dir2 = await mkdtemp(join(tmpdir(), 'clean-'));
    const c = await cli(['all', '--config', config(dir2, clean.port, {})]);
    expect(c.status, c.stderr).toBe(0);
    const strip = (m: Map<string, Rec[]>) => Object.fromEntries([...m].map(([f, l]) => [f, l.map((x) => [x.id, x.text])]));
    expect(strip(recs)).toEqual(strip(records(join(dir2, 'out'))));
    expectNoSecrets(join(dir, 'out'), r.stdout, r.stderr);
  });

  it('a server stopped for good: the run stops with one clear line (exit 1) after a few attempts; with the server back, the rerun completes', async () => {
    const srv = await startFaultServer((k) => (k <= 10 ? 'ok' : 'die'));
    servers.push(srv.server);
    const dir = await mkdtemp(join(tmpdir(), 'dead-'));
    const cfg = config(dir, srv.port, { retries: 2, breakerThreshold: 4 });
    const started = performance.now();
    const r = await cli(['all', '--config', cfg]);
    const seconds = (performance.now() - started) / 1000;
    expect(r.status, r.stderr).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('eve-eval: '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/model "remote": .*failed 4 times in a row .*rerun the same command to resume/);
    expect(seconds).toBeLessThan(60);
    const before = records(join(dir, 'out'));
    const kept = [...before.values()].flat();
    expect(kept.filter((x) => !x.error).length).toBe(10);
    for (const list of before.values()) expect(new Set(list.map((x) => x.id)).size).toBe(list.length);
    expect(existsSync(join(dir, 'out', 'results.json')) ? JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')).results.length : 0).toBe(0);
    expect(allFiles(join(dir, 'out')).filter((f) => /\.tmp-\d+$/.test(f))).toEqual([]);

    // Back on the same port: the rerun resumes the 10 answers and asks only for the rest.
    const back = await startFaultServer(() => 'ok', srv.port);
    servers.push(back.server);
    const again = await cli(['all', '--config', cfg]);
    expect(again.status, again.stderr).toBe(0);
    const after = records(join(dir, 'out'));
    const all = [...after.values()].flat();
    expect(all).toHaveLength(QUESTIONS);
    expect(all.every((x) => !x.error)).toBe(true);
    expect(back.seen).toBe(QUESTIONS - 10);
    for (const list of after.values()) expect(new Set(list.map((x) => x.id)).size).toBe(list.length);
    expectNoSecrets(join(dir, 'out'), r.stdout, r.stderr, again.stdout, again.stderr);
  });
});
