// A tiny MM-Vet in the real on-disk layout: LLaVA's llava-mm-vet.jsonl, the official mm-vet.json, PNG
// images of varied shapes, a LLaVA answers file and an official-evaluator grade file (2 judge runs).
import { join } from 'node:path';
import { jsonl, writeFlatImage, writeText } from '../shared/fixture-files.ts';
import { imageDir, llavaRow, mmvetDir, officialRecord, writeMmvetFiles } from './data.ts';

const ITEMS: Array<{ q: string; a: string; caps: string[]; size: [number, number]; answer: string; scores: [number, number] }> = [
  { q: 'What is x in the equation?', a: '-1<AND>-5', caps: ['ocr', 'math'], size: [1500, 500], answer: 'x = -1 or x = -5', scores: [1.0, 1.0] },
  { q: 'What is the colour of the car?', a: 'red', caps: ['rec'], size: [150, 450], answer: 'The car is blue.', scores: [0.0, 0.0] },
  { q: 'Which country is this landmark in?', a: 'France', caps: ['rec', 'know'], size: [32, 32], answer: 'France', scores: [1.0, 0.9] },
  { q: 'What is written on the sign?', a: 'STOP<OR>stop', caps: ['ocr', 'rec'], size: [1600, 1200], answer: 'It says stop.', scores: [0.5, 0.6] },
];

export const FIXTURE_GRADES = 'fixture_gpt-4-0613-grade-2runs.json';

/** One answered question of the example files: LLaVA's question_id, its prompt, the answer and its judge grades. */
export interface MmvetAnswer {
  questionId: number;
  prompt: string;
  text: string;
  /** One correctness score per judge run (the grade file's `score`). */
  scores: number[];
}

/**
 * The example answer files: LLaVA's answer JSONL (mm-vet/answers/fixture.jsonl, model "fixture") and an
 * official-evaluator grade file (mm-vet/grades/FIXTURE_GRADES, keys v1_<question_id>, gpt-4-0613 runs).
 */
export async function writeMmvetAnswers(root: string, rows: readonly MmvetAnswer[]): Promise<void> {
  const answers: unknown[] = [];
  const grades: Record<string, unknown> = {};
  for (const r of rows) {
    answers.push({ question_id: r.questionId, prompt: r.prompt, text: r.text, answer_id: 'fx', model_id: 'fixture', metadata: {} });
    grades[`v1_${r.questionId}`] = { model: r.scores.map(() => 'gpt-4-0613'), content: r.scores.map(String), score: r.scores };
  }
  await writeText(join(mmvetDir(root), 'answers', 'fixture.jsonl'), jsonl(answers));
  await writeText(join(mmvetDir(root), 'grades', FIXTURE_GRADES), JSON.stringify(grades, null, 4) + '\n');
}

export async function writeMmvetFixture(root: string): Promise<void> {
  const llava: unknown[] = [];
  const official: Record<string, unknown> = {};
  for (const [i, it] of ITEMS.entries()) {
    const id = `v1_${i}`;
    const [width, height] = it.size;
    await writeFlatImage(join(imageDir(root), `${id}.png`), { width, height, rgb: [30 + 50 * i, 200 - 40 * i, 120], format: 'png', compressionLevel: 9 });
    llava.push(llavaRow(i, `${id}.png`, it.q));
    official[id] = officialRecord(`${id}.png`, it.caps, it.q, it.a);
  }
  await writeMmvetFiles(root, llava, official);
  await writeMmvetAnswers(
    root,
    ITEMS.map((it, i) => ({ questionId: i, prompt: it.q, text: it.answer, scores: it.scores })),
  );
}
