// `eve-eval serve` under load, measured by wrk (Debian: `apt-get install wrk`), not by eve-eval's own client:
// the tiny EVE bundle, one POPE image + question per request (max_tokens 8), at 1, 8 and 32 concurrent
// connections. Requests/s and p50/p99 latency are wrk's; the mean batch size is the server's own count
// (/health before and after). `npx tsx bench/serve-load.ts [seconds]`; part of `npm run bench` when wrk exists.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** wrk's "Latency Distribution" lines: 50% 12.3ms → ms. */
function percentile(out: string, p: string): number {
  const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
  if (!m) throw new Error(`no ${p}% line in wrk output:\n${out}`);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'];
}

export async function main(seconds = Number(process.argv[2] ?? 10)): Promise<void> {
  if (!hasWrk()) {
    console.log('serve-load: wrk is not installed (apt-get install wrk); skipped');
    return;
  }
  const bundle = join(ROOT, 'fixtures/models/tiny-eve');
  const images = join(ROOT, 'fixtures/data/pope/val2014');
  const name = readdirSync(images).sort()[0];
  const image = readFileSync(join(images, name)).toString('base64');
  // The synthetic set's POPE images are PNG or JPEG, named by their encoding.
  const mime = name.endsWith('.png') ? 'image/png' : 'image/jpeg';
  const body = JSON.stringify({
    model: 'tiny-eve',
    max_tokens: 8,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: `data:${mime};base64,${image}` } },
          { type: 'text', text: 'Is there a dog in the image?\nAnswer the question using a single word or phrase.' },
        ],
      },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'serve-load-'));
  const script = join(dir, 'post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`);

  const server = spawn(
    process.execPath,
    [join(ROOT, 'bin/eve-eval.js'), 'serve', '--model', bundle, '--port', '0', '--max-batch', '32', '--max-queue', '256'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr!.on('data', (d) => (log += d));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /on (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(log);
      if (m) {
        clearInterval(t);
        resolve(m[1]);
      }
    }, 50);
    server.on('close', () => reject(new Error(`serve exited: ${log}`)));
  });
  // A fresh connection each time: a kept-alive one may be closed by the server between levels.
  const health = async () => (await (await fetch(`${url}/health`, { headers: { connection: 'close' } })).json()) as { served: number; batches: number };
  try {
    console.log(`serve-load: tiny-eve, POPE image, max_tokens 8, ${seconds} s per level, wrk`);
    console.log('| concurrent clients | requests/s | p50 latency | p99 latency | mean batch size | non-2xx |');
    console.log('|---|---|---|---|---|---|');
    for (const c of [1, 8, 32]) {
      const before = await health();
      const out = execFileSync(
        'wrk',
        ['-t', String(Math.min(c, 2)), '-c', String(c), '-d', `${seconds}s`, '--latency', '--timeout', '30s', '-s', script, `${url}/v1/chat/completions`],
        { encoding: 'utf8' },
      );
      const after = await health();
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const mean = (after.served - before.served) / Math.max(1, after.batches - before.batches);
      console.log(
        `| ${c} | ${rps.toFixed(1)} | ${percentile(out, '50').toFixed(0)} ms | ${percentile(out, '99').toFixed(0)} ms | ${mean.toFixed(2)} | ${non2xx} |`,
      );
    }
  } finally {
    server.kill('SIGTERM');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
