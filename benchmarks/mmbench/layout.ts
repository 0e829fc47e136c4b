// The MMBench dev TSV as the 20230712 release lays it out (the columns below, one row per question and per
// circular copy, the image as base64 in every row), written from row records. The fixture and the synthetic
// writer both write through it; cells are quoted as pandas writes them (submission.ts tsvCell).
import { join } from 'node:path';
import { writeText } from '../shared/fixture-files.ts';
import { tsvCell } from './submission.ts';

export const COLUMNS = ['index', 'question', 'hint', 'A', 'B', 'C', 'D', 'answer', 'category', 'image', 'source', 'l2-category', 'comment', 'split'];

/** The dev file, relative to the data root. */
export const MMBENCH_DEV_FILE = 'mmbench/mmbench_dev_20230712.tsv';

export interface MMBenchTsvRow {
  /** Base question i, or its circular copy k as i + k·1e6. */
  index: number;
  question: string;
  /** null: the empty (NaN) cell. */
  hint: string | null;
  /** Up to four option texts (A–D); the cells past them are empty (NaN). */
  options: string[];
  answer: string;
  category: string;
  /** base64 of the image file. */
  image: string;
  source: string;
  l2category: string;
}

/** The TSV's cells for a row, in COLUMNS order. */
export function mmbenchCells(r: MMBenchTsvRow): string[] {
  const options = [0, 1, 2, 3].map((j) => r.options[j] ?? '');
  return [String(r.index), r.question, r.hint ?? '', ...options, r.answer, r.category, r.image, r.source, r.l2category, '', 'dev'];
}

/** Writes the header and the rows, in the order given, to the dev file under root. */
export async function writeMMBenchTsv(root: string, rows: readonly MMBenchTsvRow[]): Promise<void> {
  const lines = [COLUMNS, ...rows.map(mmbenchCells)].map((cells) => cells.map(tsvCell).join('\t'));
  await writeText(join(root, MMBENCH_DEV_FILE), lines.join('\n') + '\n');
}
