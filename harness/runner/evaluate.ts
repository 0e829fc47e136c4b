// Every configured model through every configured benchmark: the body of `eve-eval all` and `run`.
// results.json is rewritten (tmp + rename) after every (model, benchmark), so a killed run leaves
// the numbers it finished; predictions and sample summaries live beside it (the shared run contract).
import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Answer, BenchmarkAdapter, BenchmarkId, Sample } from '../../core/benchmark.ts';
import { UserError } from '../../core/errors.ts';
import type { BenchmarkResult, ResultsFile, RunManifest } from '../../core/records.ts';
import { VERSION } from '../../core/version.ts';
import type { ResolvedConfig, ResolvedModel } from '../config.ts';
import type { ModelBackend } from '../backends/types.ts';
import { HttpBackend } from '../backends/http.ts';
import { loadOnnxBackend } from '../backends/onnx.ts';
import { buildManifest, filesUnder, hashDataFiles } from './manifest.ts';
import { runPipeline, type SummarySink } from './pipeline.ts';
import { Progress } from './progress.ts';
import { ResumeStore } from './resume-store.ts';
import { inShard, shardDir } from './shard.ts';
import { attachHeadlineInterval } from '../../reports/headline.ts';
import { errorReasons } from '../../core/error-reasons.ts';
import { summarizeSample } from '../../reports/sample-summary.ts';
import { writeAll, writeJsonAtomic } from '../../core/atomic-write.ts';
import { applyJudge, judgeProtocols } from '../judge/index.ts';

export interface EvaluateOptions {
  progress?: Progress;
  log?: (line: string) => void;
  /** Tests inject backends; the CLI builds them from the config. */
  makeBackend?: (model: ResolvedModel, config: ResolvedConfig) => Promise<ModelBackend>;
  /** Tests inject adapters; the CLI uses benchmarks/registry.ts. */
  adapters?: Partial<Record<BenchmarkId, BenchmarkAdapter>>;
}

export interface EvaluateOutcome {
  file: string;
  results: ResultsFile;
  samples: number;
  /** Failed samples (image, generation, timeout ...), the ones --max-error-rate counts. */
  errors: number;
  errorRate: number;
  /**
   * (model, benchmark) pairs that could not be scored, with why (e.g. MM-Vet without a judge or grades). They are
   * also in results.json as results with headline null, so the file always holds every pair of the run.
   */
  unscored: Array<{ model: string; benchmark: BenchmarkId; reason: string }>;
}

export async function makeBackend(model: ResolvedModel, config: ResolvedConfig): Promise<ModelBackend> {
  if (model.kind === 'remote') {
    return new HttpBackend({ ...model, concurrency: model.concurrency ?? config.concurrency });
  }
  if (!existsSync(model.path)) throw new UserError(`model "${model.name}": ${model.path} does not exist`);
  return loadOnnxBackend({
    name: model.name,
    path: model.path,
    precision: model.precision,
    device: config.device,
    threads: config.threads,
    batchSize: config.batchSize,
  });
}

export function adapterVersion(adapter: BenchmarkAdapter): string {
  // Adapters may declare a version; otherwise eve-eval's own version stands in (a release can change prompts).
  return (adapter as { version?: string }).version ?? `eve-eval@${VERSION}`;
}

