// SEED-Bench-1's question files as LLaVA's eval kit lays them out under DIR/seed_bench/: the official
// SEED-Bench.json ({questions, question_type}) and LLaVA's llava-seed-bench.jsonl (prompt and image path per
// question). The fixture and the synthetic writer both write through it; images are the caller's.
import { join } from 'node:path';
import { jsonl, writeText } from '../shared/fixture-files.ts';
import { formatOptions } from '../shared/choices.ts';
import { OPTION_LETTER } from '../shared/instructions.ts';
import { QUESTION_TYPE } from './read.ts';

export interface SeedLayoutQuestion {
  id: string;
  /** question_type_id, 1-12 (1-9 image, 10-12 video). */
  type: number;
  dataType: 'image' | 'video';
  question: string;
  /** The four choice texts, a-d. */
  choices: string[];
  /** The letter A-D. */
  answer: string;
  /** SEED-Bench.json's data_id: the image file name under SEED-Bench-image/, or the video's. */
  dataId: string;
  /** The image LLaVA's file points at, relative to seed_bench/. */
  image: string;
  /** Video questions: the clip's frame span. */
  segment?: [number, number];
}

export const seedDir = (root: string) => join(root, 'seed_bench');
/** Where SEED-Bench.json's image questions find their image (data_id). */
export const seedImageRel = (dataId: string) => `SEED-Bench-image/${dataId}`;

/** LLaVA's prompt: the question, "A. …" to "D. …", the letter instruction. */
export const seedText = (question: string, choices: string[]) => `${question}\n${formatOptions(choices)}\n${OPTION_LETTER}`;

export async function writeSeedQuestions(root: string, list: readonly SeedLayoutQuestion[]): Promise<void> {
  const questions: unknown[] = [];
  const llava: unknown[] = [];
  for (const q of list) {
    questions.push({
      answer: q.answer,
      choice_a: q.choices[0],
      choice_b: q.choices[1],
      choice_c: q.choices[2],
      choice_d: q.choices[3],
      data_id: q.dataId,
      data_type: q.dataType,
      question: q.question,
      question_id: q.id,
      question_type_id: q.type,
      ...(q.segment ? { segment: q.segment } : {}),
    });
    llava.push({ image: q.image, text: seedText(q.question, q.choices), category: Object.keys(QUESTION_TYPE)[q.type - 1], question_id: q.id });
  }
  await writeText(join(seedDir(root), 'SEED-Bench.json'), JSON.stringify({ questions, question_type: QUESTION_TYPE }, null, 1));
  await writeText(join(seedDir(root), 'llava-seed-bench.jsonl'), jsonl(llava));
}
