// Reading what a run leaves on disk: results.json, predictions JSONL and sample summaries.
// Every reader turns bad input into a one-line InputError naming the file (and line where known).
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { BENCHMARK_IDS, type BenchmarkId, type References } from '../core/benchmark.ts';
import { InputError, UserError } from '../core/errors.ts';
import { readRunJsonl } from '../core/run-jsonl.ts';
import type { BenchmarkResult, PredictionRecord, ResultsFile } from '../core/records.ts';
import { readSampleSummaries, type SampleSummary } from './sample-summary.ts';
import { headlineInterval } from './headline.ts';
import { isPathSegment } from '../core/path-segment.ts';

const metric = z.number().nullable();
const resultSchema = z.looseObject({
  model: z.string().min(1),
  benchmark: z.enum(BENCHMARK_IDS),
  split: z.string(),
  headline: z.number().nullable(), // null: ran but unscored (a refusal, or a judge-scored benchmark without grades)
  unscored: z.string().optional(),
  headlineName: z.string(),
  metrics: z.record(z.string(), metric),
  breakdowns: z.record(z.string(), z.record(z.string(), metric)),
  counts: z.looseObject({
    samples: z.number(),
    predicted: z.number(),
    missing: z.number(),
    errors: z.number(),
    failedExtraction: z.number(),
    judged: z.number().optional(),
  }),
  ci95: z.tuple([z.number(), z.number()]).optional(),
  ciMethod: z.string().optional(),
  subset: z.string().optional(),
  errorReasons: z.record(z.string(), z.object({ count: z.number(), examples: z.array(z.object({ id: z.string(), message: z.string() })) })).optional(),
  ciNote: z.string().optional(),
  resampling: z.object({ statistic: z.string(), strata: z.record(z.string(), z.record(z.string(), z.array(z.number()))) }).optional(),
  perSample: z.record(z.string(), z.number()).optional(),
});
const resultsSchema = z.looseObject({
  schema: z.literal('eve-eval/results@1'),
  manifest: z.looseObject({}),
  results: z.array(resultSchema),
});

/** Read and validate a results file; the error names the file and the first bad field. */
export async function loadResultsFile(file: string): Promise<ResultsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, undefined, code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, undefined, `not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = resultsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : 'top level';
    throw new InputError(file, where, `not an eve-eval results file: ${issue.message}`);
  }
  return parsed.data as unknown as ResultsFile;
}

/** Read a run's predictions JSONL: the last line per id wins; a torn last line from a killed run is skipped. */
export async function readRunPredictions(file: string): Promise<Map<string, PredictionRecord>> {
  return readRunJsonl(file, isPredictionRecord, 'a prediction record (needs string id and text)');
}

function isPredictionRecord(v: unknown): v is PredictionRecord {
  const o = v as Record<string, unknown>;
  return typeof o === 'object' && o !== null && typeof o.id === 'string' && typeof o.text === 'string';
}

export interface RunData {
  runDir: string;
  results: ResultsFile;
  /** model → benchmark → id → record */
  predictions: Map<string, Map<BenchmarkId, Map<string, PredictionRecord>>>;
  /** benchmark → summaries in file order */
  samples: Map<BenchmarkId, SampleSummary[]>;
}

/**
 * Load a run directory (RUN_DIR/results.json, predictions/<model>/<benchmark>.jsonl, samples/<benchmark>.jsonl),
 * or a results FILE on its own (e.g. one `eve-eval score --results` wrote): its folder then plays RUN_DIR,
 * and predictions/ or samples/ beside it are used when present.
 */
export async function loadRunDir(path: string): Promise<RunData> {
  if (!existsSync(path)) throw new UserError(`${path}: no such run directory or results file`);
  const isFile = statSync(path).isFile();
  const runDir = isFile ? dirname(path) : path;
  const resultsPath = isFile ? path : join(runDir, 'results.json');
  if (!existsSync(resultsPath)) throw new InputError(resultsPath, undefined, 'no such file (is this a run directory?)');
  const results = await loadResultsFile(resultsPath);
  const predictions: RunData['predictions'] = new Map();
  const predDir = join(runDir, 'predictions');
  const models = new Set(results.results.map((r) => r.model));
  if (existsSync(predDir)) {
    for (const model of await readdir(predDir)) models.add(model);
  }
  for (const model of models) {
    // A results file is data: a model named "../../x" must not make the report read outside the run folder.
    if (!isPathSegment(model)) {
      process.stderr.write(`eve-eval: ${resultsPath}: model ${JSON.stringify(model)} cannot name a folder; its predictions are not read\n`);
      continue;
    }
    const byBench = new Map<BenchmarkId, Map<string, PredictionRecord>>();
    for (const b of BENCHMARK_IDS) {
      const f = join(predDir, model, `${b}.jsonl`);
      if (existsSync(f)) byBench.set(b, await readRunPredictions(f));
    }
    if (byBench.size) predictions.set(model, byBench);
  }
  const samples: RunData['samples'] = new Map();
  for (const b of BENCHMARK_IDS) {
    const f = join(runDir, 'samples', `${b}.jsonl`);
    if (existsSync(f)) samples.set(b, await readSampleSummaries(f));
  }
  return { runDir, results, predictions, samples };
}

export type ReferenceTable = Partial<Record<BenchmarkId, References>>;

/**
 * Published numbers per benchmark from the adapters (benchmarks/registry.ts). Loaded lazily so the
 * renderers work (without reference rows) while an adapter fails to import, e.g. in a partial checkout.
 */
export async function loadReferences(): Promise<{ references: ReferenceTable; problem?: string }> {
  try {
    const { BENCHMARKS } = await import('../benchmarks/registry.ts');
    const references: ReferenceTable = {};
    for (const id of BENCHMARK_IDS) references[id] = BENCHMARKS[id].references;
    return { references };
  } catch (err) {
    return { references: {}, problem: `published reference rows unavailable: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** Results grouped for tables: model order as first seen, benchmark order as BENCHMARK_IDS. */
export function indexResults(results: BenchmarkResult[]): {
  models: string[];
  benchmarks: BenchmarkId[];
  get(model: string, bench: BenchmarkId): BenchmarkResult | undefined;
} {
  const models: string[] = [];
  const map = new Map<string, BenchmarkResult>();
  for (const r of results) {
    if (!models.includes(r.model)) models.push(r.model);
    map.set(`${r.model}\u0000${r.benchmark}`, r);
  }
  const present = new Set(results.map((r) => r.benchmark));
  return {
    models,
    benchmarks: BENCHMARK_IDS.filter((b) => present.has(b)),
    get: (model, bench) => map.get(`${model}\u0000${bench}`),
  };
}

/**
 * Fill in ci95 where a result carries resampling units but no interval; a result that can have none gets
 * `ciNote` saying why (no headline, no per-sample credit, an older file without units).
 */
export function fillMissingIntervals(run: RunData): RunData {
  const results = run.results.results.map((r): BenchmarkResult => {
    if (r.ci95?.every(Number.isFinite)) return r;
    const { ci95: _drop, ...rest } = r;
    const h = headlineInterval(rest);
    return h.ci95 ? { ...rest, ci95: h.ci95, ciMethod: h.ciMethod } : { ...rest, ciNote: r.ciNote ?? h.ciNote };
  });
  return { ...run, results: { ...run.results, results } };
}
