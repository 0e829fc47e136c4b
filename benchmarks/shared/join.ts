// Joining answers to samples by id, written once for every scorer: the refusal when the predictions
// cannot belong to these samples, and the per-sample walk that fills the Score counts. Never positional:
// scoring a file for another split or benchmark by position would print a wrong number silently (answers
// held by position, core/joined-answers.ts, were joined by id as they were read).
import type { Answer, Sample, Score } from '../../core/benchmark.ts';
import { ScoreRefusal } from '../../core/errors.ts';
import { JoinedAnswers } from '../../core/joined-answers.ts';

export interface JoinOptions {
  /** Answers for samples outside this split are expected (a subset split of one predictions file, e.g. SEED image). */
  allowExtra?: boolean;
  /** How many samples have an answer, where the caller has counted them already (creditEach's counts.predicted). */
  answered?: number;
}

/**
 * Refuse to score when the answers do not line up with the samples: no samples; no answer id in common
 * with the samples; or (unless `allowExtra`) any answer id the samples do not have. No answers at all is
 * fine: every sample is then counted missing, and reported as such.
 */
export function checkJoin(label: string, samples: readonly Sample[], answers: ReadonlyMap<string, Answer>, options: JoinOptions = {}): void {
  if (samples.length === 0) throw new ScoreRefusal(`${label}: no samples to score`);
  if (answers.size === 0) return;
  // Every answer belongs to a sample when as many samples have one as there are answers (ids are unique):
  // no set of the ids then (VQAv2 val: 214k).
  let answered = options.answered;
  if (answered === undefined) {
    answered = 0;
    for (let i = 0; i < samples.length; i++) if (answers.has(samples[i].id)) answered++;
  }
  if (answered === answers.size) return;
  const ids = new Set(samples.map((s) => s.id));
  let extra = 0;
  let firstExtra: string | undefined;
  for (const id of answers.keys()) {
    if (!ids.has(id)) {
      extra++;
      firstExtra ??= id;
    }
  }
  if (extra === answers.size) {
    throw new ScoreRefusal(
      `${label}: none of the ${answers.size} prediction ids matches a sample id (first: "${firstExtra}"); is this a predictions file for another benchmark or split?`,
    );
  }
  if (extra > 0 && !options.allowExtra) {
    throw new ScoreRefusal(
      `${label}: ${extra} of ${answers.size} prediction ids are not in the question file / ground truth (first: "${firstExtra}"); ` +
        'are these predictions for another benchmark, split or file version?',
    );
  }
}

export type Counts = Score['counts'];

/**
 * A record keyed by data (sample ids, category or answer-type names), without a prototype: "__proto__" or
 * "constructor" is then an ordinary key, where on a plain object it would be dropped or answer a function.
 */
export function dataRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function emptyCounts(samples: number): Counts {
  return { samples, predicted: 0, missing: 0, errors: 0, failedExtraction: 0 };
}

/**
 * Count one sample's answer as missing, errored or predicted, and return its text when it can be
 * scored (null otherwise: a missing or errored answer scores as wrong).
 */
export function usableText(answer: Answer | undefined, counts: Counts): string | null {
  if (!answer) {
    counts.missing++;
    return null;
  }
  counts.predicted++;
  if (answer.error) {
    counts.errors++;
    return null;
  }
  return answer.text;
}

/** Walks samples, classifying each answer; `credit` is called only for usable answers. */
export function scoreEach(
  samples: readonly Sample[],
  answers: ReadonlyMap<string, Answer>,
  credit: (sample: Sample, text: string) => number,
): { perSample: Record<string, number>; credits: number[]; counts: Counts } {
  const { credits, counts } = creditEach(samples, answers, credit);
  return { perSample: perSampleOf(samples, credits), credits, counts };
}

/** scoreEach without the per-sample record (which a caller may build only when it is read: perSampleOf). */
export function creditEach(
  samples: readonly Sample[],
  answers: ReadonlyMap<string, Answer>,
  credit: (sample: Sample, text: string) => number,
): { credits: number[]; counts: Counts } {
  const credits = new Array<number>(samples.length);
  const counts = emptyCounts(samples.length);
  const texts = answers instanceof JoinedAnswers ? answers.textsFor(samples) : undefined;
  if (texts !== undefined) {
    // Joined by position as they were read (core/joined-answers.ts): no lookup by id, and no errors among them.
    for (let i = 0; i < samples.length; i++) {
      const text = texts[i];
      if (text === undefined) counts.missing++;
      else counts.predicted++;
      credits[i] = text === undefined ? 0 : credit(samples[i], text);
    }
    return { credits, counts };
  }
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    const text = usableText(answers.get(s.id), counts);
    credits[i] = text === null ? 0 : credit(s, text);
  }
  return { credits, counts };
}

/** Each sample's credit by its id. */
export function perSampleOf(samples: readonly Sample[], credits: readonly number[]): Record<string, number> {
  const perSample = dataRecord<number>();
  for (let i = 0; i < samples.length; i++) perSample[samples[i].id] = credits[i];
  return perSample;
}
