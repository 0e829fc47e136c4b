// MM-Vet graded by an LLM judge exactly as the official evaluator asks GPT-4 (benchmarks/mmvet/grader.ts):
// each answer, in each of K judge runs, gets the few-shot prompt at temperature 0 with max_tokens 3; a
// reply that is no score in [0, 1] is asked again with the evaluator's nudge and a temperature raised by
// 0.5 each time, up to five replies. A grade that still has no score, or whose request failed, is a judge
// failure: scored 0.0 as the evaluator scores it, but counted, marked in the grade file and shown.
import type { Answer, Sample } from '../../core/benchmark.ts';
import { UserError } from '../../core/errors.ts';
import type { MmvetTruth } from '../../benchmarks/mmvet/data.ts';
import { MMVET_GRADER, mmvetGradingPrompt, mmvetTryTemperature, parseMmvetGrade } from '../../benchmarks/mmvet/grader.ts';
import { mmvetNeeds } from '../../benchmarks/mmvet/score.ts';
import type { Judge } from './client.ts';

/**
 * The official grade file: {"v1_0": {"model": [...], "content": [...], "score": [...]}}, one entry per run. Every
 * question is in it, so the evaluator finds it complete and asks nothing: a question with no answer or a failed
 * generation gets 0.0 in every run and `not_graded` saying why (eve-eval reads those back as missing).
 */
export type MmvetGradeFile = Record<string, { model: string[]; content: string[]; score: number[]; judge_failed?: boolean[]; not_graded?: string }>;

export interface JudgeFailure {
  id: string;
  run: number;
  kind: 'judge-unreadable' | 'judge-request';
  message: string;
}

type OneGrade = { score: number; content: string; model: string } | { failure: JudgeFailure; content: string; model: string };

async function gradeOnce(judge: Judge, id: string, run: number, question: string, truth: string, prediction: string): Promise<OneGrade> {
  let last = '';
  let model = judge.settings.model;
  for (let t = 0; t < MMVET_GRADER.tries; t++) {
    const content = mmvetGradingPrompt(question, truth, prediction, t > 0);
    // Runs after the first are separate questions to the judge: their own cache entries, as K API calls are.
    const reply = await judge.ask(
      { messages: [{ role: 'user', content }], max_tokens: MMVET_GRADER.maxTokens, temperature: mmvetTryTemperature(t) },
      run > 0 ? `mmvet-run-${run + 1}` : undefined,
    );
    if ('error' in reply) {
      return { failure: { id, run, kind: 'judge-request', message: `${reply.error.kind}: ${reply.error.message}` }, content: last, model };
    }
    model = reply.model;
    const parsed = parseMmvetGrade(reply.content);
    if (parsed) return { ...parsed, model };
    last = reply.content;
  }
  return {
    failure: { id, run, kind: 'judge-unreadable', message: `no score in [0, 1] in ${MMVET_GRADER.tries} replies (last: ${JSON.stringify(last)})` },
    content: last,
    model,
  };
}

export interface MmvetGrading {
  /** The answers with their grades (judge.scores per run; failed runs 0 and counted in failedRuns). */
  answers: Map<string, Answer>;
  gradeFile: MmvetGradeFile;
  failures: JudgeFailure[];
  answeredBy: string[];
}

/** Grade every answer that is neither missing nor a failed generation, `runs` times. */
export async function gradeMmvet(samples: Sample[], answers: Map<string, Answer>, judge: Judge, runs: number): Promise<MmvetGrading> {
  const todo = samples.filter((s) => answers.has(s.id) && !answers.get(s.id)!.error);
  const missingTruth = todo.find((s) => typeof (s.answer as MmvetTruth | undefined)?.answer !== 'string');
  if (missingTruth) throw new UserError(mmvetNeeds(false));
  const graded = await Promise.all(
    todo.map(async (s) => {
      const truth = s.answer as MmvetTruth;
      const prediction = answers.get(s.id)!.text;
      const grades: OneGrade[] = [];
      for (let run = 0; run < runs; run++) grades.push(await gradeOnce(judge, s.id, run, truth.question ?? s.prompt, truth.answer, prediction));
      return { s, grades };
    }),
  );
  const out = new Map(answers);
  const gradeFile: MmvetGradeFile = {};
  for (const s of samples) {
    const a = answers.get(s.id);
    if (!a || a.error)
      gradeFile[s.id] = {
        model: Array(runs).fill(''),
        content: Array(runs).fill(''),
        score: Array(runs).fill(0),
        not_graded: a ? 'generation failed' : 'no answer',
      };
  }
  const failures: JudgeFailure[] = [];
  const answeredBy = new Set<string>();
  for (const { s, grades } of graded) {
    const failed = grades.map((g) => 'failure' in g);
    for (const g of grades) {
      answeredBy.add(g.model);
      if ('failure' in g) failures.push(g.failure);
    }
    const scores = grades.map((g) => ('failure' in g ? 0 : g.score));
    gradeFile[s.id] = {
      model: grades.map((g) => g.model),
      content: grades.map((g) => g.content),
      score: scores,
      ...(failed.some(Boolean) ? { judge_failed: failed } : {}),
    };
    const failedRuns = failed.filter(Boolean).length;
    out.set(s.id, { ...answers.get(s.id)!, judge: { scores, model: grades[0]?.model, ...(failedRuns ? { failedRuns } : {}) } });
  }
  return { answers: out, gradeFile, failures, answeredBy: [...answeredBy].sort() };
}
