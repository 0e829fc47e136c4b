// Answer sheets as predictions: the MMBench upload spreadsheet (`submission --benchmark mmbench`, .xlsx or
// .tsv: index, question, A–D, prediction, ...) and VLMEvalKit's per-benchmark result sheets
// (<model>_<dataset>.xlsx / .tsv with a `prediction` column; MM-Vet's judged sheet with its `score` too). Rows
// join to samples on `index`: the MMBench sample id, or meta.vlmevalkitIndex where the samples were read from
// VLMEvalKit's own TSV (MME, POPE, GQA, VizWiz, ScienceQA, SEED, TextVQA, MM-Vet). Elsewhere a VLMEvalKit index
// names a row of a file eve-eval did not read, so the sheet is refused.
import { extname } from 'node:path';
import type { Answer, BenchmarkAdapter, Sample } from '../core/benchmark.ts';
import { InputError, NotSupportedError, UserError } from '../core/errors.ts';
import { readTsvSheet, readXlsx, type Sheet } from './spreadsheet.ts';

const SHEET_EXT = new Set(['.xlsx', '.tsv']);

/** Whether `path` is an answer sheet by its name (the JSONL readers take everything else). */
export function isAnswerSheet(path: string): boolean {
  return SHEET_EXT.has(extname(path).toLowerCase());
}

/** An integer index as pandas/openpyxl write it ("12", "12.0") → "12"; anything else unchanged. */
function indexKey(v: string): string {
  const n = Number(v);
  return v.trim() !== '' && Number.isInteger(n) ? String(n) : v;
}

export async function readAnswerSheet(
  path: string,
  adapter: BenchmarkAdapter,
  samples: Sample[],
): Promise<{ answers: Map<string, Answer>; unmatched: number }> {
  const keyOf = (s: Sample): string | undefined =>
    typeof s.meta.vlmevalkitIndex === 'string' ? s.meta.vlmevalkitIndex : adapter.id === 'mmbench' ? s.id : undefined;
  // One VLMEvalKit row may stand for several samples (a POPE question in two splits): each gets its prediction.
  const byIndex = new Map<string, string[]>();
  for (const s of samples) {
    const k = keyOf(s);
    if (k === undefined) continue;
    const ids = byIndex.get(indexKey(k));
    if (ids) ids.push(s.id);
    else byIndex.set(indexKey(k), [s.id]);
  }
  if (byIndex.size === 0) throw new NotSupportedError(`${path}: answer sheets (.xlsx/.tsv) for ${adapter.id} data read from other files than VLMEvalKit's TSV`);
  const sheet: Sheet = extname(path).toLowerCase() === '.xlsx' ? readXlsx(path) : await readTsvSheet(path);
  for (const col of ['index', 'prediction']) {
    if (!sheet.header.includes(col)) throw new InputError(path, 1, `answer sheet has no "${col}" column (has: ${sheet.header.join(', ')})`);
  }
  // VLMEvalKit's judged MM-Vet sheet (<model>_MMVet_<judge>.xlsx: MMVet_auxeval's `score` and `log` beside the prediction).
  const judged = adapter.id === 'mmvet' && sheet.header.includes('score');
  const answers = new Map<string, Answer>();
  let unmatched = 0;
  const seen = new Map<string, number>();
  for (const row of sheet.rows) {
    const raw = row.cells.get('index');
    if (raw === undefined) throw new InputError(path, row.line, 'row without an index');
    const index = indexKey(raw);
    if (seen.has(index)) throw new InputError(path, row.line, `index ${index} appears twice (first on row ${seen.get(index)})`);
    seen.set(index, row.line);
    const ids = byIndex.get(index);
    if (ids === undefined) {
      unmatched++;
      continue;
    }
    const text = row.cells.get('prediction');
    const judge = judged ? judgeOf(path, row.line, row.cells.get('score'), row.cells.get('log')) : undefined;
    if (text !== undefined || judge) for (const id of ids) answers.set(id, { id, text: text ?? '', ...(judge ? { judge } : {}) }); // an empty cell: no answer (counted missing)
  }
  if (sheet.rows.length === 0) throw new UserError(`${path}: no rows in the answer sheet`);
  return { answers, unmatched };
}

/**
 * One judge run from a judged VLMEvalKit MM-Vet row: `score` in [0, 1]; a `log` ending in MMVet_auxeval's
 * "All 5 retries failed." is its 0.0 for a judge failure, counted as one (as eve-eval's own judge counts it).
 */
function judgeOf(path: string, line: number, score: string | undefined, log: string | undefined): Answer['judge'] {
  const v = Number(score);
  if (score === undefined || score.trim() === '' || !(v >= 0 && v <= 1))
    throw new InputError(path, line, `judge score must be in [0, 1], got ${JSON.stringify(score ?? '')}`);
  return { scores: [v], ...(log?.includes('All 5 retries failed.') ? { failedRuns: 1 } : {}) };
}
