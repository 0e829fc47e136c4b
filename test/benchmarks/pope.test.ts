import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pope from '../../benchmarks/pope/index.ts';
import { popeMetrics } from '../../benchmarks/pope/score.ts';
import type { Sample } from '../../core/benchmark.ts';
import { ScoreRefusal } from '../../core/errors.ts';
import { readPredictions } from '../../harness/predictions.ts';
import sharp from 'sharp';

const REAL = join(import.meta.dirname, '../../../shared/realdata');

async function loadAll(root: string, split?: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of pope.load(root, { split })) out.push(s);
  return out;
}

describe('POPE metrics', () => {
  it('follows eval_pope.py formulas and guards zero divisions', () => {
    const m = popeMetrics({ tp: 2, fp: 1, tn: 1, fn: 0, yes: 3, n: 4 });
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBe(1);
    expect(m.f1).toBeCloseTo(0.8, 12);
    expect(m.accuracy).toBe(0.75);
    expect(m.yesRatio).toBe(0.75);
    const none = popeMetrics({ tp: 0, fp: 0, tn: 2, fn: 2, yes: 0, n: 4 });
    expect(none.precision).toBeNull();
    expect(none.f1).toBe(0);
  });
});

describe('POPE on the fixture', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pope-fx-'));
    await pope.writeFixture(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('writes the real layout with varied image shapes', async () => {
    expect(await pope.present(root)).toBe(true);
    const samples = await loadAll(root);
    expect(samples).toHaveLength(12);
    expect(samples[0].prompt).toBe('Is there a dog in the image?\nAnswer the question using a single word or phrase.');
    const sizes = new Set<string>();
    for (const s of samples) {
      const m = await sharp((s.image as { path: string }).path).metadata();
      sizes.add(`${m.width}x${m.height}`);
    }
    expect(sizes).toEqual(new Set(['1600x533', '180x540', '48x36', '640x480']));
  });

  it('scores hand-computed F1 per split, default-yes included', async () => {
    const samples = await loadAll(root);
    const { answers } = await readPredictions(join(root, 'pope/answers/fixture.jsonl'), pope, samples, root);
    const s = pope.score(samples, answers);
    // adversarial: TP, TN, FN ("There is not a car."), FP ("NO" → yes): P = R = F1 = 0.5
    expect(s.metrics['adversarial.f1']).toBeCloseTo(50, 10);
    expect(s.metrics['popular.f1']).toBeCloseTo(100, 10);
    // random: "Nope" → yes (TP), TN, TP, FP: P 2/3, R 1, F1 0.8, accuracy 0.75, yes-ratio 0.75
    expect(s.metrics['random.f1']).toBeCloseTo(80, 10);
    expect(s.metrics['random.accuracy']).toBeCloseTo(75, 10);
    expect(s.metrics['random.yes_ratio']).toBeCloseTo(75, 10);
    expect(s.headline).toBeCloseTo((50 + 100 + 80) / 3, 10);
    expect(s.counts).toMatchObject({ samples: 12, predicted: 12, missing: 0 });
  });

  it('counts missing predictions as wrong', async () => {
    const samples = await loadAll(root, 'popular');
    const { answers } = await readPredictions(join(root, 'pope/answers/fixture.jsonl'), pope, samples, root);
    answers.delete(samples[0].id); // a "yes" question without an answer
    const s = pope.score(samples, answers);
    expect(s.counts.missing).toBe(1);
    expect(s.metrics['popular.accuracy']).toBeCloseTo(75, 10);
    expect(s.headlineName).toContain('popular');
  });
});

