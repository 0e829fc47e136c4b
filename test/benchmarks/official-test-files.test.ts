// The official VQAv2 test-dev and VizWiz test question files, read where LLaVA's converted ones are absent,
// give the samples LLaVA's files give: same ids, prompts and images (so the upload files are the same too).
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import vqav2, { SUFFIX as VQA_SUFFIX } from '../../benchmarks/vqav2/index.ts';
import vizwiz, { SUFFIX as VIZWIZ_SUFFIX } from '../../benchmarks/vizwiz/index.ts';
import type { BenchmarkAdapter, Sample } from '../../core/benchmark.ts';

const REAL = join(import.meta.dirname, '../../../shared/realdata');
let root: string;

async function all(a: BenchmarkAdapter, dataRoot: string, split: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of a.load(dataRoot, { split, images: false })) out.push({ ...s, meta: { ...s.meta, questionFile: null } });
  return out;
}

const jsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const strip = (text: string, suffix: string) => {
  expect(text.endsWith(suffix)).toBe(true);
  return text.slice(0, -suffix.length);
};

/** LLaVA's VizWiz test file back in the official test.json shape ([{image, question}], in question_id order). */
function officialVizwiz(llavaFile: string): string {
  const rows = jsonl(llavaFile).sort((x, y) => x.question_id - y.question_id);
  rows.forEach((r, i) => expect(r.question_id).toBe(i));
  return JSON.stringify(rows.map((r) => ({ image: r.image, question: strip(r.text, VIZWIZ_SUFFIX) })));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'official-'));
  await vqav2.writeFixture(root);
  await vizwiz.writeFixture(root);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('official test question files', () => {
  it("VQAv2 test-dev from v2_OpenEnded_mscoco_test-dev2015_questions.json equals LLaVA's jsonl", async () => {
    const llava = await all(vqav2, root, 'test-dev');
    const dir = `${root}-vqa`;
    cpSync(root, dir, { recursive: true });
    const file = join(dir, 'vqav2', 'llava_vqav2_mscoco_test-dev2015.jsonl');
    const questions = jsonl(file).map((r) => ({
      image_id: Number(/COCO_test2015_(\d{12})\.jpg$/.exec(r.image)![1]),
      question: strip(r.text, VQA_SUFFIX),
      question_id: r.question_id,
    }));
    writeFileSync(
      join(dir, 'vqav2', 'v2_OpenEnded_mscoco_test-dev2015_questions.json'),
      JSON.stringify({ info: {}, task_type: 'Open-Ended', data_type: 'mscoco', data_subtype: 'test-dev2015', questions, license: {} }),
    );
    rmSync(file);
    expect(llava.length).toBeGreaterThan(0);
    expect(await all(vqav2, dir, 'test-dev')).toEqual(
      llava.map((s) => ({ ...s, image: s.image && { kind: 'file', path: s.image.kind === 'file' ? s.image.path.replace(root, dir) : '' } })),
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it("VizWiz test from Annotations/test.json equals LLaVA's llava_test.jsonl", async () => {
    const llava = await all(vizwiz, root, 'test');
    const dir = `${root}-vizwiz`;
    cpSync(root, dir, { recursive: true });
    const file = join(dir, 'vizwiz', 'llava_test.jsonl');
    mkdirSync(join(dir, 'vizwiz', 'Annotations'));
    writeFileSync(join(dir, 'vizwiz', 'Annotations', 'test.json'), officialVizwiz(file));
    rmSync(file);
    const official = await all(vizwiz, dir, 'test');
    expect(official.map((s) => [s.id, s.prompt, s.meta.image])).toEqual(llava.map((s) => [s.id, s.prompt, s.meta.image]));
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!existsSync(REAL))('VizWiz: all 8,000 real test questions give the same samples either way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'official-real-'));
    mkdirSync(join(dir, 'vizwiz'));
    writeFileSync(join(dir, 'vizwiz', 'test.json'), officialVizwiz(join(REAL, 'vizwiz', 'llava_test.jsonl')));
    const llava = await all(vizwiz, REAL, 'test');
    const official = await all(vizwiz, dir, 'test');
    expect(official.length).toBe(8000);
    expect(official.map((s) => [s.id, s.prompt, s.meta.image])).toEqual(llava.map((s) => [s.id, s.prompt, s.meta.image]));
    await rm(dir, { recursive: true, force: true });
  });
});
