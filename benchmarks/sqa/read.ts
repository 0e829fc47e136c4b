// ScienceQA readers: LLaVA's llava_test_CQM-A.json (prompts + gold letter), and the official
// problems.json / pid_splits.json for the per subject / context / grade breakdown.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { isObject, readJson } from '../shared/data-files.ts';

export interface LlavaSqaItem {
  id: string;
  image?: string;
  conversations: { from: string; value: string }[];
}

export interface SqaProblem {
  question: string;
  choices: string[];
  answer: number;
  hint: string;
  image: string | null;
  subject: string;
  grade: string;
  topic?: string;
  split: string;
}

export async function readLlavaSqa(file: string): Promise<LlavaSqaItem[]> {
  const data = await readJson(file);
  if (!Array.isArray(data)) throw new InputError(file, undefined, 'expected a JSON array of {id, conversations}');
  data.forEach((x, i) => {
    const ok =
      x &&
      typeof x.id === 'string' &&
      Array.isArray(x.conversations) &&
      x.conversations.length >= 2 &&
      typeof x.conversations[0]?.value === 'string' &&
      typeof x.conversations[1]?.value === 'string';
    if (!ok)
      throw new InputError(file, `item ${i}${x && x.id !== undefined ? `, id ${x.id}` : ''}`, 'expected {id: string, conversations: [{value}, {value}]}');
  });
  return data as LlavaSqaItem[];
}

/** problems.json, if the researcher has it (it is not part of LLaVA's eval kit). */
export async function readProblems(dir: string): Promise<Record<string, SqaProblem> | null> {
  const file = join(dir, 'problems.json');
  if (!existsSync(file)) return null;
  const data = await readJson(file);
  if (!isObject(data)) throw new InputError(file, undefined, 'expected an object {pid: problem}');
  return data as Record<string, SqaProblem>;
}

export async function readPidSplits(dir: string): Promise<Record<string, string[]> | null> {
  const file = join(dir, 'pid_splits.json');
  if (!existsSync(file)) return null;
  return (await readJson(file)) as Record<string, string[]>;
}

/**
 * Number of options in a CQM-A prompt: "A. " at the start of a line, then "\nB. ", "\nC. " ... in
 * order after it. Option texts may span lines ("A. Love,\nZoe"), so lines are not counted.
 */
export function countPromptOptions(prompt: string): number {
  const start = prompt.lastIndexOf('\nA. ');
  const from = start >= 0 ? start : prompt.startsWith('A. ') ? 0 : -1;
  if (from < 0) return 0;
  let n = 1;
  let at = from;
  for (const L of ['B', 'C', 'D', 'E']) {
    const next = prompt.indexOf(`\n${L}. `, at + 1);
    if (next < 0) break;
    n++;
    at = next;
  }
  return n;
}
