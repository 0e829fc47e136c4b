// Joining answers to samples by id for the VQA-family scorers, with the refusals and counts the
// Score contract asks for. Never positional: a file for another split or benchmark is refused.
import type { Answer, Sample, Score } from '../types.ts';
import { ScoreRefusal } from '../../harness/errors.ts';

/**
 * Refuse when the answers cannot belong to these samples: any answer id that is not a sample id means the
 * predictions are for another split/benchmark (or another question file version), so no number is given.
 */
export function checkJoin(benchmark: string, split: string, samples: readonly Sample[], answers: ReadonlyMap<string, Answer>): void {
  if (samples.length === 0) throw new ScoreRefusal(`${benchmark} ${split}: no samples to score`);
  const ids = new Set(samples.map((s) => s.id));
  let unknown = 0;
  let example: string | undefined;
  for (const id of answers.keys()) {
    if (!ids.has(id)) {
      unknown++;
      example ??= id;
    }
  }
  if (unknown > 0) {
    throw new ScoreRefusal(
      `${benchmark} ${split}: ${unknown} of ${answers.size} predictions have ids that are not in the question file ` +
        `(e.g. "${example}"); are these predictions for another benchmark, split or file version?`,
    );
  }
}

/** Walks samples, classifying each answer; `credit` is called only for usable answers. */
export function scoreEach(
  samples: readonly Sample[],
  answers: ReadonlyMap<string, Answer>,
  credit: (sample: Sample, text: string) => number,
): { perSample: Record<string, number>; credits: number[]; counts: Score['counts'] } {
  const perSample: Record<string, number> = {};
  const credits = new Array<number>(samples.length);
  const counts: Score['counts'] = { samples: samples.length, predicted: 0, missing: 0, errors: 0, failedExtraction: 0 };
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    const a = answers.get(s.id);
    let c = 0;
    if (!a) counts.missing++;
    else {
      counts.predicted++;
      if (a.error) counts.errors++;
      else c = credit(s, a.text);
    }
    credits[i] = c;
    perSample[s.id] = c;
  }
  return { perSample, credits, counts };
}

/** Group credits by a key (answer type, question type...) keeping sample order inside each group. */
export function groupBy(samples: readonly Sample[], credits: readonly number[], key: (s: Sample) => string | null): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < samples.length; i++) {
    const k = key(samples[i]);
    if (k === null) continue;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(credits[i]);
  }
  return groups;
}
