import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/eve-eval.js', import.meta.url));

describe('eve-eval CLI', () => {
  it('prints its version', () => {
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it('exits 2 on an unknown command', () => {
    const r = spawnSync(process.execPath, [BIN, 'no-such-command'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
  });
});
