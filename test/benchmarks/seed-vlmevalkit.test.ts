// VLMEvalKit's SEEDBench_IMG.tsv as a data source (index, question, A–D, answer, category = dimension name,
// image base64 or a reference to an earlier row): the same answers score exactly as on the LLaVA-layout
// fixture's image split, breakdowns keyed the same, and a result sheet joins on index.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import seed from '../../benchmarks/seed/index.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { UserError } from '../../core/errors.ts';
import { readPredictions } from '../../harness/predictions.ts';
import { fileBase64, writeDatasetTsv, writeResultSheet } from './vlmevalkit-cells.ts';

let llavaRoot: string;
let root: string;
let llava: Sample[];
const HEADER = 'index\tquestion\tA\tB\tC\tD\tanswer\tcategory\timage';

async function all(dataRoot: string, split = 'image', images = true): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of seed.load(dataRoot, { split, images })) out.push(s);
  return out;
}

/** A reply that depends only on the question's text: the same in both layouts, right on some rows only. */
const answersFor = (samples: Sample[]) =>
  new Map<string, Answer>(
    samples.map((s) => [s.id, { id: s.id, text: s.prompt.length % 3 === 0 ? 'A' : s.prompt.length % 3 === 1 ? String(s.answer) : 'C.' }]),
  );

function rowsOf(samples: Sample[]): string[] {
  // The last row refers to the first row's image by index, as VLMEvalKit stores a repeated image.
  return samples.map((s, i) => {
    const img = i === samples.length - 1 ? '100' : fileBase64(s);
    return [100 + i, String(s.prompt.split('\n')[0]), ...s.choices!, s.answer, s.meta.dimension, img].join('\t');
  });
}

const writeTsv = (dir: string, lines: string[]) => writeDatasetTsv(dir, 'seed_bench', 'SEEDBench_IMG', lines);

beforeAll(async () => {
  llavaRoot = await mkdtemp(join(tmpdir(), 'seed-llava-'));
  await seed.writeFixture(llavaRoot);
  llava = await all(llavaRoot);
  root = await mkdtemp(join(tmpdir(), 'seed-vlmevalkit-'));
  await writeTsv(root, [HEADER, ...rowsOf(llava)]);
});
afterAll(async () => {
  await rm(llavaRoot, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

describe("SEED-Bench from VLMEvalKit's SEEDBench_IMG.tsv", () => {
  it('scores the same answers exactly as the LLaVA-layout fixture (image split), per dimension too', async () => {
    expect(await seed.present(root, 'image')).toBe(true);
    expect(await seed.present(root, 'all')).toBe(false);
    const tsv = await all(root);
    expect(tsv.map((s) => s.prompt)).toEqual(llava.map((s) => s.prompt));
    const a = seed.score(llava, answersFor(llava));
    const b = seed.score(tsv, answersFor(tsv));
    expect(a.headline).toBeGreaterThan(0);
    expect(a.headline).toBeLessThan(100);
    expect(b.headline).toBe(a.headline);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.breakdowns).toEqual(a.breakdowns);
  });

  it('gives each row its image, through a reference too', async () => {
    const tsv = await all(root);
    tsv.forEach((s, i) => {
      const want = readFileSync((llava[i === tsv.length - 1 ? 0 : i].image as { path: string }).path);
      expect(Buffer.from((s.image as { data: string }).data, 'base64').equals(want), s.id).toBe(true);
    });
  });

  it('refuses "all" and "video" from the TSV (image questions only), naming why', async () => {
    await expect(all(root, 'all')).rejects.toThrow(UserError);
    await expect(all(root, 'video')).rejects.toThrow(/image questions only/);
  });

  it('a VLMEvalKit result sheet scores as the records it holds', async () => {
    const tsv = await all(root, 'image', false);
    const answers = answersFor(tsv);
    const sheet = join(root, 'model_SEEDBench_IMG.tsv');
    writeResultSheet(sheet, tsv, answers);
    const read = await readPredictions(sheet, seed, tsv, root);
    expect(read.answers.size).toBe(tsv.length);
    expect(seed.score(tsv, read.answers).metrics).toEqual(seed.score(llava, answersFor(llava)).metrics);
  });

  it('a broken base64 cell, a missing column or an unknown dimension is one line naming file and line', async () => {
    const rows = rowsOf(llava);
    const bad = await mkdtemp(join(tmpdir(), 'seed-bad-'));
    const file = await writeTsv(bad, [HEADER, rows[0], rows[1].replace(/\t[^\t]+$/, `\t${'!'.repeat(80)}`)]);
    await expect(all(bad)).rejects.toThrow(`${file}:3: image cell is not valid base64`);
    await writeTsv(bad, [HEADER.replace('\tcategory', ''), rows[0].replace(/\tScene Understanding/, '')]);
    await expect(all(bad)).rejects.toThrow(`${file}:1: VLMEvalKit SEEDBench_IMG TSV header lacks column "category"`);
    await writeTsv(bad, [HEADER, rows[0].replace('Scene Understanding', 'Scene understanding')]);
    await expect(all(bad)).rejects.toThrow(`${file}:2: unknown SEED-Bench dimension "Scene understanding"`);
    await rm(bad, { recursive: true, force: true });
  });
});
