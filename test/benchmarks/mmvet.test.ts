import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mmvet from '../../benchmarks/mmvet/index.ts';
import { FIXTURE_GRADES } from '../../benchmarks/mmvet/fixture.ts';
import { officialRound } from '../../benchmarks/shared/rounding.ts';
import type { Sample } from '../../core/benchmark.ts';
import { UserError } from '../../core/errors.ts';
import { readPredictions } from '../../harness/predictions.ts';
import { scoreFile } from '../../harness/commands/score.ts';

describe('MM-Vet on the fixture', () => {
  let root: string;
  let samples: Sample[];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mmvet-fx-'));
    await mmvet.writeFixture(root);
    samples = [];
    for await (const s of mmvet.load(root)) samples.push(s);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('uses the raw question as the prompt (no suffix) and official ids', () => {
    expect(samples.map((s) => s.id)).toEqual(['v1_0', 'v1_1', 'v1_2', 'v1_3']);
    expect(samples[0].prompt).toBe('What is x in the equation?');
    expect(samples[0].maxNewTokens).toBe(1024);
  });

  it('aggregates judge grades per capability and capability set, mean over runs', async () => {
    const { answers } = await readPredictions(join(root, 'mm-vet/grades', FIXTURE_GRADES), mmvet, samples, root);
    const s = mmvet.score(samples, answers);
    // run 1: 1 + 0 + 1 + 0.5 = 2.5 → 62.5; run 2: 1 + 0 + 0.9 + 0.6 = 2.5 → 62.5
    expect(s.headline).toBeCloseTo(62.5, 10);
    expect(s.metrics.std).toBeCloseTo(0, 10);
    expect(s.breakdowns.capability.ocr).toBeCloseTo(77.5, 10); // (75 + 80) / 2
    expect(s.breakdowns.capability.rec).toBeCloseTo(50, 10);
    expect(s.breakdowns.capability.know).toBeCloseTo(95, 10);
    expect(s.breakdowns.capability.math).toBeCloseTo(100, 10);
    expect(s.breakdowns.capability_integration.ocr_math).toBeCloseTo(100, 10);
    expect(s.counts.judged).toBe(4);
    expect(mmvet.officialSummary(s)).toContain('runs: [62.5, 62.5]');
  });

  it('refuses to score without a judge grade file, never a silent zero', async () => {
    const { answers } = await readPredictions(join(root, 'mm-vet/answers/fixture.jsonl'), mmvet, samples, root);
    expect(() => mmvet.score(samples, answers)).toThrow(UserError);
    expect(() => mmvet.score(samples, answers)).toThrow(
      /no judge grades: configure a judge .*, or score the official evaluator's grade file: `eve-eval score --benchmark mmvet --predictions/,
    );
  });

  it('writes the {"v1_0": answer} submission', async () => {
    const { answers } = await readPredictions(join(root, 'mm-vet/answers/fixture.jsonl'), mmvet, samples, root);
    const out = join(root, 'sub.json');
    await mmvet.writeSubmission!(samples, answers, out);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual({
      v1_0: 'x = -1 or x = -5',
      v1_1: 'The car is blue.',
      v1_2: 'France',
      v1_3: 'It says stop.',
    });
  });

  it('rounds as numpy does (half to even)', () => {
    expect(officialRound(36.25, 1, 'numpy')).toBe(36.2);
    expect(officialRound(36.35, 1, 'numpy')).toBe(36.4); // 363.5 after ×10: even is 364
    expect(officialRound(31.15, 1, 'numpy')).toBe(31.2); // ×10 gives 311.5 exactly in float, even is 312 (numpy agrees)
    expect(officialRound(0.25, 1, 'numpy')).toBe(0.2);
  });
});

describe("MM-Vet with LLaVA's question list but no mm-vet.json", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mmvet-notruth-'));
    await mmvet.writeFixture(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('scores a grade file: total, per-run totals and std from the grades; breakdowns marked unavailable, naming the file', async () => {
    const grades = join(root, 'mm-vet/grades', FIXTURE_GRADES);
    const withTruth = await scoreFile({ benchmark: 'mmvet', data: root, predictions: grades });
    await unlink(join(root, 'mm-vet/mm-vet.json'));
    const without = await scoreFile({ benchmark: 'mmvet', data: root, predictions: grades });
    // The totals never depend on capabilities: the same as with the truth file (checked against the official aggregation elsewhere).
    expect(without.output.headline).toBe(withTruth.output.headline);
    for (const k of ['run1.total', 'run2.total', 'std', 'runs']) expect(without.output.metrics[k], k).toBe(withTruth.output.metrics[k]);
    expect(without.output.breakdowns).toEqual({});
    expect(Object.keys(without.output.metrics).some((k) => k.startsWith('integration.') || k === 'rec')).toBe(false);
    expect(without.output.notes!.join(' ')).toMatch(/breakdowns unavailable: they need the official mm-vet.json .* which is absent/);
    expect(mmvet.officialSummary(without.score)).toContain(`total: ${officialRound(without.output.headline, 1, 'numpy').toFixed(1)}`);
  });

  it('without grades says what it needs: the grade file, and mm-vet.json for the judge', async () => {
    const err = await scoreFile({ benchmark: 'mmvet', data: root, predictions: join(root, 'mm-vet/answers/fixture.jsonl') }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /grade file \(`eve-eval score --benchmark mmvet --predictions .*`\); running the judge also needs the official mm-vet.json/,
    );
  });
});
