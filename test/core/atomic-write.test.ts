// Atomic writes: the file appears whole or not at all, and a failed write leaves no temporary file behind.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeJsonAtomic } from '../../core/atomic-write.ts';

const dir = mkdtempSync(join(tmpdir(), 'eve-eval-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves only it', async () => {
    const f = join(dir, 'results.json');
    writeFileSync(f, 'old');
    await writeJsonAtomic(f, { a: 1 });
    expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual({ a: 1 });
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  it('a failed rename (the target is a folder) removes the temporary file and rethrows', async () => {
    const sub = join(dir, 'fail');
    mkdirSync(join(sub, 'report.html'), { recursive: true });
    await expect(writeFileAtomic(join(sub, 'report.html'), 'x')).rejects.toThrow();
    expect(readdirSync(sub)).toEqual(['report.html']);
  });
});
