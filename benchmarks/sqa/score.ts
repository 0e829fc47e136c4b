// ScienceQA-IMG scoring: LLaVA's eval_science_qa.py letter rule per problem, accuracy over all test
// problems and over the image ones (the headline), plus the official evaluate_acc.py breakdown
// (NAT/SOC/LAN, TXT/IMG/NO, G1-6/G7-12, Avg, per topic) when problems.json metadata is loaded.
// Every percentage is rounded as both scripts print it ('{:.2f}': exact binary value, ties to even).
import type { Answer, Sample, Score } from '../../core/benchmark.ts';
import { ScoreRefusal } from '../../core/errors.ts';
import { LETTERS, scienceQaExtract } from '../shared/choices.ts';
import { checkJoin, emptyCounts, usableText, dataRecord } from '../shared/join.ts';
import { countHit, pct, type HitTally } from '../shared/metrics.ts';
import { officialRound } from '../shared/rounding.ts';

/** LLaVA's get_pred_idx: the letter's position when it is among the first n options, else -1. */
export function predIndex(letter: string, nChoices: number): number {
  const i = (LETTERS as readonly string[]).indexOf(letter);
  return i >= 0 && i < nChoices ? i : -1;
}

// Keyed by data (problems.json's subject), so a Map: a plain object would answer "constructor".
const SUBJECTS: ReadonlyMap<string, string> = new Map([
  ['natural science', 'NAT'],
  ['social science', 'SOC'],
  ['language science', 'LAN'],
]);

const G1_6 = new Set(['grade1', 'grade2', 'grade3', 'grade4', 'grade5', 'grade6']);
const G7_12 = new Set(['grade7', 'grade8', 'grade9', 'grade10', 'grade11', 'grade12']);

/**
 * evaluate_acc.py's grade columns: `grade` isin ['grade1' .. 'grade6'] or ['grade7' .. 'grade12'], exact
 * strings. Any other value ("grade13", "Grade 5", "", null) is counted in neither.
 */
export function gradeGroup(grade: unknown): 'G1-6' | 'G7-12' | null {
  if (typeof grade !== 'string') return null;
  return G1_6.has(grade) ? 'G1-6' : G7_12.has(grade) ? 'G7-12' : null;
}

export function scoreSqa(samples: Sample[], answers: Map<string, Answer>): Score {
  checkJoin('sqa', samples, answers);
  const counts = emptyCounts(samples.length);
  const perSample = dataRecord<number>();
  const groups: HitTally = new Map();
  const topics: HitTally = new Map();
  let official = false;
  for (const s of samples) {
    if (typeof s.answer !== 'string') throw new ScoreRefusal(`sqa: sample ${s.id} has no gold letter`);
    const text = usableText(answers.get(s.id), counts);
    let ok = false;
    if (text !== null) {
      const letter = scienceQaExtract(text);
      if (letter === 'FAILED') counts.failedExtraction++;
      const idx = predIndex(letter, Number(s.meta.nChoices));
      ok = idx >= 0 && LETTERS[idx] === s.answer;
    }
    // eval_science_qa.py: a missing problem is FAILED (wrong) in Accuracy, but its stand-in prompt "Unknown" has no
    // <image>, so it leaves the IMG denominator: the headline follows that rule; 'img.strict' counts it wrong.
    const missing = answers.get(s.id) === undefined;
    if (!missing) perSample[s.id] = ok ? 1 : 0;
    countHit(groups, 'all', ok);
    if (s.meta.hasImage) {
      countHit(groups, 'img.strict', ok);
      if (!missing) countHit(groups, 'img', ok);
    }
    if (typeof s.meta.subject === 'string') {
      official = true;
      const subject = SUBJECTS.get(s.meta.subject);
      if (subject) countHit(groups, subject, ok);
      if (s.meta.hasHint) countHit(groups, 'TXT', ok);
      if (s.meta.problemImage) countHit(groups, 'IMG', ok);
      if (!s.meta.hasHint && !s.meta.problemImage) countHit(groups, 'NO', ok);
      const grade = gradeGroup(s.meta.grade);
      if (grade) countHit(groups, grade, ok);
      if (typeof s.meta.topic === 'string') countHit(topics, s.meta.topic, ok);
    }
  }
  // correct / total * 100, then '{:.2f}' (LLaVA's f-string and evaluate_acc.py alike).
  const rate = (t: [number, number] | undefined) => (t ? officialRound(pct(t[0], t[1]), 2) : null);
  const acc = (k: string) => rate(groups.get(k));
  const strictImg = acc('img.strict');
  if (strictImg === null) throw new ScoreRefusal('sqa: no image questions among the samples; ScienceQA-IMG cannot be computed');
  // Every image problem missing: the official script has no IMG number (0/0); the strict 0 stands.
  const img = acc('img') ?? strictImg;
  const imgTotal = groups.get('img')?.[1] ?? 0;
  const metrics: Score['metrics'] = {
    'IMG-Accuracy': img,
    Accuracy: acc('all'),
    Total: groups.get('all')![1],
    Correct: groups.get('all')![0],
    'IMG-Total': imgTotal,
  };
  if (imgTotal !== groups.get('img.strict')![1]) {
    metrics['IMG-Accuracy.strict'] = strictImg;
    metrics['IMG-Missing'] = groups.get('img.strict')![1] - imgTotal;
  }
  const breakdowns: Score['breakdowns'] = {};
  if (official) {
    const table: Record<string, number | null> = {};
    for (const k of ['NAT', 'SOC', 'LAN', 'TXT', 'IMG', 'NO', 'G1-6', 'G7-12']) table[k] = acc(k);
    table.Avg = acc('all');
    breakdowns.official = table;
    for (const [k, v] of Object.entries(table)) metrics[`official.${k}`] = v;
    breakdowns.topic = Object.fromEntries([...topics.keys()].sort().map((k) => [k, rate(topics.get(k))]));
  }
  return { headline: img, headlineName: 'IMG accuracy (%)', metrics, breakdowns, counts, perSample };
}
