// Every command in the README's examples runs as written on a fresh clone: each ```bash block after the set-up
// block is run line by line, in order, in a copy of the working tree (so runs/ and friends start empty), with
// no shell: a line is split into arguments as a shell would split it, and shell operators are refused. A line
// whose comment says "exits N" must exit N; every other line must exit 0. A line "in another terminal" (a server)
// is started in the background and must answer GET /health on its --port before the next line runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const SKIP_COPY = new Set(['node_modules', '.git', 'runs', '.venv-ref', '.bench', 'test-artifacts']);

/** The README's example commands: one entry per command line of every bash block but the first. */
interface ReadmeCommand {
  line: number;
  text: string;
  exit: number;
  background: boolean;
}

function readmeCommands(markdown: string): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  const lines = markdown.split('\n');
  let inBash = false;
  let block = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!inBash && l.trim() === '```bash') {
      inBash = true;
      block++;
      continue;
    }
    if (inBash && l.trim() === '```') {
      inBash = false;
      continue;
    }
    if (!inBash || block === 1) continue;
    let text = l;
    const start = i + 1;
    while (text.endsWith('\\') && i + 1 < lines.length) text = text.slice(0, -1) + ' ' + lines[++i];
    const code = stripComment(text);
    const words = code.trim();
    const comment = text.slice(code.length);
    const exit = Number(/\bexits (\d+)\b/.exec(comment)?.[1] ?? 0);
    if (words) out.push({ line: start, text: words, exit, background: /\bin another terminal\b/.test(comment) });
  }
  return out;
}

/** Everything before an unquoted "#" that starts a word. */
function stripComment(text: string): string {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) quote = c === quote ? '' : quote;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i);
  }
  return text;
}

/** Split as a POSIX shell splits words (quotes, no expansion); operators are refused. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end === -1) throw new Error(`unclosed quote in: ${text}`);
      word += text.slice(i + 1, end);
      has = true;
      i = end;
    } else if (/\s/.test(c)) {
      if (has) words.push(word);
      word = '';
      has = false;
    } else if ('|&;<>$`'.includes(c)) {
      throw new Error(`shell operator "${c}" in a README example (examples must run without a shell): ${text}`);
    } else {
      word += c;
      has = true;
    }
  }
  if (has) words.push(word);
  return words;
}

function argv(words: string[]): string[] {
  const tsx = join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  if (words[0] === 'npx' && words[1] === 'eve-eval') return [process.execPath, join('bin', 'eve-eval.js'), ...words.slice(2)];
  if (words[0] === 'npx' && words[1] === 'tsx') return [process.execPath, tsx, ...words.slice(2)];
  if (words[0] === 'bash') return words;
  throw new Error(`a README example that is not an eve-eval, tsx or bash command: ${words.join(' ')}`);
}

const clone = mkdtempSync(join(tmpdir(), 'readme-'));
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) s.kill('SIGTERM');
  rmSync(clone, { recursive: true, force: true });
});

/** Start a server line and wait until its /health answers (or it exits, which fails the example). */
async function startServer(cmd: string, args: string[], where: string): Promise<void> {
  const port = args[args.indexOf('--port') + 1];
  if (!args.includes('--port') || !port) throw new Error(`${where}: a server example needs --port`);
  // Its log goes to a file, not a pipe: nothing reads it while the client lines run, and a pipe nobody drains
  // would block the server.
  const log = join(clone, `server-${port}.log`);
  const child = spawn(cmd, args, { cwd: clone, stdio: ['ignore', 'ignore', openSync(log, 'w')], env: { ...process.env, CI: 'true' } });
  servers.push(child);
  const stderr = () => readFileSync(log, 'utf8');
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${where}: the server exited ${child.exitCode}: ${stderr().slice(-1000)}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${where}: no /health answer on port ${port} within 120 s`);
}

/**
 * Run one example to its end, asynchronously: a spawnSync of a minutes-long `all` run would block the test worker's
 * event loop, and vitest's worker calls time out after 60 s.
 */
function runCommand(cmd: string, args: string[]): Promise<{ status: number | null; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: clone, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: 'true', FORCE_COLOR: '0' } });
    let stderr = '';
    let error: Error | undefined;
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      error = new Error('timed out after 600 s');
      child.kill('SIGKILL');
    }, 600_000);
    child.on('error', (e) => (error = e));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr, error });
    });
  });
}

describe('README examples', () => {
  const commands = readmeCommands(readFileSync(join(REPO, 'README.md'), 'utf8'));

  it('has examples to run', () => {
    expect(commands.length).toBeGreaterThan(10);
  });

  it('each runs as written on a fresh copy of the working tree, in order, exiting 0 (or as its comment says)', async () => {
    cpSync(REPO, clone, { recursive: true, filter: (src) => !SKIP_COPY.has(relative(REPO, src).split('/')[0]!) });
    symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'));
    for (const { line, text, exit, background } of commands) {
      const [cmd, ...args] = argv(shellWords(text));
      if (background) {
        await startServer(cmd!, args, `README.md:${line}`);
        continue;
      }
      const r = await runCommand(cmd!, args);
      expect(r.status, `README.md:${line}: ${text}\n${(r.stderr || r.error?.message || '').slice(-2000)}`).toBe(exit);
    }
    // Every example in a row: the `all` runs on the synthetic set (500 questions) take minutes on a loaded 2-core machine.
  }, 1_800_000);
});
