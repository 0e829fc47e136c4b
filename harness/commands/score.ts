// `eve-eval score --benchmark ID --data DIR --predictions PATH [--split S] [--json]`: re-score an existing
// predictions file (eve-eval records, LLaVA/EVE answer JSONL, or the benchmark's official format) with
// no model. --json prints one object {benchmark, split, headline, metrics, counts, breakdowns}.
// --results FILE [--model NAME] also writes (or merges into) a results file that `report` and `gate` read.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Answer, BenchmarkAdapter, MetricValue, Sample, Score } from '../../core/benchmark.ts';
import { errorReasons } from '../../core/error-reasons.ts';
import { benchmarkById, loadSamples, readPredictions, resolveSplit } from '../predictions.ts';
import type { BenchmarkResult, JudgeRecord, ResultsFile, RunManifest } from '../../core/records.ts';
import { addJudgeOptions, applyJudge, resolveJudge, resolveMmbenchRules, type JudgeFlags, type ResolvedJudge } from '../judge/index.ts';
import type { MMBenchRules } from '../../benchmarks/mmbench/extract.ts';
import { UserError } from '../../core/errors.ts';
import { VERSION } from '../../core/version.ts';
import { writeJsonAtomic } from '../../core/atomic-write.ts';
import { officialRound } from '../../benchmarks/shared/rounding.ts';
import { repeatWarning } from '../../benchmarks/shared/repeats.ts';
import { PhaseTimer } from '../timings.ts';

/**
 * Printed figures carry 2 decimals, as the EVE tables and the realdata checks do; --precise keeps every digit.
 * Rounded as Python's round(x, 2) / '{:.2f}': the exact binary value, ties to even (68.125 → 68.12, where
 * toFixed gives 68.13): the one rounding function of benchmarks/shared/rounding.ts.
 */
export function round2(v: MetricValue): MetricValue {
  return officialRound(v, 2);
}

function roundAll<T extends Record<string, MetricValue>>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round2(v)])) as T;
}

export interface ScoreOutput {
  benchmark: string;
  split: string;
  headline: number;
  headlineName: string;
  metrics: Record<string, MetricValue>;
  counts: Score['counts'] & { unmatchedPredictions: number };
  breakdowns: Score['breakdowns'];
  references: BenchmarkAdapter['references'];
  notes?: string[];
  extraction?: Score['extraction'];
  judge?: JudgeRecord;
}

/** The whole `score` path, shared with bench/conformance.ts so CI checks exactly what users run. */
export async function scoreFile(opts: {
  benchmark: string;
  data: string;
  predictions: string;
  split?: string;
  /** An LLM judge, its cache and grade file in `judgeDir`, the grade file named for `model`. */
  judge?: ResolvedJudge;
  judgeDir?: string;
  model?: string;
  mmbenchRules?: MMBenchRules;
  timings?: PhaseTimer;
}): Promise<{ adapter: BenchmarkAdapter; score: Score; output: ScoreOutput; samples: Sample[]; answers: Map<string, Answer>; judge?: JudgeRecord }> {
  const adapter = await benchmarkById(opts.benchmark);
  const split = await resolveSplit(adapter, opts.data, opts.split);
  // The predictions are read and joined as soon as what the join reads is loaded: VQAv2 val's questions, while a
  // worker thread still scans its annotations; other benchmarks' samples once loaded.
  let joinable: (samples: Sample[]) => void = () => {};
  const joinReady = new Promise<Sample[]>((resolve) => (joinable = resolve));
  const loading = loadSamples(adapter, opts.data, split, joinable);
  const read = await readPredictions(opts.predictions, adapter, await Promise.race([joinReady, loading]), opts.data);
  const samples = await loading;
  opts.timings?.mark('read data and predictions');
  const { unmatched, repeated } = read;
  const warning = repeatWarning(adapter.id, opts.predictions, repeated, adapter.repeatedAnswers ?? 'last');
  if (warning) process.stderr.write(`${warning}\n`);
  const step = await applyJudge(adapter, samples, read.answers, {
    judge: opts.judge,
    mmbenchRules: opts.mmbenchRules,
    dir: opts.judgeDir,
    model: opts.model ?? modelFromPath(opts.predictions),
  });
  for (const line of step.log) process.stderr.write(`eve-eval: ${line}\n`);
  const answers = step.answers;
  const score = adapter.score(samples, answers);
  if (repeated.extraLines > 0) score.counts.repeatedLines ??= repeated.extraLines;
  opts.timings?.mark('score');
  return {
    adapter,
    score,
    samples,
    answers,
    judge: step.record,
    output: {
      benchmark: adapter.id,
      split,
      headline: score.headline,
      headlineName: score.headlineName,
      metrics: score.metrics,
      counts: { ...score.counts, unmatchedPredictions: unmatched },
      breakdowns: score.breakdowns,
      references: adapter.references,
      ...(score.notes ? { notes: score.notes } : {}),
      ...(score.extraction ? { extraction: score.extraction } : {}),
      ...(step.record ? { judge: step.record } : {}),
    },
  };
}