describe.skipIf(!existsSync(REAL))('POPE on ../shared/realdata', () => {
  if (!existsSync(REAL)) console.log('skipped: ../shared/realdata absent');
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pope-drift-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('reproduces LLaVA-1.5-13B: F1 84.46 / 86.25 / 87.14, mean 85.95', async () => {
    const samples = await loadAll(REAL);
    const { answers } = await readPredictions(join(REAL, 'pope/answers/llava-v1.5-13b.jsonl'), pope, samples, REAL);
    const s = pope.score(samples, answers);
    expect(s.headline.toFixed(2)).toBe('85.95');
    expect([s.metrics['adversarial.f1'], s.metrics['popular.f1'], s.metrics['random.f1']].map((v) => v!.toFixed(2))).toEqual(['84.46', '86.25', '87.14']);
    expect([s.metrics['adversarial.accuracy'], s.metrics['popular.accuracy'], s.metrics['random.accuracy']].map((v) => v!.toFixed(2))).toEqual([
      '85.50',
      '87.43',
      '88.01',
    ]);
  });

  /** A data root with the real question file and a random label file rewritten by `rewrite`. */
  async function driftedRoot(name: string, rewrite: (rows: string[], popular: string[]) => string[]): Promise<string> {
    const dir = join(root, name);
    await mkdir(join(dir, 'pope/coco'), { recursive: true });
    await copyFile(join(REAL, 'pope/llava_pope_test.jsonl'), join(dir, 'pope/llava_pope_test.jsonl'));
    for (const s of ['adversarial', 'popular']) await copyFile(join(REAL, `pope/coco/coco_pope_${s}.json`), join(dir, `pope/coco/coco_pope_${s}.json`));
    const lines = (f: string) => readFile(f, 'utf8').then((t) => t.split('\n').filter(Boolean));
    const rows = rewrite(await lines(join(REAL, 'pope/coco/coco_pope_random.json')), await lines(join(REAL, 'pope/coco/coco_pope_popular.json')));
    await writeFile(join(dir, 'pope/coco/coco_pope_random.json'), rows.join('\n') + '\n');
    return dir;
  }

  it('refuses labels regenerated to 3,000 rows (the upstream random-split drift)', async () => {
    // 2,910 pinned rows plus 90 rows of new questions: a positional scorer would silently mis-score.
    const extra = Array.from({ length: 90 }, (_, i) =>
      JSON.stringify({
        question_id: 2911 + i,
        image: `COCO_val2014_000000${String(900000 + i).padStart(6, '0')}.jpg`,
        text: 'Is there a kite in the image?',
        label: i % 2 ? 'no' : 'yes',
      }),
    );
    const dir = await driftedRoot('grown', (rows) => [...rows, ...extra]);
    const samples = await loadAll(dir);
    const { answers } = await readPredictions(join(REAL, 'pope/answers/llava-v1.5-13b.jsonl'), pope, samples, dir);
    expect(() => pope.score(samples, answers)).toThrow(ScoreRefusal);
    expect(() => pope.score(samples, answers)).toThrow(/3000 labels but the question file has 2910/);
  });

  it('refuses labels whose questions changed (regenerated rows), and scores shuffled rows correctly', async () => {
    let edited = 0;
    const changed = await driftedRoot('changed', (rows) =>
      rows.map((r, i) => {
        if (i % 30 !== 0 || !r.includes('in the image?')) return r;
        edited++;
        return r.replace('in the image?', 'in the imange?');
      }),
    );
    expect(edited).toBeGreaterThan(90);
    const samples = await loadAll(changed);
    const { answers } = await readPredictions(join(REAL, 'pope/answers/llava-v1.5-13b.jsonl'), pope, samples, changed);
    expect(() => pope.score(samples, answers)).toThrow(new RegExp(`${edited} of 2910 questions have no label in coco_pope_random.json`));

    // The same rows in another order are the same labels: joined by (image, question) they score as before.
    const shuffled = await driftedRoot('shuffled', (rows) => [...rows.slice(1000), ...rows.slice(0, 1000)]);
    const s2 = await loadAll(shuffled, 'random');
    const a2 = (await readPredictions(join(REAL, 'pope/answers/llava-v1.5-13b.jsonl'), pope, s2, shuffled)).answers;
    expect(pope.score(s2, a2).metrics['random.f1']!.toFixed(2)).toBe('87.14');
  });
});
