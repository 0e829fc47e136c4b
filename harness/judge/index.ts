// Where the judges meet the rest: the judge settings from the config file and flags, and the step between
// reading answers and scoring them. MM-Vet's answers are graded (unless they came with grades); the
// result records which judge, with what settings, at what cost. Without a judge nothing is asked, and
// MM-Vet's scorer says exactly what it needs.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { Answer, BenchmarkAdapter, Sample } from '../../core/benchmark.ts';
import { UserError } from '../../core/errors.ts';
import type { JudgeRecord } from '../../core/records.ts';
import { writeJsonAtomic } from '../../core/atomic-write.ts';
import { MMVET_GRADER } from '../../benchmarks/mmvet/grader.ts';
import { Judge, type JudgeSettings } from './client.ts';

export const judgeConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** Default: MM-Vet's official grader, gpt-4-0613. */
  model: z.string().min(1).optional(),
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
  /** MM-Vet judge runs (the paper: 5); the result is their mean, with per-run totals and std. */
  runs: z.number().int().positive().max(20).optional(),
  timeoutMs: z.number().int().positive().optional(),
  retries: z.number().int().min(0).max(10).optional(),
  concurrency: z.number().int().positive().max(256).optional(),
  /** USD per million tokens, for the cost estimate. */
  prices: z.strictObject({ inputPerMTok: z.number().min(0), outputPerMTok: z.number().min(0) }).optional(),
});
export type JudgeConfig = z.infer<typeof judgeConfigSchema>;

export interface ResolvedJudge extends JudgeSettings {
  runs: number;
}

export interface JudgeFlags {
  judgeUrl?: string;
  judgeModel?: string;
  judgeKeyEnv?: string;
  judgeRuns?: number;
}

/** Flags override the config file's `judge`; no URL anywhere: no judge. */
export function resolveJudge(flags: JudgeFlags, file?: JudgeConfig): ResolvedJudge | undefined {
  const url = flags.judgeUrl ?? file?.url;
  if (url === undefined) {
    if (flags.judgeModel || flags.judgeKeyEnv || flags.judgeRuns) throw new UserError('--judge-model, --judge-key-env and --judge-runs need a judge endpoint: --judge-url (or `judge.url` in the config)');
    return undefined;
  }
  const parsed = judgeConfigSchema.safeParse({
    ...file,
    url,
    model: flags.judgeModel ?? file?.model,
    apiKeyEnv: flags.judgeKeyEnv ?? file?.apiKeyEnv,
    runs: flags.judgeRuns ?? file?.runs,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`judge ${issue.path.join('.') || 'settings'}: ${issue.message}`);
  }
  const j = parsed.data;
  // Checked before any model runs: a judge that cannot authenticate would only fail at the end.
  if (j.apiKeyEnv && process.env[j.apiKeyEnv] === undefined) throw new UserError(`judge: environment variable ${j.apiKeyEnv} (its API key) is not set`);
  return { ...j, model: j.model ?? MMVET_GRADER.model, runs: j.runs ?? 1 };
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`${name} must be a positive integer (got "${v}")`);
  return n;
};

/** The judge flags of `score`, `run` and `all`. */
export function addJudgeOptions(cmd: Command): Command {
  return cmd
    .option('--judge-url <url>', 'LLM judge: an OpenAI-compatible endpoint (grades MM-Vet as its official evaluator does)')
    .option('--judge-model <name>', `judge model (default ${MMVET_GRADER.model}, the official MM-Vet grader)`)
    .option('--judge-key-env <var>', "environment variable holding the judge's API key")
    .option('--judge-runs <k>', 'MM-Vet judge runs: mean, per-run totals and std (default 1; the paper: 5)', positiveInt('--judge-runs'));
}

/** A file-name-safe form of a model name (judge models may be "org/name"). */
const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

export interface JudgeStep {
  answers: Map<string, Answer>;
  record?: JudgeRecord;
  /** Lines for stderr: failures with their reasons (a few examples), the cost. */
  log: string[];
}

/**
 * Judge what needs judging before `adapter.score`: MM-Vet answers without grades, when a judge is set.
 * `dir` holds the judge cache (judge-cache.jsonl) and the official grade file (mm-vet/...); `model` is the
 * evaluated model's name, for the grade file's name as the evaluator builds it.
 */
export async function applyJudge(
  adapter: BenchmarkAdapter, samples: Sample[], answers: Map<string, Answer>,
  ctx: { judge?: ResolvedJudge; dir: string; model: string },
): Promise<JudgeStep> {
  if (adapter.id !== 'mmvet' || !ctx.judge) return { answers, log: [] };
  const hasGrades = [...answers.values()].some((a) => a.judge);
  if (hasGrades) return { answers, log: ['mmvet: the answers come with judge grades; the judge is not asked'] };
  const { gradeMmvet } = await import('./mmvet.ts');
  const { writeMmvetSubmission } = await import('../../benchmarks/mmvet/score.ts');
  const judge = await Judge.open(ctx.judge, join(ctx.dir, 'judge-cache.jsonl'));
  const graded = await gradeMmvet(samples, answers, judge, ctx.judge.runs);
  // Beside the results, as the evaluator names them: its answers file and its grade file, so the official
  // mm-vet_evaluator.py can rerun the aggregation on exactly these grades (it asks nothing when they are complete).
  const base = join(ctx.dir, 'mm-vet');
  await mkdir(base, { recursive: true });
  const gradeName = `${fileSafe(ctx.model)}_${fileSafe(ctx.judge.model)}-grade-${ctx.judge.runs}runs.json`;
  await writeJsonAtomic(join(base, gradeName), graded.gradeFile);
  await writeMmvetSubmission(samples, answers, join(base, `${fileSafe(ctx.model)}.json`));
  const u = judge.usage;
  const record: JudgeRecord = {
    role: 'mmvet-grader',
    model: ctx.judge.model,
    answeredBy: graded.answeredBy,
    protocol: {
      source: MMVET_GRADER.source,
      temperature: MMVET_GRADER.temperature,
      maxTokens: MMVET_GRADER.maxTokens,
      tries: MMVET_GRADER.tries,
      temperatureStep: MMVET_GRADER.temperatureStep,
      officialModel: MMVET_GRADER.model,
    },
    runs: ctx.judge.runs,
    failures: graded.failures.length,
    usage: { ...u },
    gradeFile: join('mm-vet', gradeName),
  };
  const log = [
    `mmvet: judge ${ctx.judge.model}: ${u.requests} requests, ${u.cached} answers from the cache, ${u.promptTokens} prompt + ${u.completionTokens} completion tokens` +
      (u.costUsd === null ? ' (no prices configured: no cost estimate)' : `, estimated $${u.costUsd.toFixed(4)}`),
  ];
  if (graded.failures.length) {
    const ex = graded.failures.slice(0, 3).map((f) => `${f.id} run ${f.run + 1}: ${f.kind}: ${f.message}`).join('; ');
    log.push(`mmvet: ${graded.failures.length} judge failures, scored 0 and counted (e.g. ${ex})`);
  }
  if (ctx.model !== fileSafe(ctx.model)) log.push(`mmvet: grade file named ${gradeName} (model name made file-safe)`);
  return { answers: graded.answers, record, log };
}
