// Model names become folder names under a run directory; one that could climb out of it never does.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../../harness/config.ts';
import { isPathSegment } from '../../core/path-segment.ts';
import { loadRunDir } from '../../reports/load.ts';

const REPO = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'eve-eval-segment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model names as path segments', () => {
  it('accepts plain names and refuses climbing ones', () => {
    for (const ok of ['eve-7b', 'LLaVA 1.5', 'tiny.eve', '..hidden']) expect(isPathSegment(ok), ok).toBe(true);
    for (const bad of ['', '.', '..', '../x', 'a/b', 'a\\b', 'C:x', 'x\0y']) expect(isPathSegment(bad), JSON.stringify(bad)).toBe(false);
  });

  it('a config naming a model "../../x" is refused before anything is written', async () => {
    const file = join(dir, 'eval.json');
    writeFileSync(file, JSON.stringify({ models: [{ name: '../../x', path: 'fixtures/models/tiny-eve' }], benchmarks: ['pope'] }));
    await expect(resolveConfig({ config: file })).rejects.toThrow('model name "../../x" cannot name a folder of the run');
  });

  it('report on a results file naming "../../x" does not read outside the run folder', async () => {
    const run = join(dir, 'run');
    mkdirSync(join(run, 'predictions'), { recursive: true });
    // A predictions file the climbing name would reach: it must not be read.
    mkdirSync(join(dir, 'x'), { recursive: true });
    writeFileSync(join(dir, 'x', 'pope.jsonl'), '{"id":"1"}\n');
    // The committed CI baseline, with one model renamed: a real results file.
    const results = JSON.parse(readFileSync(join(REPO, 'ci', 'baseline-results.json'), 'utf8')) as { results: { model: string }[] };
    const victim = results.results[0].model;
    for (const r of results.results) if (r.model === victim) r.model = '../../x';
    writeFileSync(join(run, 'results.json'), JSON.stringify(results));
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const data = await loadRunDir(run);
      expect(data.results.results.some((r) => r.model === '../../x')).toBe(true);
      expect(data.predictions.has('../../x')).toBe(false);
      expect(warn.mock.calls.map((c) => String(c[0])).join('')).toContain('model "../../x" cannot name a folder');
    } finally {
      warn.mockRestore();
    }
  });
});
