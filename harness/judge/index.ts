// Where the judges meet the rest: the judge settings from the config file and flags, and the step between
// reading answers and scoring them. MM-Vet's answers are graded (unless they came with grades); the
// result records which judge, with what settings, at what cost. Without a judge nothing is asked, and
// MM-Vet's scorer says exactly what it needs.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import type { Answer, BenchmarkAdapter, Sample } from '../../core/benchmark.ts';
import { UserError } from '../../core/errors.ts';
import type { JudgeRecord } from '../../core/records.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../core/atomic-write.ts';
import { MMVET_GRADER } from '../../benchmarks/mmvet/grader.ts';
import { MMBENCH_EXTRACTOR, MMBENCH_RULE_SETS, MMBENCH_RULE_SOURCES, type MMBenchRules } from '../../benchmarks/mmbench/extract.ts';
import { Judge, type JudgeSettings } from './client.ts';
import type { JudgeConfig } from './config-schema.ts';
import type { JudgeFailure } from './mmvet.ts';

export type { JudgeConfig } from './config-schema.ts';

export interface ResolvedJudge extends JudgeSettings {
  runs: number;
  /** Whether MMBench's unread answers go to the LLM choice extractor. */
  mmbench?: boolean;
}

export interface JudgeFlags {
  judgeUrl?: string;
  judgeModel?: string;
  judgeKeyEnv?: string;
  judgeRuns?: number;
  judgeMmbench?: boolean;
  mmbenchRules?: string;
}

/** --mmbench-rules, else the config's, else opencompass's (what eve-eval has always scored with). */
export function resolveMmbenchRules(flag?: string, file?: string): MMBenchRules {
  const r = flag ?? file ?? 'opencompass';
  if (!(MMBENCH_RULE_SETS as readonly string[]).includes(r)) throw new UserError(`--mmbench-rules must be ${MMBENCH_RULE_SETS.join(' or ')} (got "${r}")`);
  return r as MMBenchRules;
}

