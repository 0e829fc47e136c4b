// ScienceQA's test files as LLaVA's eval kit and the official repo lay them out under DIR/scienceqa/:
// llava_test_CQM-A.json (the CQM-A human turn and gold letter per problem), problems.json, pid_splits.json and
// images/test/<pid>/image.png. The fixture and the synthetic writer both build their records here.
import { join } from 'node:path';
import { writeText } from '../shared/fixture-files.ts';
import { formatOptions } from '../shared/choices.ts';

export interface SqaLayoutProblem {
  pid: string;
  question: string;
  choices: string[];
  /** Position of the right choice. */
  answer: number;
  /** '' when the problem has no context. */
  hint: string;
  hasImage: boolean;
  subject: string;
  grade: string;
  /** Also written as problems.json's category and skill. */
  topic: string;
}

export const sqaDir = (root: string) => join(root, 'scienceqa');
/** Where a problem's image goes: images/test/<pid>/image.png. */
export const sqaImagePath = (root: string, pid: string) => join(sqaDir(root), 'images', 'test', pid, 'image.png');

/** llava_test_CQM-A.json's entry: "<image>\n" when there is one, "Context: {hint}\n" when there is one, question, options. */
export function sqaLlavaItem(p: SqaLayoutProblem): Record<string, unknown> {
  const body = `${p.hint ? `Context: ${p.hint}\n` : ''}${p.question}\n${formatOptions(p.choices)}`;
  const item: Record<string, unknown> = { id: p.pid };
  if (p.hasImage) item.image = `${p.pid}/image.png`;
  item.conversations = [
    { from: 'human', value: `${p.hasImage ? '<image>\n' : ''}${body}` },
    { from: 'gpt', value: String.fromCharCode(65 + p.answer) },
  ];
  return item;
}

/** problems.json's entry (the fields of the official file). */
export function sqaProblem(p: SqaLayoutProblem): Record<string, unknown> {
  return {
    question: p.question,
    choices: p.choices,
    answer: p.answer,
    hint: p.hint,
    image: p.hasImage ? 'image.png' : null,
    task: 'closed choice',
    grade: p.grade,
    subject: p.subject,
    topic: p.topic,
    category: p.topic,
    skill: p.topic,
    lecture: '',
    solution: '',
    split: 'test',
  };
}

/** Writes the three files (not the images). */
export async function writeSqaFiles(root: string, llava: unknown[], problems: Record<string, unknown>, splits: Record<string, string[]>): Promise<void> {
  await writeText(join(sqaDir(root), 'llava_test_CQM-A.json'), JSON.stringify(llava, null, 2));
  await writeText(join(sqaDir(root), 'problems.json'), JSON.stringify(problems));
  await writeText(join(sqaDir(root), 'pid_splits.json'), JSON.stringify(splits));
}
