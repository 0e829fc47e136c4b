// SEED-Bench scoring as LLaVA/EVE's convert_seed_for_submission.py: exact string match of the reply
// with the answer letter (no stripping: "C." is wrong), question-weighted accuracy per dimension,
// for image / video / all; questions without a prediction count as wrong.
import { writeFile } from 'node:fs/promises';
import type { Answer, Sample, Score } from '../../core/benchmark.ts';
import { ScoreRefusal } from '../../core/errors.ts';
import { checkJoin, emptyCounts, usableText, dataRecord } from '../shared/join.ts';
import { countHit, pct, type HitTally } from '../shared/metrics.ts';
import { officialRound } from '../shared/rounding.ts';

/**
 * The prediction a sample is scored with. SEED-Bench-1 repeats question_id "49914"; LLaVA keys its
 * predictions by id, so both questions are scored with the one prediction kept — eve-eval ids the
 * second "49914#2" and falls back to the shared id the same way.
 */
export function seedAnswer(s: Sample, answers: Map<string, Answer>): Answer | undefined {
  return answers.get(s.id) ?? (typeof s.meta.questionId === 'string' ? answers.get(s.meta.questionId) : undefined);
}

export function scoreSeed(samples: Sample[], answers: Map<string, Answer>): Score {
  const split = samples[0]?.split ?? 'all';
  checkJoin(`seed ${split}`, samples, answers, { allowExtra: split !== 'all' });
  const counts = emptyCounts(samples.length);
  const perSample = dataRecord<number>();
  const dimNames = new Map<number, string>();
  const dims: HitTally = new Map();
  const types: HitTally = new Map();
  for (const s of samples) {
    if (typeof s.answer !== 'string') throw new ScoreRefusal(`seed: sample ${s.id} has no answer`);
    const text = usableText(seedAnswer(s, answers), counts);
    if (text !== null && !['A', 'B', 'C', 'D'].includes(text)) counts.failedExtraction++;
    const ok = text !== null && text === s.answer;
    perSample[s.id] = ok ? 1 : 0;
    const id = Number(s.meta.questionTypeId);
    if (!dimNames.has(id)) dimNames.set(id, String(s.meta.dimension));
    countHit(dims, String(id), ok);
    for (const t of ['all', String(s.meta.dataType)]) countHit(types, t, ok);
  }
  // correct / count * 100, printed '{:.2f}' by the converter: rounded here as it prints (ties to even).
  const rate = (hit: number, total: number) => officialRound(pct(hit, total), 2);
  const acc = (t: string) => (types.has(t) ? rate(types.get(t)![0], types.get(t)![1]) : null);
  const dimension = dataRecord<number | null>();
  for (const id of [...dimNames.keys()].sort((a, b) => a - b)) dimension[dimNames.get(id)!] = rate(...dims.get(String(id))!);
  const metrics: Score['metrics'] = { all: acc('all'), image: acc('image'), video: acc('video') };
  for (const [k, v] of Object.entries(dimension)) metrics[`dimension.${k}`] = v;
  const headline = split === 'image' ? acc('image') : split === 'video' ? acc('video') : acc('all');
  return {
    headline: headline!,
    headlineName: `SEED-${split} accuracy (%)`,
    metrics,
    breakdowns: { dimension, dataType: { image: acc('image'), video: acc('video'), all: acc('all') } },
    counts,
    perSample,
  };
}

/** The leaderboard upload LLaVA writes: one {"question_id", "prediction"} line per SEED question. */
export async function writeSeedSubmission(samples: Sample[], answers: Map<string, Answer>, outFile: string): Promise<void> {
  const lines = samples.map((s) => {
    const a = seedAnswer(s, answers);
    // A missing answer is written as "" (scored wrong by the leaderboard) where LLaVA's script would crash.
    return JSON.stringify({ question_id: String(s.meta.questionId), prediction: a && !a.error ? a.text : '' });
  });
  await writeFile(outFile, lines.join('\n') + '\n');
}
