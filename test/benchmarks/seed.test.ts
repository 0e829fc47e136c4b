import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import seed from '../../benchmarks/seed/index.ts';
import { InputError, ScoreRefusal } from '../../core/errors.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';

async function loadAll(root: string, split?: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of seed.load(root, { split })) out.push(s);
  return out;
}
const answersOf = (pairs: Array<[string, string]>) => new Map<string, Answer>(pairs.map(([id, text]) => [id, { id, text }]));

describe('seed fixture', () => {
  let root: string;
  let samples: Sample[];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'seed-'));
    await seed.writeFixture(root);
    samples = await loadAll(root);
  });

  it('joins LLaVA prompts to SEED-Bench.json; video frames; duplicate id', () => {
    expect(samples.map((s) => s.id)).toEqual(['101669', '101670', '49914', '49914#2', '101671', '1200']);
    expect(samples[1].prompt).toBe(
      "How many bars are in the image?\nA. One\nB. Two\nC. Three\nD. Four\nAnswer with the option's letter from the given choices directly.",
    );
    expect(samples[3].prompt).toContain('What is the object made of?'); // 2nd LLaVA line of the duplicate
    const video = samples[5];
    expect(video.meta).toMatchObject({ dataType: 'video', dimension: 'Action Recognition', fromLlavaFile: true });
    expect((video.image as { path: string }).path).toMatch(/SEED-Bench-video-image\/10_1200\.png$/);
    expect(samples.every((s) => existsSync((s.image as { path: string }).path))).toBe(true);
  });

  it('exact match: "C." and "c" are wrong; missing counts wrong; image / video / all', () => {
    // gold: 101669 A, 101670 B, 49914 C, 49914#2 A, 101671 D, 1200 C (video)
    const ans = answersOf([
      ['101669', 'A'],
      ['101670', 'B.'], // wrong: no stripping
      ['49914', 'C'], // scores both duplicates (LLaVA's dict keeps one prediction): right, then wrong (gold A)
      ['101671', 'd'], // wrong: case-sensitive
      ['1200', 'C'],
    ]);
    const sc = seed.score(samples, ans);
    expect(sc.headline).toBeCloseTo((3 / 6) * 100, 10);
    expect(sc.metrics.image).toBe(40);
    expect(sc.metrics.video).toBe(100);
    expect(sc.breakdowns.dimension).toEqual({
      'Scene Understanding': 100,
      'Instance Attributes': 50,
      'Instances Counting': 0,
      'Text Understanding': 0,
      'Action Recognition': 100,
    });
    expect(sc.counts).toMatchObject({ samples: 6, predicted: 6, missing: 0, failedExtraction: 2 });
    const none = seed.score(samples, answersOf([['101669', 'A']]));
    expect(none.counts.missing).toBe(5);
    expect(none.headline).toBe(16.67); // f'{1 / 6 * 100:.2f}', as the converter prints
  });

  it('image split: headline SEED-IMG, extra video predictions allowed', async () => {
    const img = await loadAll(root, 'image');
    expect(img.length).toBe(5);
    const sc = seed.score(
      img,
      answersOf([
        ['101669', 'A'],
        ['1200', 'C'],
      ]),
    );
    expect(sc.headline).toBe(20);
    expect(sc.headlineName).toMatch(/image/);
  });

  it('refuses predictions from elsewhere; writes the leaderboard jsonl', async () => {
    expect(() => seed.score(samples, answersOf([['zzz', 'A']]))).toThrow(ScoreRefusal);
    const out = join(root, 'upload.jsonl');
    await seed.writeSubmission!(
      samples,
      answersOf([
        ['101669', 'A'],
        ['49914', 'B'],
      ]),
      out,
    );
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(6);
    expect(lines[0]).toEqual({ question_id: '101669', prediction: 'A' });
    expect(lines[3]).toEqual({ question_id: '49914', prediction: 'B' });
    expect(lines[4]).toEqual({ question_id: '101671', prediction: '' });
  });

  it('bad LLaVA question line: error names file and line', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'seed-bad-'));
    await seed.writeFixture(bad);
    await writeFile(join(bad, 'seed_bench', 'llava-seed-bench.jsonl'), '{"question_id": 1, "image": "x", "text": "t"}\n{oops\n');
    await expect(loadAll(bad)).rejects.toThrow(InputError);
    await expect(loadAll(bad)).rejects.toThrow(/llava-seed-bench\.jsonl:2: malformed JSON/);
  });

  it('SEED-Bench.json without the LLaVA file: prompts built the same way', async () => {
    const only = await mkdtemp(join(tmpdir(), 'seed-only-'));
    await mkdir(join(only, 'seed_bench'));
    await writeFile(join(only, 'seed_bench', 'SEED-Bench.json'), await readFile(join(root, 'seed_bench', 'SEED-Bench.json')));
    const built = await loadAll(only);
    expect(built.map((s) => s.prompt)).toEqual(samples.map((s) => s.prompt));
    expect(built[0].meta.fromLlavaFile).toBe(false);
  });
});
