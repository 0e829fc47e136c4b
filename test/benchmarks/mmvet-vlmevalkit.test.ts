// VLMEvalKit's MMVet.tsv (index 1-based over mm-vet.json's order, image, question, answer, category = the
// capabilities joined with ","), built from the LLaVA-layout fixture: the same official ids, prompts, truth and
// images; the official grade file scores exactly the same; a VLMEvalKit result sheet joins on index; a broken
// base64 row and a bad index are one line naming file and line; `data status` checks the file's MD5.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mmvet from '../../benchmarks/mmvet/index.ts';
import { FIXTURE_GRADES } from '../../benchmarks/mmvet/fixture.ts';
import { officialIdOfIndex } from '../../benchmarks/mmvet/tsv.ts';
import { DATA_CATALOG } from '../../benchmarks/data-catalog.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { readPredictions } from '../../harness/predictions.ts';
import { benchmarkStatus } from '../../harness/data/status.ts';
import { expectSameImages, fileBase64, writeDatasetTsv, writeResultSheet } from './vlmevalkit-cells.ts';

let llavaRoot: string;
let root: string;
let llava: Sample[];
let rows: string[];
const HEADER = 'index\timage\tquestion\tanswer\tcategory';
const writeTsv = (dir: string, lines: string[]) => writeDatasetTsv(dir, 'mm-vet', 'MMVet', lines);
const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');

async function all(dataRoot: string, images = true): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of mmvet.load(dataRoot, { images })) out.push(s);
  return out;
}

type Truth = { answer: string; capability: string[]; question: string };