/** Writes one benchmark's sample summaries in order, to a temp file renamed into place when complete. */
async function openSummaries(
  runDir: string,
  benchmark: string,
  thumbnails: number,
): Promise<SummarySink & { close(): Promise<void>; discard(): Promise<void> }> {
  await mkdir(join(runDir, 'samples'), { recursive: true });
  const file = join(runDir, 'samples', `${benchmark}.jsonl`);
  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await open(tmp, 'w');
  let chunk: string[] = [];
  // Writes run one after another (concurrent writes to one handle may land out of order); a failed one (a
  // full disk) is held and thrown by the next call, never left as an unhandled rejection.
  let tail: Promise<void> = Promise.resolve();
  let failure: unknown;
  const enqueue = (text: string) => {
    tail = tail.then(() => (failure ? undefined : writeAll(handle, text))).catch((err: unknown) => void (failure ??= err));
  };
  return {
    make: (sample: Sample, bytes: Buffer | null, index: number) => summarizeSample(sample, bytes ?? undefined, { thumbnail: index < thumbnails }),
    write(summary: unknown) {
      if (failure) throw failure;
      chunk.push(`${JSON.stringify(summary)}\n`);
      if (chunk.length >= 64) {
        enqueue(chunk.join(''));
        chunk = [];
      }
    },
    async close() {
      if (chunk.length) enqueue(chunk.join(''));
      await tail;
      await handle.close();
      if (failure) {
        await rm(tmp, { force: true });
        throw failure;
      }
      await rename(tmp, file);
    },
    /** A pass that stopped early leaves no temporary file; the rerun writes the summaries again. */
    async discard() {
      await tail;
      await handle.close().catch(() => {});
      await rm(tmp, { force: true });
    },
  };
}

export async function evaluate(config: ResolvedConfig, opts: EvaluateOptions = {}): Promise<EvaluateOutcome> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const progress = opts.progress ?? new Progress();
  const adapters = opts.adapters ?? (await import('../../benchmarks/registry.ts')).BENCHMARKS;
  const build = opts.makeBackend ?? makeBackend;
  if (!existsSync(config.data)) {
    throw new UserError(`data directory ${config.data} does not exist${config.embedded ? ' (the built-in fixtures: run `npm run fixtures`)' : ''}`);
  }

  // Benchmarks whose files are absent are skipped with a notice; none present is an error.
  const benchmarks: Array<{ adapter: BenchmarkAdapter; split: string }> = [];
  for (const id of config.benchmarks) {
    const adapter = adapters[id];
    if (!adapter) throw new UserError(`benchmark "${id}" has no adapter`);
    const split = config.splits[id] ?? adapter.defaultSplit;
    if (!adapter.splits.includes(split)) throw new UserError(`${id}: unknown split "${split}"; known: ${adapter.splits.join(', ')}`);
    if (await adapter.present(config.data, split)) benchmarks.push({ adapter, split });
    else log(`${id}: no ${split} files under ${config.data}; skipped`);
  }
  if (benchmarks.length === 0) throw new UserError(`none of ${config.benchmarks.join(', ')} has files under ${config.data}`);

  const out = runDir(config);
  await mkdir(out, { recursive: true });
  const resultsFile = join(out, 'results.json');
  const startedAt = new Date().toISOString();
  const dataFiles = await hashDataFiles(
    config.data,
    benchmarks.map(({ adapter }) => adapter.folder),
  );
  const modelFiles: Record<string, string> = {};
  const adapterVersions: Record<string, string> = {};
  for (const { adapter } of benchmarks) adapterVersions[`benchmark/${adapter.id}`] = adapterVersion(adapter);
  // The judges' protocols go into the manifest beside the benchmarks' versions (the settings are in its config).
  if (config.judge) Object.assign(adapterVersions, judgeProtocols(config.judge));
  const providers: string[] = [];
  const results: BenchmarkResult[] = [];
  const unscored: EvaluateOutcome['unscored'] = [];
  const summariesWritten = new Set<string>();
  let totalSamples = 0;
  let totalErrors = 0;

  const manifest = (): RunManifest => buildManifest({ config, executionProviders: providers, modelFiles, dataFiles, adapterVersions, startedAt });
  let current: ResultsFile = { schema: 'eve-eval/results@1', manifest: manifest(), results };

  for (const model of config.models) {
    const backend = await build(model, config);
    try {
      providers.push(backend.executionProvider);
      Object.assign(modelFiles, backend.modelFiles);
      for (const [k, v] of Object.entries(backend.adapterVersions)) adapterVersions[`model/${k}`] = v;
      if (config.device !== 'cpu' && model.kind === 'bundle' && backend.executionProvider === 'cpu') {
        log(`${model.name}: ${config.device} is not available here; running on the CPU`);
      }
      for (const { adapter, split } of benchmarks) {
        const label = `${model.name} ${adapter.id}`;
        const total = await countSamples(adapter, config.data, split, config.limit, config);
        const store = await ResumeStore.open(join(out, 'predictions', model.name, `${adapter.id}.jsonl`));
        if (store.dropped.torn) log(`${label}: dropped a torn last line in ${store.file} (interrupted run)`);
        const summaries = summariesWritten.has(adapter.id) ? undefined : await openSummaries(out, adapter.id, config.thumbnails);
        progress.start(label, total);
        let run;
        try {
          run = await runPipeline({
            adapter,
            adapterVersion: adapterVersion(adapter),
            dataRoot: config.data,
            split,
            limit: config.limit,
            shard: config.shard,
            backend,
            store,
            // A remote model takes --concurrency requests at once; --batch-size is for local bundles.
            batchSize: model.kind === 'remote' ? backend.maxBatch : config.batchSize,
            concurrency: config.concurrency,
            maxNewTokensCap: config.maxNewTokens,
            progress,
            summaries,
          });
        } catch (err) {
          // The progress line ends (how far it got) before the error's own line.
          progress.finish();
          await summaries?.discard();
          throw err;
        } finally {
          await store.close();
        }
        progress.finish();
        if (summaries) {
          await summaries.close();
          summariesWritten.add(adapter.id);
        }
        totalSamples += run.samples.length;
        totalErrors += run.records.filter((r) => r.error).length;
        const result = await scoreRun(adapter, split, model.name, run.samples, run.answers, config, log);
        result.dataFiles = filesUnder(dataFiles, adapter.folder);
        if (result.headline === null) {
          unscored.push({ model: model.name, benchmark: adapter.id, reason: result.unscored ?? 'not scored' });
          log(`${label}: not scored: ${result.unscored}`);
        }
        results.push(result);
        current = { schema: 'eve-eval/results@1', manifest: manifest(), results };
        await writeJsonAtomic(resultsFile, current);
      }
    } finally {
      const line = backend.requestSummary?.();
      if (line) log(`${model.name}: ${line}`);
      await backend.dispose();
    }
  }
  current = { schema: 'eve-eval/results@1', manifest: { ...manifest(), finishedAt: new Date().toISOString() }, results };
  await writeJsonAtomic(resultsFile, current);
  return {
    file: resultsFile,
    results: current,
    samples: totalSamples,
    errors: totalErrors,
    errorRate: totalSamples ? totalErrors / totalSamples : 0,
    unscored,
  };
}

