import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mme from '../../benchmarks/mme/index.ts';
import { pyFloat } from '../../benchmarks/mme/score.ts';
import type { Sample } from '../../core/benchmark.ts';
import { InputError, ScoreRefusal } from '../../core/errors.ts';
import { readPredictions } from '../../harness/predictions.ts';

const REAL = join(import.meta.dirname, '../../../shared/realdata');

async function loadAll(root: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of mme.load(root)) out.push(s);
  return out;
}

describe('MME on the fixture', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mme-fx-'));
    await mme.writeFixture(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('loads LLaVA prompts joined to the official ground truth, nested images/ included', async () => {
    const samples = await loadAll(root);
    expect(samples).toHaveLength(12);
    const art = samples.find((s) => s.meta.subtask === 'artwork')!;
    expect(art.id).toBe('artwork/images/10001.jpg#1');
    expect(art.prompt).toBe('Is this artwork created by Monet?\nAnswer the question using a single word or phrase.');
    expect(art.meta.officialQuestion).toBe('Is this artwork created by Monet? Please answer yes or no.');
    expect(existsSync((art.image as { path: string }).path)).toBe(true);
  });

  // Per subtask: 3 of 4 questions right and 1 of 2 images with both right → 75 + 50 = 125.
  // artwork pins the first-four-characters rule: "not sure" → no (right), "Sure, yes" → other (wrong), "None" → no.
  for (const [name, rel] of [
    ['LLaVA answer JSONL', 'MME/answers/fixture.jsonl'],
    ['official results folder', 'MME/eval_tool/fixture_results'],
  ]) {
    it(`scores acc + acc+ per subtask from a ${name}`, async () => {
      const samples = await loadAll(root);
      const { answers } = await readPredictions(join(root, rel), mme, samples, root);
      expect(answers.size).toBe(12);
      const s = mme.score(samples, answers);
      expect(s.metrics['perception.existence']).toBe(125);
      expect(s.metrics['perception.artwork']).toBe(125);
      expect(s.metrics['cognition.code_reasoning']).toBe(125);
      expect(s.metrics['existence.acc_plus']).toBe(50);
      expect(s.headline).toBe(250);
      expect(s.metrics['cognition.total']).toBe(125);
      expect(s.counts.failedExtraction).toBe(1);
    });
  }

  it('prints as calculation.py prints (Python float repr)', async () => {
    const samples = await loadAll(root);
    const { answers } = await readPredictions(join(root, 'MME/answers/fixture.jsonl'), mme, samples, root);
    const text = mme.officialSummary(mme.score(samples, answers));
    expect(text).toContain('=========== Perception ===========\ntotal score: 250.0 \n\n\t existence  score: 125.0\n');
    expect(pyFloat(88.33333333333334)).toBe('88.33333333333334');
    expect(pyFloat(185)).toBe('185.0');
  });

  it('names file and line for a row missing a column, and refuses results made for other labels', async () => {
    const samples = await loadAll(root);
    const bad = await mkdtemp(join(tmpdir(), 'mme-bad-'));
    try {
      await cp(join(root, 'MME/eval_tool/fixture_results'), bad, { recursive: true });
      const f = join(bad, 'count.txt');
      await writeFile(join(bad, 'existence.txt'), (await readFile(join(bad, 'existence.txt'), 'utf8')).replace('\tYes\tYes\n', '\tYes\n'));
      await expect(readPredictions(bad, mme, samples, root)).rejects.toThrow(InputError);
      await expect(readPredictions(bad, mme, samples, root)).rejects.toThrow(/existence\.txt:1: expected 4 tab-separated columns/);
      await cp(join(root, 'MME/eval_tool/fixture_results/existence.txt'), join(bad, 'existence.txt'));
      await writeFile(join(bad, 'artwork.txt'), (await readFile(join(bad, 'artwork.txt'), 'utf8')).replace('\tNo\tNone', '\tYes\tNone'));
      await expect(readPredictions(bad, mme, samples, root)).rejects.toThrow(ScoreRefusal);
      expect(f).toContain('count.txt');
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!existsSync(REAL))('MME on ../shared/realdata', () => {
  if (!existsSync(REAL)) console.log('skipped: ../shared/realdata absent');
  it('reproduces LaVIN-13B: perception 963.61, cognition 249.64', async () => {
    const samples = await loadAll(REAL);
    expect(samples).toHaveLength(2374);
    expect(samples.every((s) => s.answer === 'yes' || s.answer === 'no')).toBe(true); // 7 double-space questions found too
    const { answers } = await readPredictions(join(REAL, 'MME/eval_tool/LaVIN'), mme, samples, REAL);
    const s = mme.score(samples, answers);
    expect(s.headline.toFixed(2)).toBe('963.61');
    expect(s.metrics['perception.existence']!.toFixed(2)).toBe('185.00');
    expect(s.metrics['perception.count']!.toFixed(2)).toBe('88.33');
    expect(s.metrics['perception.position']!.toFixed(2)).toBe('63.33');
    expect(s.metrics['cognition.total']!.toFixed(2)).toBe('249.64');
    // Bit-identical to the official script's float (checked with calculation.py's algorithm in Python).
    expect(pyFloat(s.headline)).toBe('963.6114445778312');
  });
});
