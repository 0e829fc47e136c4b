// The MMBench server upload: LLaVA's convert_mmbench_for_submission.py keeps the TSV columns minus
// hint/category/source/image/comment/l2-category and inserts `prediction` as the 7th column:
// index, question, A, B, C, D, prediction, [answer], [split]. Written as .xlsx (what the server's
// upload form takes) or, for any other extension, as a TSV with the same columns.
import { writeFile } from 'node:fs/promises';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { writeXlsx, type Cell } from './xlsx.ts';

export function submissionRows(samples: Sample[], answers: Map<string, Answer>): Cell[][] {
  const withAnswer = samples.some((s) => typeof s.answer === 'string');
  const withSplit = samples.some((s) => typeof s.meta.tsvSplit === 'string');
  const header: Cell[] = ['index', 'question', 'A', 'B', 'C', 'D', 'prediction'];
  if (withAnswer) header.push('answer');
  if (withSplit) header.push('split');
  const rows: Cell[][] = [header];
  for (const s of samples) {
    const a = answers.get(s.id);
    // A missing or failed generation leaves the cell empty, as pandas writes the None it started with.
    const pred = a && !a.error ? a.text : null;
    const row: Cell[] = [Number(s.meta.index), String(s.meta.question)];
    for (const k of ['A', 'B', 'C', 'D']) row.push(typeof s.meta[`opt${k}`] === 'string' ? (s.meta[`opt${k}`] as string) : null);
    row.push(pred);
    if (withAnswer) row.push(typeof s.answer === 'string' ? s.answer : null);
    if (withSplit) row.push(typeof s.meta.tsvSplit === 'string' ? s.meta.tsvSplit : null);
    rows.push(row);
  }
  return rows;
}

// TSV cells cannot hold tabs or newlines unquoted: quote like pandas (QUOTE_MINIMAL, doubled quotes).
export function tsvCell(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[\t\n\r"]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function writeMMBenchSubmission(samples: Sample[], answers: Map<string, Answer>, outFile: string): Promise<void> {
  const rows = submissionRows(samples, answers);
  if (outFile.toLowerCase().endsWith('.xlsx')) await writeXlsx(outFile, rows);
  else await writeFile(outFile, rows.map((r) => r.map(tsvCell).join('\t')).join('\n') + '\n');
}
