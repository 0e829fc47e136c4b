// A disk that fills up mid-run, for real: the run folder sits on a 24 KB tmpfs, so the kernel answers ENOSPC
// part-way through the second benchmark. The run must end with one line (exit 3), leave no temporary file and
// no torn line, keep every finished answer, and resume to completion once there is room.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../commands/cli-helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const MODEL = join(ROOT, 'fixtures', 'models', 'tiny-eve');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** A small tmpfs needs root (CI runs as root); elsewhere the test says why it cannot run. */
function mountTinyDisk(): { dir: string } | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'disk-full-'));
  if (process.getuid?.() !== 0) return { skip: 'mounting a 24 KB tmpfs needs root' };
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24k', 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? { dir } : { skip: `mount -t tmpfs failed: ${r.stderr.trim() || r.error?.message}` };
}

const disk = mountTinyDisk();
if ('skip' in disk) console.log(`disk-full test skipped: ${disk.skip}`);
const mounted = 'dir' in disk ? disk.dir : undefined;
afterAll(() => {
  if (mounted) {
    spawnSync('umount', [mounted]);
    rmSync(mounted, { recursive: true, force: true });
  }
});

describe.skipIf(!mounted)('a full disk mid-run', () => {
  it('ends with one line and exit 3, nothing torn or temporary left; the rerun completes from what was kept', () => {
    const out = join(mounted!, 'run');
    const args = ['run', '--models', MODEL, '--benchmarks', 'pope,mme'];
    const full = cli(...args, '--out', out);
    expect(full.status).toBe(3);
    const last = full.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(
      /^eve-eval: out of disk space writing .*: \d+ finished answers? (is|are) kept in .*predictions; free some space and rerun the same command to resume$/,
    );
    expect(full.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const kept = Number(/: (\d+) finished/.exec(last)![1]);
    expect(kept).toBeGreaterThan(0);

    const files = filesUnder(out);
    expect(files.filter((f) => /\.tmp-\d+$/.test(f))).toEqual([]);
    let lines = 0;
    for (const f of files.filter((f) => f.endsWith('.jsonl'))) {
      for (const line of readFileSync(f, 'utf8').split('\n').filter(Boolean)) {
        expect(() => JSON.parse(line), `${f}: a torn line`).not.toThrow();
        if (f.includes(`${join('run', 'predictions')}`)) lines++;
      }
    }
    expect(lines).toBe(kept);

    // Room again: the same command on a copy of the folder resumes, generating only what was missing.
    const roomy = mkdtempSync(join(tmpdir(), 'disk-full-rerun-'));
    try {
      cpSync(out, join(roomy, 'run'), { recursive: true });
      const rerun = cli(...args, '--out', join(roomy, 'run'));
      expect(rerun.status, rerun.stderr).toBe(0);
      expect(rerun.stderr).toMatch(/resumed/);
      const pope = readFileSync(join(roomy, 'run', 'predictions', 'tiny-eve', 'pope.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean);
      const ids = pope.map((l) => JSON.parse(l).id as string);
      expect(new Set(ids).size).toBe(ids.length);
      const results = JSON.parse(readFileSync(join(roomy, 'run', 'results.json'), 'utf8'));
      expect(results.results.map((r: { benchmark: string }) => r.benchmark).sort()).toEqual(['mme', 'pope']);
    } finally {
      rmSync(roomy, { recursive: true, force: true });
    }
  });
});
