// GQA testdev-balanced's on-disk layout, written once for the readers (index.ts), the fixture and the
// synthetic writer (synthetic.ts): file names, LLaVA's prompt rows, and the official question record.
import path from 'node:path';
import { jsonl, writeText } from '../shared/fixture-files.ts';
import { SHORT_ANSWER } from '../shared/instructions.ts';

export const SUFFIX = `\n${SHORT_ANSWER}`;
export const DIR = 'gqa';
export const LLAVA_FILE = 'llava_gqa_testdev_balanced.jsonl';
export const QUESTIONS_FILE = 'testdev_balanced_questions.json';

export function buildPrompt(question: string): string {
  return question + SUFFIX;
}

/** One entry of testdev_balanced_questions.json (keyed by question id), fields in the official order. */
export function questionRecord(q: {
  questionId: string;
  question: string;
  answer: string;
  imageId: string;
  types: { structural: string; semantic: string; detailed: string };
  /** The semantic program as "operation: argument" steps. */
  ops: readonly string[];
  /** The answer-distribution group (eval.py's distribution metric); null for binary questions, as in GQA. */
  globalGroup: string | null;
}) {
  const { structural, semantic, detailed } = q.types;
  return {
    semantic: q.ops.map((o) => {
      const [operation, argument] = o.split(': ');
      return { operation, argument: argument ?? '', dependencies: [] };
    }),
    entailed: [],
    equivalent: [q.questionId],
    question: q.question,
    imageId: q.imageId,
    isBalanced: true,
    groups: { global: q.globalGroup, local: `${structural}-${semantic}` },
    answer: q.answer,
    semanticStr: q.ops.join(' -> '),
    annotations: { answer: {}, question: {}, fullAnswer: {} },
    types: { detailed, semantic, structural },
    fullAnswer: `The answer is ${q.answer}.`,
  };
}

/** A row of LLaVA's llava_gqa_testdev_balanced.jsonl. */
export function llavaRow(questionId: string, image: string, question: string) {
  return { question_id: questionId, image, text: buildPrompt(question), category: 'default' };
}

/** LLaVA's prompt file and the official questions file under `d` (DIR/gqa). */
export async function writeGqaFiles(d: string, questions: Record<string, unknown>, llava: readonly unknown[]): Promise<void> {
  await writeText(path.join(d, LLAVA_FILE), jsonl(llava));
  await writeText(path.join(d, QUESTIONS_FILE), JSON.stringify(questions));
}
