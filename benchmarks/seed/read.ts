// SEED-Bench-1 readers: the official SEED-Bench.json (ground truth, dimensions) and LLaVA's
// llava-seed-bench.jsonl (prompts and image paths, relative to DIR/seed_bench).
import { InputError } from '../../core/errors.ts';
import { isObject, readJson, readJsonlObjects } from '../shared/data-files.ts';

/** SEED-Bench-1's twelve dimensions and their ids, as SEED-Bench.json's "question_type" names them. */
export const QUESTION_TYPE: Readonly<Record<string, number>> = {
  'Scene Understanding': 1,
  'Instance Identity': 2,
  'Instance Attributes': 3,
  'Instance Location': 4,
  'Instances Counting': 5,
  'Spatial Relation': 6,
  'Instance Interaction': 7,
  'Visual Reasoning': 8,
  'Text Understanding': 9,
  'Action Recognition': 10,
  'Action Prediction': 11,
  'Procedure Understanding': 12,
};

export interface SeedQuestion {
  question_id: string;
  question: string;
  answer: string;
  choice_a: string;
  choice_b: string;
  choice_c: string;
  choice_d: string;
  data_id: string;
  data_type: string; // image | video
  question_type_id: number;
}

export interface SeedBench {
  questions: SeedQuestion[];
  questionType: Record<string, number>;
}

export async function readSeedBench(file: string): Promise<SeedBench> {
  const data = await readJson(file);
  if (!isObject(data) || !Array.isArray(data.questions) || !data.question_type || typeof data.question_type !== 'object') {
    throw new InputError(file, undefined, 'expected {"questions": [...], "question_type": {...}}');
  }
  const questions = data.questions as Record<string, unknown>[];
  questions.forEach((q, i) => {
    for (const k of ['question', 'answer', 'choice_a', 'choice_b', 'choice_c', 'choice_d', 'data_type']) {
      if (typeof q[k] !== 'string') throw new InputError(file, `question ${i}, id ${String(q.question_id)}`, `field "${k}" missing or not a string`);
    }
    if (q.question_id === undefined || typeof q.question_type_id !== 'number') {
      throw new InputError(file, `question ${i}`, 'question_id or question_type_id missing');
    }
    q.question_id = String(q.question_id);
  });
  return { questions: questions as unknown as SeedQuestion[], questionType: data.question_type as Record<string, number> };
}

export interface LlavaSeedLine {
  line: number;
  question_id: string;
  image: string;
  text: string;
}

/** LLaVA's question file, grouped by question id (a duplicated id keeps its lines in file order). */
export async function readLlavaSeed(file: string): Promise<Map<string, LlavaSeedLine[]>> {
  const out = new Map<string, LlavaSeedLine[]>();
  for await (const { value: o, line } of readJsonlObjects(file)) {
    if (o.question_id === undefined || typeof o.image !== 'string' || typeof o.text !== 'string') {
      throw new InputError(file, line, 'expected {"question_id", "image", "text"}');
    }
    const id = String(o.question_id);
    const list = out.get(id) ?? [];
    list.push({ line, question_id: id, image: o.image, text: o.text });
    out.set(id, list);
  }
  return out;
}