beforeAll(async () => {
  llavaRoot = await mkdtemp(join(tmpdir(), 'mmvet-llava-'));
  await mmvet.writeFixture(llavaRoot);
  llava = await all(llavaRoot);
  // As VLMEvalKit's file: rows in mm-vet.json order, index = n + 1 for v1_<n>.
  rows = llava.map((s) => {
    const t = s.answer as Truth;
    return [Number(s.id.slice(3)) + 1, fileBase64(s), t.question, t.answer, t.capability.join(',')].join('\t');
  });
  root = await mkdtemp(join(tmpdir(), 'mmvet-vlmevalkit-'));
  await writeTsv(root, [HEADER, ...rows]);
});
afterAll(async () => {
  await rm(llavaRoot, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

describe("MM-Vet from VLMEvalKit's MMVet.tsv", () => {
  it("maps VLMEvalKit's 1-based index to MM-Vet's official ids", () => {
    expect(officialIdOfIndex('1')).toBe('v1_0');
    expect(officialIdOfIndex('218')).toBe('v1_217');
    for (const bad of ['0', '-1', '1.5', 'v1_0', '']) expect(officialIdOfIndex(bad)).toBeNull();
  });

  it('gives the same official ids, prompts, ground truth and images as the LLaVA-layout fixture', async () => {
    expect(await mmvet.present(root, 'test')).toBe(true);
    const tsv = await all(root);
    expect(llava.length).toBeGreaterThan(2);
    expect(tsv.map((s) => s.id)).toEqual(llava.map((s) => s.id));
    expect(tsv.map((s) => s.prompt)).toEqual(llava.map((s) => s.prompt));
    expect(tsv.map((s) => s.answer)).toEqual(llava.map((s) => s.answer));
    expect(tsv.map((s) => s.meta.capability)).toEqual(llava.map((s) => s.meta.capability));
    expect(tsv.map((s) => s.meta.vlmevalkitIndex)).toEqual(llava.map((_, i) => String(i + 1)));
    expectSameImages(tsv, llava);
    // Scoring-only reads decode no image.
    expect((await all(root, false)).every((s) => s.image === undefined)).toBe(true);
  });

  it("scores the official evaluator's grade file exactly as on the LLaVA-layout fixture", async () => {
    const tsv = await all(root, false);
    const grades = join(llavaRoot, 'mm-vet', 'grades', FIXTURE_GRADES);
    const a = mmvet.score(llava, (await readPredictions(grades, mmvet, llava, llavaRoot)).answers);
    const b = mmvet.score(tsv, (await readPredictions(grades, mmvet, tsv, root)).answers);
    expect(a.headline).toBeGreaterThan(0);
    expect(b.headline).toBe(a.headline);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.breakdowns).toEqual(a.breakdowns);
    expect(b.counts).toEqual(a.counts);
    expect(b.notes).toEqual(a.notes);
    expect(mmvet.officialSummary(b)).toBe(mmvet.officialSummary(a));
  });

  it('a VLMEvalKit result sheet joins on index and writes the same submission', async () => {
    const tsv = await all(root, false);
    const { answers } = await readPredictions(join(llavaRoot, 'mm-vet', 'answers', 'fixture.jsonl'), mmvet, llava, llavaRoot);
    const sheet = join(root, 'model_MMVet.tsv');
    writeResultSheet(sheet, tsv, answers);
    const read = await readPredictions(sheet, mmvet, tsv, root);
    expect(read.answers.size).toBe(tsv.length);
    const fromSheet = join(root, 'sheet.json');
    const fromLlava = join(root, 'llava.json');
    await mmvet.writeSubmission!(tsv, read.answers, fromSheet);
    await mmvet.writeSubmission!(llava, answers, fromLlava);
    expect(readFileSync(fromSheet, 'utf8')).toBe(readFileSync(fromLlava, 'utf8'));
  });

  it("VLMEvalKit's judged sheet (score, log) scores as the same grades from the official grade file", async () => {
    const tsv = await all(root, false);
    const grades = (await readPredictions(join(llavaRoot, 'mm-vet', 'grades', FIXTURE_GRADES), mmvet, llava, llavaRoot)).answers;
    // One judge run: the grade file's first, the last row a judge failure (MMVet_auxeval's 0.0 and its log).
    const firstRun = new Map<string, Answer>([...grades].map(([id, a]) => [id, { ...a, judge: { scores: [a.judge!.scores[0]] } }]));
    const last = tsv[tsv.length - 1].id;
    firstRun.set(last, { ...firstRun.get(last)!, judge: { scores: [0], failedRuns: 1 } });
    const sheet = join(root, 'model_MMVet_gpt-4-turbo.tsv');
    const lines = ['"index"\t"prediction"\t"score"\t"log"'];
    for (const s of tsv) {
      const j = firstRun.get(s.id)!.judge!;
      lines.push(
        `"${s.meta.vlmevalkitIndex}"\t"an answer"\t"${j.scores[0]}"\t"${j.failedRuns ? 'Try 0: output is x, failed to parse. All 5 retries failed.' : 'Succeed'}"`,
      );
    }
    writeFileSync(sheet, lines.join('\n') + '\n');
    const b = mmvet.score(tsv, (await readPredictions(sheet, mmvet, tsv, root)).answers);
    const a = mmvet.score(llava, firstRun);
    expect(b.headline).toBe(a.headline);
    expect(b.breakdowns).toEqual(a.breakdowns);
    expect(b.counts).toEqual(a.counts);
    expect(b.counts.judgeFailures).toBe(1);
    writeFileSync(
      sheet,
      lines.map((l, i) => (i === 1 ? l.replace(/\t"[^"]*"\t"Succeed"$|\t"[^"]*"\t"Try[^"]*"$/, '\t"1.5"\t"Succeed"') : l)).join('\n') + '\n',
    );
    await expect(readPredictions(sheet, mmvet, tsv, root)).rejects.toThrow(`${sheet}:2: judge score must be in [0, 1], got "1.5"`);
  });

  it('a broken base64 cell, a bad or repeated index, or a missing column is one line naming file and line', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'mmvet-bad-'));
    const cells = (i: number) => rows[i].split('\t');
    const file = await writeTsv(bad, [HEADER, rows[0], [cells(1)[0], `${cells(1)[1]}A`, ...cells(1).slice(2)].join('\t')]);
    await expect(all(bad)).rejects.toThrow(`${file}:3: image cell is not valid base64`);
    // A scoring-only read does not look at the image cells.
    expect((await all(bad, false)).length).toBe(2);
    await writeTsv(bad, [HEADER, ['0', ...cells(0).slice(1)].join('\t')]);
    await expect(all(bad)).rejects.toThrow(`${file}:2: index "0" is not a positive integer`);
    await writeTsv(bad, [HEADER, rows[0], rows[0]]);
    await expect(all(bad)).rejects.toThrow(`${file}:3: index 1 appears twice (first on line 2)`);
    await writeTsv(bad, [HEADER.replace('\tcategory', ''), cells(0).slice(0, 4).join('\t')]);
    await expect(all(bad)).rejects.toThrow(`${file}:1: VLMEvalKit MMVet TSV header lacks column "category"`);
    await rm(bad, { recursive: true, force: true });
  });
});

describe('data status on MMVet.tsv', () => {
  it('counts its questions and embedded images, and reports a checksum that matches no VLMEvalKit release', async () => {
    const s = await benchmarkStatus(mmvet, root);
    const test = s.splits.find((x) => x.split === 'test')!;
    expect(test.samples).toBe(llava.length);
    expect(test.images).toEqual({ referenced: llava.length, missing: 0, unreadable: 0 });
    const f = s.files.find((x) => x.path === 'mm-vet/MMVet.tsv')!;
    expect(f.present).toBe(true);
    expect(f.unknownChecksum).toBe(true);
    expect(s.problems).toContain(`mm-vet/MMVet.tsv: checksum ${md5(join(root, 'mm-vet', 'MMVet.tsv'))} matches no known release`);
  });

  it("names the release when the MD5 is VLMEvalKit's, and flags the file VLMEvalKit replaced", async () => {
    const here = md5(join(root, 'mm-vet', 'MMVet.tsv'));
    const entry = DATA_CATALOG.mmvet;
    const withMd5 = (current: string, older: string) => ({
      ...DATA_CATALOG,
      mmvet: {
        ...entry,
        vlmevalkit: entry.vlmevalkit.map((t) => ({
          ...t,
          releases: [
            { ...t.releases[0], md5: current },
            { ...t.releases[1], md5: older },
          ],
        })),
      },
    });
    let s = await benchmarkStatus(mmvet, root, { catalog: withMd5(here, 'f'.repeat(32)) });
    expect(s.files.find((x) => x.path === 'mm-vet/MMVet.tsv')!.release).toBe('VLMEvalKit MMVet.tsv (current)');
    expect(s.problems.filter((p) => p.includes('MMVet.tsv'))).toEqual([]);
    s = await benchmarkStatus(mmvet, root, { catalog: withMd5('f'.repeat(32), here) });
    expect(s.problems).toContain('mm-vet/MMVet.tsv is VLMEvalKit MMVet.tsv (replaced upstream in e492f6e8), not the release eve-eval expects');
    // The catalog holds VLMEvalKit's published MD5s (vlmeval/dataset/image_vqa.py, MMVet.DATASET_MD5, and the one before e492f6e8).
    expect(entry.vlmevalkit[0].releases.map((r) => r.md5)).toEqual(['748aa6d4aa9d4de798306a63718455e3', 'f400d7f513a585a0f218cbd6882e0671']);
  });
});