function summary(adapter: BenchmarkAdapter, score: Score, out: ScoreOutput): string {
  const f = (v: MetricValue) => (v === null ? 'n/a' : String(round2(v)));
  const c = out.counts;
  const lines = [
    `${out.benchmark}/${out.split}: ${score.headlineName} = ${f(out.headline)}`,
    `  samples ${c.samples}, predicted ${c.predicted}, missing ${c.missing} (counted wrong), errors ${c.errors}, failed extraction ${c.failedExtraction}` +
      (c.judged !== undefined ? `, judged ${c.judged}` : '') +
      (c.judgeFailures ? `, judge failures ${c.judgeFailures} (scored 0)` : '') +
      (c.unmatchedPredictions ? `, ${c.unmatchedPredictions} predictions for other ids ignored` : ''),
  ];
  const x = score.extraction;
  if (x) lines.push(`  letters: ${x.byRule} by rule, ${x.byLlm} by the LLM extractor, ${x.unread} unread (counted wrong); rules: ${x.rules}`);
  for (const note of out.notes ?? []) lines.push(`  note: ${note}`);
  if (out.judge) {
    const u = out.judge.usage;
    lines.push(
      `  judge: ${out.judge.model} (answered by ${out.judge.answeredBy.join(', ') || 'the cache'}), ${out.judge.runs} run${out.judge.runs > 1 ? 's' : ''}, ` +
        `${u.requests} requests, ${u.cached} cached, ${u.promptTokens + u.completionTokens} tokens${u.costUsd === null ? '' : `, est. $${u.costUsd.toFixed(4)}`}`,
    );
  }
  const refs = Object.entries(adapter.references);
  if (refs.length) lines.push(`  published: ${refs.map(([m, v]) => `${m} ${v}`).join(', ')}`);
  lines.push('', 'metrics:');
  const width = Math.max(...Object.keys(out.metrics).map((k) => k.length));
  for (const [k, v] of Object.entries(out.metrics)) lines.push(`  ${k.padEnd(width)}  ${f(v)}`);
  const official = (adapter as { officialSummary?: (s: Score) => string }).officialSummary;
  if (official) lines.push('', 'as the official scorer prints it:', official(score));
  return lines.join('\n') + '\n';
}

/** Model id for a predictions file when --model is not given: its name without extension (a folder: its name). */
export function modelFromPath(predictions: string): string {
  const name = basename(resolve(predictions));
  return name.slice(0, name.length - extname(name).length) || name;
}

/** One score as the runner records it: the BenchmarkResult with perSample and the same bootstrap interval. */
export async function toResult(
  model: string,
  adapter: BenchmarkAdapter,
  split: string,
  score: Score,
  samples: Sample[],
  answers?: Map<string, Answer>,
): Promise<BenchmarkResult> {
  const { attachHeadlineInterval } = await import('../../reports/headline.ts');
  const result: BenchmarkResult = { model, benchmark: adapter.id, split, ...score };
  const reasons = answers ? errorReasons(answers.values()) : undefined;
  if (reasons) result.errorReasons = reasons;
  return attachHeadlineInterval(result, samples, adapter.headlineStatistic);
}

