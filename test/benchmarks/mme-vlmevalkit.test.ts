// VLMEvalKit's MME.tsv as a data source (columns as VLMEvalKit's MME_rating reads them: index, image,
// question, answer, category, image_path; an image stored once, its second question pointing at the first
// row's index): the same answers score exactly as on the LLaVA-layout fixture, and a VLMEvalKit result
// sheet for that TSV joins on its index.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mme from '../../benchmarks/mme/index.ts';
import { SUBTASKS, gtDir } from '../../benchmarks/mme/data.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { readPredictions } from '../../harness/predictions.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/data');
let root: string;
let llava: Sample[];

async function all(dataRoot: string, images: boolean): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of mme.load(dataRoot, { images })) out.push(s);
  return out;
}

/** A reply that depends only on what identifies a question in both layouts: subtask, image, its question. */
function answersFor(samples: Sample[]): Map<string, Answer> {
  return new Map(
    samples.map((s, i) => [
      s.id,
      { id: s.id, text: (String(s.meta.image).length + String(s.meta.officialQuestion).length) % 3 === 0 ? 'No' : i % 5 === 0 ? 'maybe' : 'Yes' },
    ]),
  );
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mme-vlmevalkit-'));
  mkdirSync(join(root, 'MME'));
  llava = await all(FIXTURE, false);
  const imageOf = new Map(llava.map((s) => [`${s.meta.subtask}/${s.meta.image}`, s.image?.kind === 'file' ? s.image.path : '']));
  const rows = ['index\timage\tquestion\tanswer\tcategory\timage_path'];
  const firstIndex = new Map<string, number>();
  let index = 0;
  for (const subtask of SUBTASKS) {
    let text: string;
    try {
      text = readFileSync(join(gtDir(FIXTURE), `${subtask}.txt`), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').filter((l) => l.trim())) {
      const [image, question, answer] = line.split('\t');
      const key = `${subtask}/${image}`;
      const cell = firstIndex.has(key) ? String(firstIndex.get(key)) : readFileSync(imageOf.get(key)!).toString('base64');
      firstIndex.set(key, firstIndex.get(key) ?? index);
      rows.push([index++, cell, question, answer.trim(), subtask, `${subtask}/${image}`].join('\t'));
    }
  }
  writeFileSync(join(root, 'MME', 'MME.tsv'), rows.join('\n') + '\n');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("MME from VLMEvalKit's MME.tsv", () => {
  it('scores the same answers exactly as the LLaVA-layout fixture', async () => {
    expect(await mme.present(root)).toBe(true);
    const tsv = await all(root, false);
    expect(tsv.length).toBe(llava.length);
    expect(tsv.map((s) => s.prompt).sort()).toEqual(llava.map((s) => s.prompt).sort());
    const a = mme.score(llava, answersFor(llava));
    const b = mme.score(tsv, answersFor(tsv));
    expect(a.headline).toBeGreaterThan(0);
    expect(b.headline).toBe(a.headline);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.counts).toEqual(a.counts);
  });

  it('gives every question its image, the second of a pair through the reference', async () => {
    const tsv = await all(root, true);
    const file = new Map(llava.map((s) => [`${s.meta.subtask}/${s.meta.image}`, (s.image as { path: string }).path]));
    for (const s of tsv) {
      expect(s.image?.kind).toBe('base64');
      expect(Buffer.from((s.image as { data: string }).data, 'base64').equals(readFileSync(file.get(`${s.meta.subtask}/${s.meta.image}`)!)), s.id).toBe(true);
    }
  });

  it('reads a VLMEvalKit result sheet for the TSV, joined on its index', async () => {
    const tsv = await all(root, false);
    const answers = answersFor(tsv);
    const sheet = join(root, 'model_MME.tsv');
    const lines = ['"index"\t"question"\t"answer"\t"category"\t"image_path"\t"prediction"'];
    for (const s of tsv)
      lines.push(
        [
          s.meta.vlmevalkitIndex,
          s.meta.officialQuestion,
          s.answer,
          s.meta.subtask,
          `${s.meta.subtask}/${basename(String(s.meta.image))}`,
          answers.get(s.id)!.text,
        ]
          // QUOTE_ALL as pandas writes it: a quote inside a cell doubled (synthetic OCR questions quote the word).
          .map((v) => `"${String(v).replaceAll('"', '""')}"`)
          .join('\t'),
      );
    writeFileSync(sheet, lines.join('\n') + '\n');
    const read = await readPredictions(sheet, mme, tsv, root);
    expect(read.format).toBe('sheet');
    expect(mme.score(tsv, read.answers).headline).toBe(mme.score(tsv, answers).headline);
  });
});
