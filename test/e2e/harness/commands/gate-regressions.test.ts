// The CI gate against the committed baseline (ci/baseline-results.json, the trained tiny models on the embedded
// default data) catches real regressions, not only edited answer files:
//   - the same three bundles re-exported from untrained checkpoints (fixtures/models/generate.ts --checkpoints):
//     exit 1, naming the benchmarks that fell;
//   - the trained bundles with a broken preprocessing step (red and blue swapped in every family's pixel
//     tensor, in process): exit 1;
//   - an unchanged rerun: exit 0 (the CI workflow test in all.test.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { exportCheckpoint } from '../../../../adapters/export.ts';
import { getFamily } from '../../../../adapters/registry.ts';
import type { PixelInput } from '../../../../core/model-family.ts';
import type { ResultsFile } from '../../../../core/records.ts';
import { writeCheckpoints } from '../../../../fixtures/models/generate.ts';
import { flagsFrom, runCommand } from '../../../../harness/runner/command.ts';
import { cli } from '../../cli.ts';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const BIN = join(ROOT, 'bin/eve-eval.js');
const BASELINE = join(ROOT, 'ci/baseline-results.json');
const ready = existsSync(BASELINE) && existsSync(join(ROOT, 'fixtures/checkpoints/tiny-eve'));
if (!ready) console.warn('gate-regressions.test: no ci/baseline-results.json or trained checkpoints; skipped');

const baseline = ready ? (JSON.parse(readFileSync(BASELINE, 'utf8')) as ResultsFile) : undefined;
const MODELS = ['tiny-eve', 'tiny-llava', 'tiny-fuyu'];
const BENCHMARKS = [...new Set((baseline?.results ?? []).filter((r) => MODELS.includes(r.model)).map((r) => r.benchmark))];
const tmp: string[] = [];
const temp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  tmp.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function gate(current: string) {
  return spawnSync(process.execPath, [BIN, 'gate', '--baseline', BASELINE, '--current', current, '--allow-missing'], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
}

/** "model benchmark" pairs the gate's table marks regressed. */
function regressed(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /\bregressed\b/.test(l))
    .map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '));
}

/** Red and blue swapped in a family's pixel tensor: planes 0 and 2 (channels first), or every RGB triple (Fuyu's patches). */
function swapRedBlue(px: PixelInput): PixelInput {
  const d = px.data.slice();
  if (px.dims.length === 3) {
    for (let i = 0; i + 2 < d.length; i += 3) [d[i], d[i + 2]] = [d[i + 2], d[i]];
  } else {
    const [, c, h, w] = px.dims;
    const plane = h * w;
    if (c < 3) throw new Error(`unexpected pixel dims ${px.dims}`);
    for (let b = 0; b < d.length; b += c * plane) {
      const red = d.slice(b, b + plane);
      d.copyWithin(b, b + 2 * plane, b + 3 * plane);
      d.set(red, b + 2 * plane);
    }
  }
  return { ...px, data: d };
}

describe.skipIf(!ready)('the gate against the trained baseline', () => {
  it('bundles re-exported from untrained checkpoints: exit 1, naming what fell', async () => {
    const work = temp('gate-untrained-');
    const models: string[] = [];
    for (const ckpt of writeCheckpoints(join(work, 'checkpoints'))) {
      const name = ckpt
        .split('/')
        .pop()!
        .replace(/-checkpoint$/, '');
      const out = join(work, 'models', name);
      exportCheckpoint({ checkpoint: ckpt, out, precisions: ['fp32'] });
      models.push(out);
    }
    const out = join(work, 'run');
    // Asynchronously: a spawnSync of this minute-long run blocks the test worker, whose calls to vitest time out after 60 s.
    const all = await cli(['all', '--models', models.join(','), '--benchmarks', BENCHMARKS.join(','), '--out', out]);
    expect(all.status, all.stderr).toBe(0);
    const g = gate(join(out, 'results.json'));
    console.log(`gate, untrained re-export:\n${g.stdout}`);
    expect(g.status, g.stdout + g.stderr).toBe(1);
    expect(g.stdout).toMatch(/gate: FAIL/);
    const fell = regressed(g.stdout);
    for (const m of MODELS)
      expect(
        fell.some((x) => x.startsWith(`${m} `)),
        `${m} among ${fell}`,
      ).toBe(true);
  }, 900_000);

  it('a broken preprocessing step (red and blue swapped): exit 1', async () => {
    const out = temp('gate-swapped-');
    const originals = MODELS.map((m) => getFamily(m.slice('tiny-'.length)));
    const saved = originals.map((f) => f.preprocess);
    const env = process.env.EVE_EVAL_PREPROCESS_WORKERS;
    process.env.EVE_EVAL_PREPROCESS_WORKERS = '0'; // in this thread, where the patch is
    try {
      originals.forEach((f, i) => {
        f.preprocess = async (...args) => swapRedBlue(await saved[i].apply(f, args));
      });
      const code = await runCommand(flagsFrom({ benchmarks: BENCHMARKS, out, concurrency: 1 }));
      expect(code).toBe(0);
    } finally {
      originals.forEach((f, i) => {
        f.preprocess = saved[i];
      });
      if (env === undefined) delete process.env.EVE_EVAL_PREPROCESS_WORKERS;
      else process.env.EVE_EVAL_PREPROCESS_WORKERS = env;
    }
    const g = gate(join(out, 'results.json'));
    console.log(`gate, red and blue swapped:\n${g.stdout}`);
    expect(g.status, g.stdout + g.stderr).toBe(1);
    expect(regressed(g.stdout).length).toBeGreaterThan(0);
  }, 900_000);
});