interface ScoredEntry {
  model: string;
  benchmark: string;
  split: string;
  data: string;
  predictions: string;
}

/**
 * Merge one result into `file` (created when absent): the (model, benchmark, split) entry is replaced,
 * never duplicated; the manifest keeps the hashes of every data and predictions file behind the entries.
 */
export async function writeScoreResults(
  file: string,
  result: BenchmarkResult,
  files: { dataFiles: Record<string, string>; predictionFiles: Record<string, string>; adapterVersion: string; entry: ScoredEntry },
): Promise<ResultsFile> {
  const { loadResultsFile } = await import('../../reports/load.ts');
  const { gitSha, onnxruntimeVersion } = await import('../runner/manifest.ts');
  const { DEFAULT_SEED } = await import('../../reports/stats.ts');
  const old = existsSync(file) ? await loadResultsFile(file) : null;
  const same = (r: { model: string; benchmark: string; split: string }) =>
    r.model === result.model && r.benchmark === result.benchmark && r.split === result.split;
  // Replaced in place (the table keeps its row order), appended when new.
  const results = [...(old?.results ?? [])];
  const at = results.findIndex(same);
  if (at >= 0) results[at] = result;
  else results.push(result);
  // The config lists what was scored; a file that came from a run keeps that run's config beside the list.
  const oldConfig = (old?.manifest.config ?? {}) as { scored?: ScoredEntry[] };
  const scored = [...(Array.isArray(oldConfig.scored) ? oldConfig.scored : []).filter((e) => !same(e)), files.entry];
  const config = old && !Array.isArray(oldConfig.scored) ? { run: old.manifest.config, scored } : { command: 'eve-eval score', scored };
  const manifest: RunManifest = {
    eveEvalVersion: VERSION,
    gitSha: gitSha(),
    node: process.version,
    onnxruntime: old?.manifest.onnxruntime ?? onnxruntimeVersion(),
    executionProvider: old?.manifest.executionProvider ?? null, // no model ran
    modelFiles: old?.manifest.modelFiles ?? {},
    dataFiles: { ...old?.manifest.dataFiles, ...files.dataFiles },
    predictionFiles: { ...old?.manifest.predictionFiles, ...files.predictionFiles },
    adapterVersions: { ...old?.manifest.adapterVersions, [`benchmark/${result.benchmark}`]: files.adapterVersion },
    config,
    seed: old?.manifest.seed ?? DEFAULT_SEED,
    startedAt: old?.manifest.startedAt ?? new Date().toISOString(),
    finishedAt: new Date().toISOString(),
  };
  const out: ResultsFile = { schema: 'eve-eval/results@1', manifest, results };
  await mkdir(dirname(resolve(file)), { recursive: true });
  await writeJsonAtomic(file, out);
  return out;
}

