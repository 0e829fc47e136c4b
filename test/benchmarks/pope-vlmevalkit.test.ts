// VLMEvalKit's POPE.tsv as a data source (the columns POPE_rating reads: index, question, answer, category,
// where one row may name several splits, "adversarial,popular"; images stored once and referenced by
// index): the same answers score exactly as on the LLaVA-layout fixture, and a result sheet joins on index.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pope from '../../benchmarks/pope/index.ts';
import { SUFFIX } from '../../benchmarks/pope/data.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { readPredictions } from '../../harness/predictions.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/data');
const REAL = join(import.meta.dirname, '../../../shared/realdata');
let root: string;
let llava: Sample[];

async function all(dataRoot: string, images: boolean, split = 'test'): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of pope.load(dataRoot, { split, images })) out.push(s);
  return out;
}

const question = (s: Sample) => s.prompt.slice(0, -SUFFIX.length);
/** A reply that depends only on what a question is in both layouts: its split, image and text. */
function answersFor(samples: Sample[], imageName: (s: Sample) => string): Map<string, Answer> {
  return new Map(
    samples.map((s) => [
      s.id,
      { id: s.id, text: (imageName(s).length * 7 + question(s).length + String(s.meta.category).length) % 3 ? 'Yes' : 'No, there is not' },
    ]),
  );
}

/** One row per (image, question): a question asked in two splits is one row naming both, as VLMEvalKit stores it. */
function rowsByQuestion(samples: Sample[]): Map<string, { cats: string[]; s: Sample }> {
  const byKey = new Map<string, { cats: string[]; s: Sample }>();
  for (const s of samples) {
    const k = `${s.meta.image}\u0000${question(s)}`;
    const e = byKey.get(k);
    if (e) e.cats.push(String(s.meta.category));
    else byKey.set(k, { cats: [String(s.meta.category)], s });
  }
  return byKey;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pope-vlmevalkit-'));
  mkdirSync(join(root, 'pope'));
  llava = await all(FIXTURE, false);
  const byKey = rowsByQuestion(llava);
  const firstOfImage = new Map<string, number>();
  const rows = ['index\timage\tquestion\tanswer\tcategory\timage_path'];
  let index = 0;
  for (const { cats, s } of byKey.values()) {
    const img = String(s.meta.image);
    const cell = firstOfImage.has(img) ? String(firstOfImage.get(img)) : readFileSync((s.image as { path: string }).path).toString('base64');
    if (!firstOfImage.has(img)) firstOfImage.set(img, index);
    rows.push([index++, cell, question(s), s.answer === 'yes' ? 'Yes' : 'No', cats.join(','), img].join('\t'));
  }
  writeFileSync(join(root, 'pope', 'POPE.tsv'), rows.join('\n') + '\n');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("POPE from VLMEvalKit's POPE.tsv", () => {
  it('scores the same answers exactly as the LLaVA-layout fixture, every split', async () => {
    for (const split of ['test', 'adversarial', 'popular', 'random']) {
      expect(await pope.present(root, split)).toBe(true);
      const a = await all(FIXTURE, false, split);
      const b = await all(root, false, split);
      expect(b.length, split).toBe(a.length);
      const sa = pope.score(
        a,
        answersFor(a, (s) => String(s.meta.image)),
      );
      const sb = pope.score(
        b,
        answersFor(b, (s) => String(s.meta.image)),
      );
      expect(sb.headline, split).toBe(sa.headline);
      expect(sb.metrics, split).toEqual(sa.metrics);
    }
    expect(
      pope.score(
        llava,
        answersFor(llava, (s) => String(s.meta.image)),
      ).headline,
    ).toBeGreaterThan(0);
  });

  it('gives each sample its image, through references too, and a result sheet scores as the records', async () => {
    const tsv = await all(root, true);
    const byName = new Map(llava.map((s) => [String(s.meta.image), readFileSync((s.image as { path: string }).path)]));
    for (const s of tsv) expect(Buffer.from((s.image as { data: string }).data, 'base64').equals(byName.get(String(s.meta.image))!), s.id).toBe(true);
    const answers = answersFor(tsv, (s) => String(s.meta.image));
    const sheet = join(root, 'model_POPE.tsv');
    const seen = new Set<string>();
    const lines = ['"index"\t"question"\t"prediction"'];
    for (const s of tsv) {
      if (seen.has(String(s.meta.vlmevalkitIndex))) continue;
      seen.add(String(s.meta.vlmevalkitIndex));
      lines.push(`"${s.meta.vlmevalkitIndex}"\t"${question(s)}"\t"${answers.get(s.id)!.text}"`);
    }
    writeFileSync(sheet, lines.join('\n') + '\n');
    const read = await readPredictions(sheet, pope, tsv, root);
    // A row naming two splits answers both: only consistent when the reply rule ignores the split.
    const rule = answersFor(tsv, (s) => String(s.meta.image));
    const perRow = new Map<string, string>();
    for (const s of tsv) perRow.set(String(s.meta.vlmevalkitIndex), perRow.get(String(s.meta.vlmevalkitIndex)) ?? rule.get(s.id)!.text);
    const expected = new Map(tsv.map((s) => [s.id, { id: s.id, text: perRow.get(String(s.meta.vlmevalkitIndex))! }]));
    expect(pope.score(tsv, read.answers).metrics).toEqual(pope.score(tsv, expected).metrics);
    expect(read.answers.size).toBe(tsv.length);
  });
});

describe.skipIf(!existsSync(REAL))('POPE.tsv built from ../shared/realdata', () => {
  it("rows shared by splits stay one row, and LLaVA-1.5-13B's real answers still score mean F1 85.95", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pope-tsv-real-'));
    mkdirSync(join(dir, 'pope'));
    const real = await all(REAL, false);
    const { answers } = await readPredictions(join(REAL, 'pope/answers/llava-v1.5-13b.jsonl'), pope, real, REAL);
    const byKey = rowsByQuestion(real);
    const rows = ['index\tquestion\tanswer\tcategory\timage_path'];
    let index = 0;
    for (const { cats, s } of byKey.values()) {
      rows.push([index++, question(s), s.answer === 'yes' ? 'Yes' : 'No', cats.join(','), s.meta.image].join('\t'));
    }
    writeFileSync(join(dir, 'pope', 'POPE.tsv'), rows.join('\n') + '\n');
    const tsv = await all(dir, false);
    expect(byKey.size).toBeLessThan(real.length); // some questions are in two splits
    expect(tsv.length).toBe(8910);
    // Each split keeps its own answer: join the real replies back on (split, image, question).
    const bySplitKey = new Map(real.map((s) => [`${s.meta.category}\u0000${s.meta.image}\u0000${question(s)}`, answers.get(s.id)!.text]));
    const tsvAnswers = new Map(tsv.map((s) => [s.id, { id: s.id, text: bySplitKey.get(`${s.meta.category}\u0000${s.meta.image}\u0000${question(s)}`)! }]));
    const score = pope.score(tsv, tsvAnswers);
    expect(score.headline.toFixed(2)).toBe('85.95');
    expect(score.headline).toBe(pope.score(real, answers).headline);
    await rm(dir, { recursive: true, force: true });
  });
});
