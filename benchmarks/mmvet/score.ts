// MM-Vet aggregation of judge grades as the official mm-vet_evaluator.py does it (docs/scoring.md §9):
// per capability and per exact capability set, Σ score / #samples × 100 per run, then the mean over runs
// (rounded to 1 decimal when printed) and the std of the run totals. Grades come from the official grade file
// or from eve-eval's judge (harness/judge/mmvet.ts); without grades score() refuses, never a silent zero.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import type { Answer, MetricValue, Sample, Score } from '../../core/benchmark.ts';
import { InputError, ScoreRefusal, UserError } from '../../core/errors.ts';
import { isObject } from '../shared/data-files.ts';
import { mean } from '../shared/metrics.ts';
import { officialFixed } from '../shared/rounding.ts';
import type { MmvetTruth } from './data.ts';
import { MMVET_GRADER } from './grader.ts';
import { dataRecord } from '../shared/join.ts';

/** Ground truth of a sample: absent when the data folder has LLaVA's question list but not mm-vet.json. */
function truthOf(s: Sample): MmvetTruth | undefined {
  const t = s.answer as MmvetTruth | undefined;
  return t && Array.isArray(t.capability) ? t : undefined;
}

/** Why there is no MM-Vet number yet: what scoring needs, whether or not the truth file is there. */
export function mmvetNeeds(hasTruth: boolean): string {
  return hasTruth
    ? "mmvet: no judge grades: configure a judge (`judge` in the config, or --judge-url and --judge-model; the official grader is gpt-4-0613), or score the official evaluator's grade file: `eve-eval score --benchmark mmvet --predictions <model>_gpt-4-0613-grade-<N>runs.json`"
    : "mmvet: no judge grades: score the official evaluator's grade file (`eve-eval score --benchmark mmvet --predictions <model>_gpt-4-0613-grade-<N>runs.json`); running the judge also needs the official mm-vet.json (ground-truth answers) in DIR/mm-vet/, which is absent";
}

export const NO_TRUTH_NOTE =
  'capability and capability-integration breakdowns unavailable: they need the official mm-vet.json (capabilities per question) in DIR/mm-vet/, which is absent; the total, per-run totals and std come from the grades over the questions of llava-mm-vet.jsonl';