/** Flags override the config file's `judge`; no URL anywhere: no judge (and zod, ~50 ms to load, is not loaded). */
export async function resolveJudge(flags: JudgeFlags, file?: JudgeConfig): Promise<ResolvedJudge | undefined> {
  const url = flags.judgeUrl ?? file?.url;
  if (url === undefined) {
    if (flags.judgeModel || flags.judgeKeyEnv || flags.judgeRuns || flags.judgeMmbench) {
      throw new UserError('--judge-model, --judge-key-env, --judge-runs and --judge-mmbench need a judge endpoint: --judge-url (or `judge.url` in the config)');
    }
    return undefined;
  }
  const { judgeConfigSchema } = await import('./config-schema.ts');
  const parsed = judgeConfigSchema.safeParse({
    ...file,
    url,
    model: flags.judgeModel ?? file?.model,
    apiKeyEnv: flags.judgeKeyEnv ?? file?.apiKeyEnv,
    runs: flags.judgeRuns ?? file?.runs,
    mmbench: flags.judgeMmbench ?? file?.mmbench,
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
    .option('--judge-runs <k>', 'MM-Vet judge runs: mean, per-run totals and std (default 1; the paper: 5)', positiveInt('--judge-runs'))
    .option('--judge-mmbench', "also read MMBench answers no rule reads with VLMEvalKit's LLM choice extractor")
    .addOption(new Option('--mmbench-rules <set>', 'MMBench letter rules (default opencompass, as eval_mmbench.py)').choices([...MMBENCH_RULE_SETS]));
}

/** What a run's manifest records of its judges' protocols, keyed as its adapter versions are. */
export function judgeProtocols(judge: ResolvedJudge): Record<string, string> {
  const out: Record<string, string> = {
    'judge/mmvet': `${MMVET_GRADER.source}: ${judge.model}, temperature ${MMVET_GRADER.temperature}, max_tokens ${MMVET_GRADER.maxTokens}, ${MMVET_GRADER.tries} tries (+${MMVET_GRADER.temperatureStep} each), ${judge.runs} run(s)`,
  };
  if (judge.mmbench)
    out['judge/mmbench'] = `${MMBENCH_EXTRACTOR.source}: ${judge.model}, temperature ${MMBENCH_EXTRACTOR.temperature}, ${MMBENCH_EXTRACTOR.tries} tries`;
  return out;
}

/** A file-name-safe form of a model name (judge models may be "org/name"). */
const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

export interface JudgeStep {
  answers: Map<string, Answer>;
  record?: JudgeRecord;
  /** Lines for stderr: failures with their reasons (a few examples), the cost. */
  log: string[];
}

/** The usage line and a few failure examples, for stderr. */
function judgeLog(what: string, judge: Judge, failures: JudgeFailure[], failed: string): string[] {
  const u = judge.usage;
  const log = [
    `${what}: judge ${judge.settings.model}: ${u.requests} requests, ${u.cached} answers from the cache, ${u.promptTokens} prompt + ${u.completionTokens} completion tokens` +
      (u.costUsd === null ? ' (no prices configured: no cost estimate)' : `, estimated $${u.costUsd.toFixed(4)}`),
  ];
  if (failures.length) {
    const ex = failures
      .slice(0, 3)
      .map((f) => `${f.id}${f.run ? ` run ${f.run + 1}` : ''}: ${f.kind}: ${f.message}`)
      .join('; ');
    log.push(`${what}: ${failures.length} judge failures, ${failed} (e.g. ${ex})`);
  }
  return log;
}

function judgeRecord(
  role: JudgeRecord['role'],
  judge: Judge,
  protocol: JudgeRecord['protocol'],
  runs: number,
  failures: JudgeFailure[],
  answeredBy: string[],
): JudgeRecord {
  return { role, model: judge.settings.model, answeredBy, protocol, runs, failures: failures.length, usage: { ...judge.usage } };
}

export interface JudgeContext {
  judge?: ResolvedJudge;
  /** MMBench's rule set (default opencompass). */
  mmbenchRules?: MMBenchRules;
  /** Holds the judge cache (judge-cache.jsonl) and the files written for the official tools; a judge needs it. */
  dir?: string;
  /** The evaluated model's name, for those files' names. */
  model: string;
}

/**
 * What comes between reading answers and `adapter.score`: MM-Vet answers without grades are graded when a
 * judge is set; MMBench letters are read with the chosen rules and, when the judge is set for MMBench, the
 * LLM choice extractor. Anything else passes through untouched.
 */
export async function applyJudge(adapter: BenchmarkAdapter, samples: Sample[], answers: Map<string, Answer>, ctx: JudgeContext): Promise<JudgeStep> {
  if (adapter.id === 'mmbench') return mmbenchStep(samples, answers, ctx);
  if (adapter.id !== 'mmvet' || !ctx.judge) return { answers, log: [] };
  if (ctx.dir === undefined) throw new UserError('mmvet: the judge needs a folder for its cache and grade file (score --results FILE)');
  const dir = ctx.dir;
  const hasGrades = [...answers.values()].some((a) => a.judge);
  if (hasGrades) return { answers, log: ['mmvet: the answers come with judge grades; the judge is not asked'] };
  const { gradeMmvet } = await import('./mmvet.ts');
  const { writeMmvetSubmission } = await import('../../benchmarks/mmvet/score.ts');
  const judge = await Judge.open(ctx.judge, join(dir, 'judge-cache.jsonl'));
  const graded = await gradeMmvet(samples, answers, judge, ctx.judge.runs);
  // Beside the results, as the evaluator names them: its answers file and its grade file, so the official
  // mm-vet_evaluator.py can rerun the aggregation on exactly these grades (it asks nothing when they are complete).
  const base = join(dir, 'mm-vet');
  await mkdir(base, { recursive: true });
  const gradeName = `${fileSafe(ctx.model)}_${fileSafe(ctx.judge.model)}-grade-${ctx.judge.runs}runs.json`;
  await writeJsonAtomic(join(base, gradeName), graded.gradeFile);
  await writeMmvetSubmission(samples, answers, join(base, `${fileSafe(ctx.model)}.json`));
  const protocol = {
    source: MMVET_GRADER.source,
    temperature: MMVET_GRADER.temperature,
    maxTokens: MMVET_GRADER.maxTokens,
    tries: MMVET_GRADER.tries,
    temperatureStep: MMVET_GRADER.temperatureStep,
    officialModel: MMVET_GRADER.model,
  };
  const record = { ...judgeRecord('mmvet-grader', judge, protocol, ctx.judge.runs, graded.failures, graded.answeredBy), gradeFile: join('mm-vet', gradeName) };
  const log = judgeLog('mmvet', judge, graded.failures, 'scored 0 and counted');
  if (ctx.model !== fileSafe(ctx.model)) log.push(`mmvet: grade file named ${gradeName} (model name made file-safe)`);
  return { answers: graded.answers, record, log };
}

async function mmbenchStep(samples: Sample[], answers: Map<string, Answer>, ctx: JudgeContext): Promise<JudgeStep> {
  const rules = ctx.mmbenchRules ?? 'opencompass';
  const useLlm = ctx.judge?.mmbench === true;
  if (rules === 'opencompass' && !useLlm) return { answers, log: [] }; // the scorer's own default, row by row
  const { extractMmbench } = await import('./mmbench.ts');
  if (useLlm && ctx.dir === undefined) throw new UserError('mmbench: the judge needs a folder for its cache (score --results FILE)');
  const judge = useLlm ? await Judge.open(ctx.judge!, join(ctx.dir!, 'judge-cache.jsonl')) : undefined;
  const r = await extractMmbench(samples, answers, rules, judge);
  const count = (how: string) => r.rows.filter((row) => row.how === how).length;
  let where = '';
  if (ctx.dir !== undefined) {
    // Per row, how its letter was obtained (and the extractor's replies), beside the results.
    const file = join(ctx.dir, 'mmbench', `${fileSafe(ctx.model)}-extraction.jsonl`);
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, r.rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    where = ` (per row: ${file})`;
  }
  const log = [`mmbench: letters read by ${rules} rules ${count('rule')}, by the LLM extractor ${count('llm')}, unread ${count('unread')}${where}`];
  if (!judge) return { answers: r.answers, log };
  const protocol = {
    source: MMBENCH_EXTRACTOR.source,
    temperature: MMBENCH_EXTRACTOR.temperature,
    tries: MMBENCH_EXTRACTOR.tries,
    officialModel: MMBENCH_EXTRACTOR.officialModel,
    rules: MMBENCH_RULE_SOURCES[rules],
  };
  const record = judgeRecord('mmbench-choice-extractor', judge, protocol, 1, r.failures, r.answeredBy);
  return { answers: r.answers, record, log: [...log, ...judgeLog('mmbench', judge, r.failures, 'left unread (scored wrong, never a random letter)')] };
}
