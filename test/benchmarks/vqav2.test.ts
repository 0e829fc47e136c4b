import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vqav2, { buildSubmission } from '../../benchmarks/vqav2/index.ts';
import { FILES } from '../../benchmarks/vqav2/format.ts';
import { questionTypeOf, MSCOCO_QUESTION_TYPES } from '../../benchmarks/vqav2/question-types.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';

const answers = (pairs: Array<[string, string]>) => new Map<string, Answer>(pairs.map(([id, text]) => [id, { id, text }]));
async function load(root: string, split?: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of vqav2.load(root, { split })) out.push(s);
  return out;
}

describe('vqav2 adapter', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vqav2-'));
    await vqav2.writeFixture(root);
  });

  it('loads val in question-file order with the LLaVA prompt (frozen)', async () => {
    const s = await load(root);
    expect(s.length).toBe(8);
    expect(s[0].split).toBe('val');
    expect(s[0].prompt).toMatchInlineSnapshot(`
      "What color is the bus?
      Answer the question using a single word or phrase."
    `);
    expect(s[0].image).toEqual({ kind: 'file', path: path.join(root, 'vqav2/val2014/COCO_val2014_000000000100.jpg') });
    expect(s[0].meta).toMatchObject({ question_type: 'what color is the', answer_type: 'other' });
  });

  it('scores the official way: EvalAI-processed prediction, no normalization when GT is unanimous', async () => {
    const s = await load(root);
    const ids = s.map((x) => x.id);
    // q0 "Red." vs red×8/dark red/maroon → 1; q1 "Yes" vs 10×yes → EvalAI lower-cases first → 1;
    // q2 "Two" vs 2×8 + two + 3 → "2" matches 8 of the normalized GT → 1; q3 "An umbrella." → "umbrella" (9) → 1;
    // q4 "on the couch" → "on couch" (4 after articles drop: on couch×3 + on the couch) → 1;
    // q5 "yes" → 1 match → 0.3; q6 "day time" → 0; q7 missing → 0.
    const sc = vqav2.score(
      s,
      answers([
        [ids[0], 'Red.'],
        [ids[1], 'Yes'],
        [ids[2], 'Two'],
        [ids[3], 'An umbrella.'],
        [ids[4], 'on the couch'],
        [ids[5], 'yes'],
        [ids[6], 'day time'],
      ]),
    );
    expect(sc.perSample[ids[5]]).toBeCloseTo(0.3, 10);
    expect(sc.headline).toBe(66.25); // 100 * 5.3 / 8
    expect(sc.breakdowns.answerType).toEqual({ other: 75, 'yes/no': 65, number: 50 }); // (1+1+1+0)/4, (1+.3)/2, (1+0)/2;
    expect(sc.breakdowns.questionType['how many']).toBe(100);
    expect(sc.counts).toMatchObject({ samples: 8, predicted: 7, missing: 1, errors: 0 });
  });

  it('loadAll gives what load streams, for both splits', async () => {
    for (const split of ['val', 'test-dev']) {
      expect(await vqav2.loadAll!(root, { split })).toEqual(await load(root, split));
      expect(await vqav2.loadAll!(root, { split, limit: 2 })).toEqual((await load(root, split)).slice(0, 2));
    }
  });

  it('joins annotations to questions by id, in whatever order the annotation file lists them', async () => {
    const file = path.join(root, 'vqav2', FILES.valAnnotations);
    const original = await readFile(file, 'utf8');
    const inOrder = await load(root);
    const doc = JSON.parse(original);
    try {
      // Reversed, with a stale duplicate of the first question first (the later entry wins, as JSON.parse reads it).
      const first = doc.annotations[0];
      doc.annotations = [{ ...first, answers: [{ answer: 'stale', answer_confidence: 'yes', answer_id: 1 }] }, ...doc.annotations.reverse()];
      await writeFile(file, JSON.stringify(doc));
      const reordered = await load(root);
      expect(reordered.map((s) => [s.id, s.answer, s.meta])).toEqual(inOrder.map((s) => [s.id, s.answer, s.meta]));
      // A question without an annotation is named.
      doc.annotations = doc.annotations.filter((a: { question_id: number }) => a.question_id !== first.question_id);
      await writeFile(file, JSON.stringify(doc));
      await expect(load(root)).rejects.toThrow(new RegExp(`annotations.json \\(question_id ${first.question_id}\\): question has no annotation`));
    } finally {
      await writeFile(file, original);
    }
  });

  it('refuses predictions whose ids are not in the question file', async () => {
    const s = await load(root);
    expect(() => vqav2.score(s, answers([['999', 'yes']]))).toThrow(/none of the 1 prediction ids matches a sample id/);
  });

  it('test-dev: refuses to score, and the submission covers every test2015 question', async () => {
    const s = await load(root, 'test-dev');
    expect(s.map((x) => x.id)).toEqual(['900000', '900001', '900002']);
    expect(() => vqav2.score(s, answers([]))).toThrow(/no public ground truth/);
    const sub = await buildSubmission(
      s,
      answers([
        ['900000', 'A Cup.'],
        ['900002', 'Three'],
      ]),
    );
    expect(sub).toEqual([
      { question_id: 900000, answer: 'cup' },
      { question_id: 900001, answer: '' },
      { question_id: 900002, answer: '3' },
      { question_id: 900003, answer: '' },
    ]);
    const out = path.join(root, 'sub.json');
    await vqav2.writeSubmission!(s, answers([['900000', 'cup']]), out);
    expect(await readFile(out, 'utf8')).toMatch(/^\[\{"question_id": 900000, "answer": "cup"\}, /);
  });

  it('rejects image paths escaping the data root and malformed lines, naming file and line', async () => {
    const file = path.join(root, 'vqav2/llava_vqav2_mscoco_test-dev2015.jsonl');
    await writeFile(file, '{"question_id": 1, "image": "../../../etc/passwd", "text": "q"}\n');
    await expect(load(root, 'test-dev')).rejects.toThrow(`${file}:1: image path "../../../etc/passwd" escapes the data root`);
    await writeFile(file, '{"question_id": 1, "image": "a.jpg", "text": "q"}\n{oops\n');
    await expect(load(root, 'test-dev')).rejects.toThrow(new RegExp(`${file}:2: malformed JSON`));
    await vqav2.writeFixture(root);
  });

  it('val files read in batches: same samples as the whole-file parse; a broken or foreign file is one line naming it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vqav2-val-'));
    await vqav2.writeFixture(dir);
    const ann = path.join(dir, 'vqav2', 'v2_mscoco_val2014_annotations.json');
    const qs = path.join(dir, 'vqav2', 'v2_OpenEnded_mscoco_val2014_questions.json');
    const doc = JSON.parse(await readFile(ann, 'utf8'));
    const questions = JSON.parse(await readFile(qs, 'utf8')).questions;
    const samples = await load(dir, 'val');
    expect(samples.map((x) => [x.id, x.answer, x.meta.question_type, x.meta.answer_type])).toEqual(
      questions.map((q: { question_id: number }) => {
        const a = doc.annotations.find((x: { question_id: number }) => x.question_id === q.question_id);
        return [String(q.question_id), a.answers.map((y: { answer: string }) => y.answer), a.question_type, a.answer_type];
      }),
    );
    expect(samples[0].image).toEqual({ kind: 'file', path: path.join(dir, 'vqav2', 'val2014', 'COCO_val2014_000000000100.jpg') });
    const text = JSON.stringify(doc, null, 1);
    await writeFile(ann, text.slice(0, text.length - 40));
    await expect(load(dir, 'val')).rejects.toThrow(`${ann}`);
    await writeFile(ann, JSON.stringify({ info: {}, annotationz: doc.annotations }));
    await expect(load(dir, 'val')).rejects.toThrow(`${ann}: expected {"annotations": [...]}`);
    // A question that is not a string is named by its id, whichever reader took the file (the scan, then JSON.parse).
    const bad = questions.map((q: { question: string }, i: number) => (i === 2 || i === 5 ? { ...q, question: i } : q));
    await writeFile(qs, JSON.stringify({ questions: bad }));
    await expect(load(dir, 'val')).rejects.toThrow(`${qs} (question_id ${questions[2].question_id}): field "question" must be a string`);
    bad[4] = { ...bad[4], image_id: 'not a number' }; // the scan gives up on a field of another type
    await writeFile(qs, JSON.stringify({ questions: bad }));
    await expect(load(dir, 'val')).rejects.toThrow(`${qs} (question_id ${questions[2].question_id}): field "question" must be a string`);
  });

  it('ships the 65 question types and matches the longest prefix', () => {
    expect(MSCOCO_QUESTION_TYPES.length).toBe(65);
    expect(questionTypeOf('How many people are in the room?')).toBe('how many people are in');
    expect(questionTypeOf('Describe it')).toBe('none of the above');
  });

  it('carries the published reference numbers', () => {
    expect(vqav2.references).toEqual({ split: 'test-dev', 'EVE-7B': 75.4, 'EVE-7B-HD': 78.6, 'Fuyu-8B': 74.2, 'LLaVA-1.5-7B': 78.5 });
  });
});
