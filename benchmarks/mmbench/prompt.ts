// MMBench prompt exactly as EVE's / LLaVA's model_vqa_mmbench.py builds it with --single-pred-prompt
// (English): [hint "\n"] question, then "\nA. opt" ... for options A–D until the first NaN, then the suffix.
import { OPTION_LETTER } from '../shared/instructions.ts';
import { llavaIsNone, type MMBenchRow } from './read.ts';

/** Options as the prompt shows them: A, B, C, D in order, stopping at the first missing one. */
export function promptOptions(row: MMBenchRow): string[] {
  const out: string[] = [];
  for (const k of ['A', 'B', 'C', 'D'] as const) {
    const v = row.cells[k];
    if (llavaIsNone(v)) break;
    out.push(v!);
  }
  return out;
}

export function buildPrompt(row: MMBenchRow): string {
  let q = row.question;
  if (!llavaIsNone(row.hint)) q = `${row.hint}\n${q}`;
  promptOptions(row).forEach((o, i) => {
    q += `\n${String.fromCharCode(65 + i)}. ${o}`;
  });
  return `${q}\n${OPTION_LETTER}`;
}
