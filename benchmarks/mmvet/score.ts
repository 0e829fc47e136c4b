// MM-Vet aggregation of judge grades as the official mm-vet_evaluator.py does it (SCORING.md §9):
// per capability and per exact capability set, Σ score / #samples × 100 per run, then the mean over runs
// (rounded to 1 decimal when printed) and the std of the run totals. The GPT-4 judge itself is a later
// issue: without grades score() refuses with a clear error, never a silent zero.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import type { Answer, MetricValue, Sample, Score } from '../../core/benchmark.ts';
import { InputError, ScoreRefusal, UserError } from '../../core/errors.ts';
import { isObject } from '../shared/data-files.ts';
import { mean } from '../shared/metrics.ts';
import { officialFixed } from '../shared/rounding.ts';
import type { MmvetTruth } from './data.ts';
import { dataRecord } from '../shared/join.ts';


function truthOf(s: Sample): MmvetTruth {
  const t = s.answer as MmvetTruth | undefined;
  if (!t || !Array.isArray(t.capability)) {
    throw new UserError(`mmvet: ${s.id} has no ground truth; scoring needs the official mm-vet.json (answers and capabilities) in DIR/mm-vet/`);
  }
  return t;
}

export function scoreMmvet(samples: Sample[], answers: Map<string, Answer>): Score {
  const truths = samples.map(truthOf);
  const graded = samples.filter((s) => answers.get(s.id)?.judge);
  if (graded.length === 0) {
    throw new UserError(
      'mmvet: a judge grade file is required to score MM-Vet (the official evaluator\'s <model>_gpt-4-0613-grade-<N>runs.json, passed as --predictions); the GPT-4 judge is not run by eve-eval yet',
    );
  }
  const ungraded = samples.filter((s) => answers.has(s.id) && !answers.get(s.id)!.judge);
  if (ungraded.length > 0) {
    throw new ScoreRefusal(`mmvet: ${ungraded.length} answers have no judge grade (first: ${ungraded[0].id}); grade every answer before scoring`);
  }
  const numRun = Math.max(...graded.map((s) => answers.get(s.id)!.judge!.scores.length));
  const short = graded.find((s) => answers.get(s.id)!.judge!.scores.length !== numRun);
  if (short) throw new ScoreRefusal(`mmvet: ${short.id} has ${answers.get(short.id)!.judge!.scores.length} judge runs, others ${numRun}; the grade file is incomplete`);

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
  samples.forEach((s, idx) => {
    const a = answers.get(s.id);
    if (!a) {
      missing++;
      perSample[s.id] = 0;
      return; // no prediction: counts 0 (wrong) in every run
    }
    if (a.error) errors++;
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
  for (const [c, v] of Object.entries(capability)) metrics[c] = v;
  metrics.std = std;
  metrics.runs = numRun;
  runTotals.forEach((v, i) => (metrics[`run${i + 1}.total`] = v));
  for (const [k, v] of Object.entries(integration)) metrics[`integration.${k}`] = v;
  return {
    headline: capability.total as number,
    headlineName: `GPT-4 judge score, mean of ${numRun} run${numRun > 1 ? 's' : ''} (×100)`,
    metrics,
    breakdowns: { capability, capability_integration: integration },
    counts: { samples: samples.length, predicted: samples.length - missing, missing, errors, failedExtraction: 0, judged: graded.length },
    perSample,
  };
}

/** The evaluator's "#####result1#####" / "#####result2#####" printout, rounded as it rounds. */
export function mmvetOfficialSummary(score: Score): string {
  // The evaluator rounds numpy float64 values: round() on them is np.round (rint of x·10), not Python's.
  const r1 = (v: MetricValue) => officialFixed(v, 1, 'numpy');
  const runs = Object.keys(score.metrics).filter((k) => /^run\d+\.total$/.test(k)).map((k) => r1(score.metrics[k]));
  const lines = ['#####result1#####'];
  for (const [k, v] of Object.entries(score.breakdowns.capability)) lines.push(`${k}: ${r1(v)}`);
  lines.push(`std: ${r1(score.metrics.std)}`, `runs: [${runs.join(', ')}]`, '#####result2#####');
  for (const [k, v] of Object.entries(score.breakdowns.capability_integration)) lines.push(`${k}: ${r1(v)}`);
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
    if (typeof v === 'string') {
      out.set(id, { id, text: v });
    } else if (isObject(v) && Array.isArray(v.score)) {
      const scores = v.score.map(Number);
      if (scores.some((x) => !(x >= 0 && x <= 1))) throw new InputError(path, id, `judge scores must be in [0, 1], got ${JSON.stringify(v.score)}`);
      const model = Array.isArray(v.model) && typeof v.model[0] === 'string' ? v.model[0] : undefined;
      out.set(id, { id, text: '', judge: { scores, model } });
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
