// gate and report warn, naming the files, when the results they compare were computed on different data.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pope from '../../benchmarks/pope/index.ts';
import mme from '../../benchmarks/mme/index.ts';
import type { ResultsFile } from '../../core/records.ts';
import { loadSamples, readPredictions } from '../../harness/predictions.ts';
import { toResult } from '../../harness/commands/score.ts';
import { hashDataFiles } from '../../harness/runner/manifest.ts';
import { compareResults, renderGate } from '../../reports/gate.ts';
import { reportDataWarnings } from '../../reports/data-drift.ts';

let a: string;
let b: string;

async function fileFor(root: string, model: string, perResult = true): Promise<ResultsFile> {
  const samples = await loadSamples(pope, root, 'test');
  const { answers } = await readPredictions(join(root, 'pope/answers/fixture.jsonl'), pope, samples, root);
  const result = await toResult(model, pope, 'test', pope.score(samples, answers), samples, answers);
  const dataFiles = await hashDataFiles(root, ['pope', 'MME']);
  if (perResult) result.dataFiles = await hashDataFiles(root, ['pope']);
  return {
    schema: 'eve-eval/results@1',
    manifest: {
      eveEvalVersion: 'x',
      gitSha: null,
      node: process.version,
      onnxruntime: null,
      executionProvider: null,
      modelFiles: {},
      dataFiles,
      adapterVersions: {},
      config: {},
      seed: 0,
      startedAt: new Date(0).toISOString(),
    },
    results: [result],
  };
}

beforeAll(async () => {
  a = await mkdtemp(join(tmpdir(), 'drift-a-'));
  await pope.writeFixture(a);
  await mme.writeFixture(a);
  b = `${a}-b`;
  cpSync(a, b, { recursive: true });
  // The same labels in another order: the score cannot tell, the checksum can.
  const label = join(b, 'pope/coco/coco_pope_random.json');
  writeFileSync(label, readFileSync(label, 'utf8').trim().split('\n').reverse().join('\n') + '\n');
});
afterAll(async () => {
  await rm(a, { recursive: true, force: true });
  await rm(b, { recursive: true, force: true });
});

describe('data drift warnings', () => {
  it('gate names the label file that differs, and passes on the score', async () => {
    const base = await fileFor(a, 'm');
    const cur = await fileFor(b, 'm');
    expect(cur.results[0].headline).toBe(base.results[0].headline);
    const report = compareResults(base, cur);
    expect(report.failed).toBe(false);
    expect(report.dataWarnings).toHaveLength(1);
    expect(report.dataWarnings[0]).toMatch(/^m \/ pope: baseline and current read different data: different contents: pope\/coco\/coco_pope_random\.json \(/);
    expect(renderGate(report, false)).toContain('warning: m / pope: baseline and current read different data');
    expect(compareResults(base, await fileFor(a, 'm')).dataWarnings).toEqual([]);
  });

  it('falls back to the manifest list cut to the benchmark folder for older results files', async () => {
    const base = await fileFor(a, 'm', false);
    const cur = await fileFor(b, 'm', false);
    // An MME file differs too, but only the POPE row is compared: it must name the POPE file alone.
    const mmeFile = Object.keys(cur.manifest.dataFiles).find((p) => p.startsWith('MME/'))!;
    cur.manifest.dataFiles[mmeFile] = '0'.repeat(64);
    const [w] = compareResults(base, cur).dataWarnings;
    expect(w).toContain('pope/coco/coco_pope_random.json');
    expect(w).not.toContain('MME/');
  });

  it('report warns when two models in one results file were scored on different data', async () => {
    const one = await fileFor(a, 'first');
    const two = await fileFor(b, 'second');
    const merged: ResultsFile = { ...one, results: [...one.results, ...two.results] };
    expect(reportDataWarnings(merged)).toEqual([
      expect.stringMatching(/^pope: first and second were scored on different data: different contents: pope\/coco\/coco_pope_random\.json/),
    ]);
    expect(reportDataWarnings({ ...one, results: [...one.results, ...(await fileFor(a, 'third')).results] })).toEqual([]);
  });
});
