// VQA soft accuracy (docs/scoring.md §0): min(1, matches/3) averaged over the leave-one-annotator-out subsets,
// in the three flavours the official scorers compute it. Summation follows the Python loops' order so the
// printed 2-decimal figures agree to the last digit.
import { memoize, officialNormalize, stripLineBreaks, vizwizNormalize, evalAIProcess } from './vqa-normalize.ts';

/** Leave-one-out soft accuracy of a prediction already normalized like the GT answers (the first `n` of `gts`). */
export function leaveOneOut(gts: readonly string[], pred: string, n = gts.length): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (gts[i] === pred) k++;
  if (k === 0) return 0;
  // A GT equal to pred sees k-1 matches among the others; any other GT sees k.
  const hit = Math.min(1, (k - 1) / 3);
  const miss = Math.min(1, k / 3);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += gts[i] === pred ? hit : miss;
  return sum / n;
}

/**
 * Official VQAv2 (GT-Vision-Lab vqaEval.py @HEAD) per-question accuracy. `gtStripped` are the GT answers
 * after step 1 (line breaks, strip); `gtNormalized` the same after steps 3-4, or null when the 10 stripped
 * answers are unanimous, in which case NOTHING else is normalized, the prediction included.
 */
export function officialVqaAccuracy(gtStripped: readonly string[], gtNormalized: readonly string[] | null, pred: string): number {
  const p = stripLineBreaks(pred);
  if (gtNormalized === null) return leaveOneOut(gtStripped, p);
  return leaveOneOut(gtNormalized, officialNormalize(p));
}

/** Precompute the GT side of officialVqaAccuracy for one question. */
export function prepareOfficialGt(
  answers: readonly string[],
  normalize: (s: string) => string = officialNormalize,
): { stripped: string[]; normalized: string[] | null } {
  const stripped = answers.map(stripLineBreaks);
  let unanimous = true;
  for (let i = 1; i < stripped.length; i++) if (stripped[i] !== stripped[0]) unanimous = false;
  return { stripped, normalized: unanimous ? null : stripped.map(normalize) };
}

/** vizwiz.org scorer: prediction normalized (curly-apostrophe table), GT answers compared raw. */
export function vizwizAccuracy(gtRaw: readonly string[], pred: string): number {
  return leaveOneOut(gtRaw, vizwizNormalize(pred));
}

/**
 * TextVQAAccuracyEvaluator (MMF, LLaVA m4c_evaluator.py): both sides through the EvalAI processor;
 * asserts exactly 10 GT answers; the prediction scores the leave-one-out score of the processed GT answer
 * it equals, else 0.
 */
export function textvqaAccuracy(gtProcessed: readonly string[], predProcessed: string): number {
  if (gtProcessed.length !== 10) throw new Error(`TextVQA needs exactly 10 answers, got ${gtProcessed.length}`);
  return leaveOneOut(gtProcessed, predProcessed);
}

/** Shared memoized normalizers (one cache per process is fine: they are pure functions). */
export const cachedEvalAI = memoize(evalAIProcess);
export const cachedOfficial = memoize(officialNormalize);