/** Where this process writes: --out itself, or its shard's folder under it (runner/shard.ts). */
export function runDir(config: Pick<ResolvedConfig, 'out' | 'shard'>): string {
  return config.shard ? shardDir(config.out, config.shard) : config.out;
}

/** Samples in the split (after --limit, then the shard), for progress totals and ETA; reads question files only. */
async function countSamples(
  adapter: BenchmarkAdapter,
  dataRoot: string,
  split: string,
  limit?: number,
  shard?: Pick<ResolvedConfig, 'shard'>,
): Promise<number> {
  let n = 0;
  for await (const _ of inShard(adapter.load(dataRoot, { split, limit }), shard?.shard)) n++;
  return n;
}

/**
 * The judges (when configured) and scoreOne; a run on part of the set (--limit, or one shard) says so in
 * results.json, so every table and report marks it. `eve-eval merge` scores the joined shards through here too.
 */
export async function scoreRun(
  adapter: BenchmarkAdapter,
  split: string,
  model: string,
  samples: Sample[],
  answers: Map<string, Answer>,
  config: Pick<ResolvedConfig, 'data' | 'limit' | 'shard' | 'judge' | 'mmbenchRules' | 'out'>,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<BenchmarkResult> {
  const result = await judgeAndScore(adapter, split, model, samples, answers, config, log);
  if (config.limit !== undefined || config.shard) {
    const full = await countSamples(adapter, config.data, split);
    const why = [config.limit !== undefined ? `--limit ${config.limit}` : '', config.shard ? `shard ${config.shard.index}/${config.shard.count}` : '']
      .filter(Boolean)
      .join(', ');
    if (samples.length < full) result.subset = `${samples.length} of ${full} samples (${why})`;
  }
  return result;
}

/**
 * Counts for a benchmark the adapter cannot score: samples, predictions joined by id, errors, missing.
 * failedExtraction is 0: nothing was extracted, so nothing failed to be.
 */
export function countAnswers(samples: Sample[], answers: Map<string, Answer>): BenchmarkResult['counts'] {
  let predicted = 0;
  let errors = 0;
  for (const s of samples) {
    const a = answers.get(s.id);
    if (!a) continue;
    predicted++;
    if (a.error) errors++;
  }
  return { samples: samples.length, predicted, missing: samples.length - predicted, errors, failedExtraction: 0 };
}

/**
 * A result with headline null for a benchmark that cannot be scored offline: the counts are real, the
 * number is absent (never a fake one), and `unscored` says why. No perSample and no interval.
 */
export function unscoredResult(
  adapter: BenchmarkAdapter,
  split: string,
  model: string,
  samples: Sample[],
  answers: Map<string, Answer>,
  reason: string,
): BenchmarkResult {
  return {
    model,
    benchmark: adapter.id,
    split,
    headline: null,
    unscored: reason, // the scorer's own words: what it needs (MM-Vet: a judge or grades), never a generic line
    headlineName: adapter.id === 'mmvet' ? 'GPT-4 judge score (×100)' : 'not scored',
    metrics: {},
    breakdowns: {},
    counts: countAnswers(samples, answers),
    ciNote: 'no headline (not scored)',
  };
}

/**
 * The judge step (harness/judge), then scoreOne. A judge that cannot start (MM-Vet without its truth file)
 * leaves the benchmark unscored with that reason; the run goes on.
 */
async function judgeAndScore(
  adapter: BenchmarkAdapter,
  split: string,
  model: string,
  samples: Sample[],
  answers: Map<string, Answer>,
  config: Pick<ResolvedConfig, 'judge' | 'mmbenchRules' | 'out'>,
  log: (line: string) => void,
): Promise<BenchmarkResult> {
  let step;
  try {
    step = await applyJudge(adapter, samples, answers, { judge: config.judge, mmbenchRules: config.mmbenchRules, dir: config.out, model });
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return unscoredResult(adapter, split, model, samples, answers, err.message);
  }
  for (const line of step.log) log(`${model} ${line}`);
  const result = scoreOne(adapter, split, model, samples, step.answers);
  if (step.record) result.judge = step.record;
  return result;
}

export function scoreOne(adapter: BenchmarkAdapter, split: string, model: string, samples: Sample[], answers: Map<string, Answer>): BenchmarkResult {
  let score;
  try {
    score = adapter.score(samples, answers);
  } catch (err) {
    // A benchmark that cannot be scored offline (MM-Vet without judge grades) gets no number, never a fake one.
    if (err instanceof UserError) {
      const r = unscoredResult(adapter, split, model, samples, answers, err.message);
      const reasons = errorReasons(answers.values());
      return reasons ? { ...r, errorReasons: reasons } : r;
    }
    throw err;
  }
  const result: BenchmarkResult = { model, benchmark: adapter.id, split, ...score };
  const reasons = errorReasons(answers.values());
  if (reasons) result.errorReasons = reasons;
  // The adapter's own resampler: a finite interval, or none with the reason in ciNote.
  return attachHeadlineInterval(result, samples, adapter.headlineStatistic);
}