export function register(program: Command): void {
  const cmd = program
    .command('score')
    .description('re-score an existing predictions file (eve-eval records, LLaVA/EVE answers, or the official format)')
    .requiredOption('--benchmark <id>', 'benchmark id (see `eve-eval list`)')
    .requiredOption('--data <dir>', 'data root (the LLaVA/EVE eval layout)')
    .requiredOption(
      '--predictions <path>',
      'answers: eve-eval records, LLaVA/EVE answer JSONL, the VQA results array [{question_id, answer}], SEED upload lines, or the official file/folder',
    )
    .option('--split <name>', 'split (default: the benchmark default)')
    .option('--json', 'print one JSON object {benchmark, headline, metrics, counts, breakdowns}')
    .option('--precise', 'with --json: keep every digit instead of 2 decimals')
    .option('--results <file>', 'also write this score into a results file (created, or merged: the same model + benchmark + split is replaced)')
    .option('--model <name>', 'model id for --results (default: the predictions file name without extension)')
    .option('--config <file>', 'a run config file; score uses its `judge` and `options.mmbenchRules`')
    .option('--timings', 'print where the time went (start-up, read data and predictions, score, output) and the peak RSS on stderr');
  addJudgeOptions(cmd).action(
    async (
      opts: JudgeFlags & {
        benchmark: string;
        data: string;
        predictions: string;
        split?: string;
        json?: boolean;
        precise?: boolean;
        results?: string;
        model?: string;
        config?: string;
        timings?: boolean;
      },
    ) => {
      const timings = opts.timings ? new PhaseTimer() : undefined;
      // The config module (and zod) only for a config file: `score` alone starts ~50 ms sooner.
      const file = opts.config ? await (await import('../config.ts')).loadConfigFile(opts.config) : undefined;
      const judge = await resolveJudge(opts, file?.judge);
      const mmbenchRules = resolveMmbenchRules(opts.mmbenchRules, file?.options?.mmbenchRules);
      const judged = judge && (opts.benchmark === 'mmvet' || (opts.benchmark === 'mmbench' && judge.mmbench));
      if (judged && !opts.results) {
        throw new UserError(
          `score --benchmark ${opts.benchmark} with a judge needs --results FILE: the judge cache and the files for the official tools are written beside it`,
        );
      }
      const model = opts.model ?? modelFromPath(opts.predictions);
      const scored = await scoreFile({ ...opts, judge, mmbenchRules, judgeDir: opts.results ? dirname(resolve(opts.results)) : undefined, model, timings });
      const { adapter, score, output, samples, answers } = scored;
      if (opts.json) {
        const o = opts.precise
          ? output
          : {
              ...output,
              headline: round2(output.headline) as number,
              metrics: roundAll(output.metrics),
              breakdowns: Object.fromEntries(Object.entries(output.breakdowns).map(([k, t]) => [k, roundAll(t)])),
            };
        process.stdout.write(JSON.stringify(o) + '\n');
      } else {
        process.stdout.write(summary(adapter, score, output));
      }
      timings?.mark('output');
      if (output.counts.missing * 2 > output.counts.samples) {
        process.stderr.write(
          `eve-eval: warning: ${output.counts.missing} of ${output.counts.samples} questions have no prediction (counted wrong); is the predictions file complete and for this benchmark?\n`,
        );
      }
      if (output.counts.unmatchedPredictions) {
        process.stderr.write(
          `eve-eval: note: ${output.counts.unmatchedPredictions} predictions have ids outside ${output.benchmark}/${output.split} and were ignored\n`,
        );
      }
      if (opts.results) {
        const { hashDataFiles, hashPredictions } = await import('../runner/manifest.ts');
        const data = resolve(opts.data);
        const pred = resolve(opts.predictions);
        const isPred = (f: string) => f === pred || f.startsWith(`${pred}/`);
        const result = await toResult(model, adapter, output.split, score, samples, answers);
        if (scored.judge) result.judge = scored.judge;
        result.dataFiles = await hashDataFiles(data, [adapter.folder], isPred);
        const merged = await writeScoreResults(opts.results, result, {
          dataFiles: result.dataFiles,
          predictionFiles: await hashPredictions(pred),
          // As the runner records it (evaluate.ts adapterVersion), without loading the runner and onnxruntime.
          adapterVersion: (adapter as { version?: string }).version ?? `eve-eval@${VERSION}`,
          entry: { model, benchmark: adapter.id, split: output.split, data: opts.data, predictions: opts.predictions },
        });
        // stderr, so --json output stays one object on stdout.
        process.stderr.write(`eve-eval: wrote ${model} ${adapter.id}/${output.split} into ${opts.results}\n`);
        const { reportDataWarnings } = await import('../../reports/data-drift.ts');
        for (const w of reportDataWarnings(merged)) process.stderr.write(`eve-eval: warning: ${w}\n`);
        timings?.mark('results file');
      }
      if (timings) process.stderr.write(`eve-eval: timings: ${timings.format()}\n`);
    },
  );
}