export function scoreMmvet(samples: Sample[], answers: Map<string, Answer>): Score {
  const withTruth = samples.map(truthOf);
  const truthless = withTruth.some((t) => t === undefined);
  const graded = samples.filter((s) => answers.get(s.id)?.judge);
  if (graded.length === 0) throw new UserError(mmvetNeeds(!truthless));
  // A failed generation is not graded (it scores 0 and counts as an error); any other answer must be.
  const ungraded = samples.filter((s) => answers.has(s.id) && !answers.get(s.id)!.judge && !answers.get(s.id)!.error);
  if (ungraded.length > 0) {
    throw new ScoreRefusal(`mmvet: ${ungraded.length} answers have no judge grade (first: ${ungraded[0].id}); grade every answer before scoring`);
  }
  const numRun = Math.max(...graded.map((s) => answers.get(s.id)!.judge!.scores.length));
  const short = graded.find((s) => answers.get(s.id)!.judge!.scores.length !== numRun);
  if (short)
    throw new ScoreRefusal(`mmvet: ${short.id} has ${answers.get(short.id)!.judge!.scores.length} judge runs, others ${numRun}; the grade file is incomplete`);
  // Without mm-vet.json every question is in one capability-less set: the totals are still the evaluator's.
  const truths: MmvetTruth[] = withTruth.map((t) => t ?? { answer: '', capability: [] });

  // Columns as the evaluator builds them: capabilities by frequency (Counter.most_common, ties in first-seen
  // order), capability sets by frequency. Set names: capabilities in the mm-vet.json order of the set's first
  // sample (the evaluator's "_".join(set) depends on Python's string hash order, so varies between runs).
  const capCount = new Map<string, number>();
  const setCount = new Map<string, number>();
  const setName = (caps: string[]) => {
    const key = [...new Set(caps)].sort().join('\u0000');
    return key;
  };
  const setDisplay = new Map<string, string>();
  for (const t of truths) {
    for (const c of new Set(t.capability)) capCount.set(c, (capCount.get(c) ?? 0) + 1);
    const k = setName(t.capability);
    setCount.set(k, (setCount.get(k) ?? 0) + 1);
    if (!setDisplay.has(k)) setDisplay.set(k, [...new Set(t.capability)].join('_'));
  }
  const caps = [...capCount.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  const sets = [...setCount.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);

  const capSums = new Map<string, number[]>([...caps, 'total'].map((c) => [c, new Array(numRun).fill(0)]));
  const setSums = new Map<string, number[]>(sets.map((k) => [k, new Array(numRun).fill(0)]));
  const perSample = dataRecord<number>();
  let missing = 0;
  let errors = 0;
  let judgeFailures = 0;
  samples.forEach((s, idx) => {
    const a = answers.get(s.id);
    if (!a?.judge) {
      if (!a) missing++;
      else errors++;
      perSample[s.id] = 0;
      return; // no prediction, or a failed generation: counts 0 (wrong) in every run
    }
    if (a.error) errors++;
    judgeFailures += a.judge.failedRuns ?? 0;
    const t = truths[idx];
    const scores = a.judge!.scores;
    for (let i = 0; i < numRun; i++) {
      for (const c of new Set(t.capability)) capSums.get(c)![i] += scores[i];
      capSums.get('total')![i] += scores[i];
      setSums.get(setName(t.capability))![i] += scores[i];
    }
    perSample[s.id] = scores.reduce((x, y) => x + y, 0) / numRun;
  });

  const metrics = dataRecord<MetricValue>();
  const capability = dataRecord<MetricValue>();
  const integration = dataRecord<MetricValue>();
  const runTotals = capSums.get('total')!.map((v) => (v / samples.length) * 100);
  for (const c of caps) capability[c] = mean(capSums.get(c)!.map((v) => (v / capCount.get(c)!) * 100))!; // numRun >= 1: never empty
  capability.total = mean(runTotals)!;
  for (const k of sets) integration[setDisplay.get(k)!] = mean(setSums.get(k)!.map((v) => (v / setCount.get(k)!) * 100))!;
  const m = mean(runTotals)!;
  const std = Math.sqrt(mean(runTotals.map((v) => (v - m) ** 2))!); // np.std: population
  for (const [c, v] of Object.entries(truthless ? { total: capability.total } : capability)) metrics[c] = v;
  metrics.std = std;
  metrics.runs = numRun;
  metrics.judgeFailures = judgeFailures;
  runTotals.forEach((v, i) => (metrics[`run${i + 1}.total`] = v));
  if (!truthless) for (const [k, v] of Object.entries(integration)) metrics[`integration.${k}`] = v;
  const notes: string[] = [];
  if (truthless) notes.push(NO_TRUTH_NOTE);
  if (judgeFailures > 0) {
    notes.push(
      `${judgeFailures} judge failure${judgeFailures > 1 ? 's' : ''} (no readable score in ${MMVET_GRADER.tries} replies, or a failed request) scored 0, as the official evaluator scores them`,
    );
  }
  return {
    headline: capability.total as number,
    headlineName: `GPT-4 judge score, mean of ${numRun} run${numRun > 1 ? 's' : ''} (×100)`,
    metrics,
    breakdowns: truthless ? {} : { capability, capability_integration: integration },
    counts: { samples: samples.length, predicted: samples.length - missing, missing, errors, failedExtraction: 0, judged: graded.length, judgeFailures },
    perSample,
    ...(notes.length ? { notes } : {}),
  };
}

/** The evaluator's "#####result1#####" / "#####result2#####" printout, rounded as it rounds. */
export function mmvetOfficialSummary(score: Score): string {
  // The evaluator rounds numpy float64 values: round() on them is np.round (rint of x·10), not Python's.
  const r1 = (v: MetricValue) => officialFixed(v, 1, 'numpy');
  const runs = Object.keys(score.metrics)
    .filter((k) => /^run\d+\.total$/.test(k))
    .map((k) => r1(score.metrics[k]));
  const lines = ['#####result1#####'];
  // Without mm-vet.json there are no capability columns: the total alone (score.notes says why).
  for (const [k, v] of Object.entries(score.breakdowns.capability ?? { total: score.headline })) lines.push(`${k}: ${r1(v)}`);
  lines.push(`std: ${r1(score.metrics.std)}`, `runs: [${runs.join(', ')}]`, '#####result2#####');
  for (const [k, v] of Object.entries(score.breakdowns.capability_integration ?? {})) lines.push(`${k}: ${r1(v)}`);
  lines.push(`total: ${r1(score.headline)}`, `std: ${r1(score.metrics.std)}`, `runs: [${runs.join(', ')}]`);
  return lines.join('\n');
}

/**
 * Official files for MM-Vet: the evaluator's grade file ({"v1_0": {"model": [...], "content": [...],
 * "score": [...]}}) or the submission format ({"v1_0": "answer"}). Null for anything else.
 */
export async function readMmvetOfficial(path: string): Promise<Map<string, Answer> | null> {
  if (!existsSync(path) || statSync(path).isDirectory() || !path.endsWith('.json')) return null;
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null; // not one JSON document: let the JSONL readers have it
  }
  if (!isObject(data)) return null;
  const entries = Object.entries(data);
  if (entries.length === 0 || !entries.every(([k]) => /^v1_\d+$/.test(k))) return null;
  const out = new Map<string, Answer>();
  for (const [id, v] of entries) {
    if (isObject(v) && typeof v.not_graded === 'string') continue; // eve-eval's filler for an unanswered question: missing
    if (typeof v === 'string') {
      out.set(id, { id, text: v });
    } else if (isObject(v) && Array.isArray(v.score)) {
      const scores = v.score.map(Number);
      if (scores.some((x) => !(x >= 0 && x <= 1))) throw new InputError(path, id, `judge scores must be in [0, 1], got ${JSON.stringify(v.score)}`);
      const model = Array.isArray(v.model) && typeof v.model[0] === 'string' ? v.model[0] : undefined;
      // eve-eval's own grade files mark the runs its judge failed (scored 0.0, as the evaluator scores them).
      const failedRuns = Array.isArray(v.judge_failed) ? v.judge_failed.filter((f) => f === true).length : 0;
      out.set(id, { id, text: '', judge: { scores, model, ...(failedRuns ? { failedRuns } : {}) } });
    } else {
      throw new InputError(path, id, 'expected an answer string or a grade {"model", "content", "score": [...]}');
    }
  }
  return out;
}

/** {"v1_0": answer, ...} for the official MM-Vet evaluator; every question present (missing → ""). */
export async function writeMmvetSubmission(samples: Sample[], answers: Map<string, Answer>, outFile: string): Promise<void> {
  const out: Record<string, string> = {};
  for (const s of samples) {
    const a = answers.get(s.id);
    out[s.id] = a && !a.error ? a.text : '';
  }
  await writeFile(outFile, JSON.stringify(out, null, 2) + '\n');
}
