// One run per --out folder: a live holder refuses a second run with its pid; a dead one's lock is taken over.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_NAME, lockOut } from '../../../../harness/runner/out-lock.ts';

const root = mkdtempSync(join(tmpdir(), 'eve-eval-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('lockOut', () => {
  it('takes the lock with this pid and releases it', () => {
    const out = join(root, 'a');
    const release = lockOut(out);
    expect(readFileSync(join(out, LOCK_NAME), 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(join(out, LOCK_NAME))).toBe(false);
  });

  it('refuses while another live process holds it, naming its pid', async () => {
    const out = join(root, 'b');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      lockOut(out)();
      writeFileSync(join(out, LOCK_NAME), `${holder.pid}\n`);
      expect(() => lockOut(out)).toThrow(`${out}: another eve-eval run (pid ${holder.pid}) is writing here; wait for it to finish or choose another --out`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a second `eve-eval run` into a folder a live run holds exits 2 with one line, touching nothing', () => {
    const out = join(root, 'cli');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      lockOut(out)();
      writeFileSync(join(out, LOCK_NAME), `${holder.pid}\n`);
      const bin = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'eve-eval.js');
      const model = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'models', 'tiny-eve');
      const r = spawnSync(process.execPath, [bin, 'run', '--models', model, '--benchmarks', 'pope', '--limit', '1', '--out', out], {
        encoding: 'utf8',
        env: { ...process.env, CI: 'true' },
      });
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(`eve-eval: ${out}: another eve-eval run (pid ${holder.pid}) is writing here; wait for it to finish or choose another --out`);
      expect(existsSync(join(out, 'results.json'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it("takes over a dead process's lock, saying so", () => {
    const out = join(root, 'c');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    lockOut(out)();
    writeFileSync(join(out, LOCK_NAME), `${gone.stdout}\n`);
    const notes: string[] = [];
    const release = lockOut(out, (l) => notes.push(l));
    expect(notes).toEqual([`eve-eval: ${join(out, LOCK_NAME)}: stale lock of pid ${gone.stdout} (no such process) taken over`]);
    expect(readFileSync(join(out, LOCK_NAME), 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});
