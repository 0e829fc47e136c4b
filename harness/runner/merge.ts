// `eve-eval merge OUT`: join the shards under OUT/shards/<i>-of-<n>/ (runner/shard.ts) into OUT itself, as one
// unsharded run would have written it: predictions/<model>/<benchmark>.jsonl in file order, samples/, results.json
// scored over the whole set, report.html. Refused, naming the ids, unless every sample of every (model,
// benchmark) is present in exactly one shard: a shard that never ran or stopped early is not silently
// scored as wrong answers.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Answer, BenchmarkAdapter, BenchmarkId, Sample } from '../../core/benchmark.ts';
import { BENCHMARK_IDS } from '../../core/benchmark.ts';
import { InputError, UserError } from '../../core/errors.ts';
import type { BenchmarkResult, PredictionRecord, ResultsFile, RunManifest } from '../../core/records.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../core/atomic-write.ts';
import { isPathSegment } from '../../core/path-segment.ts';
import { readSampleSummaries } from '../../reports/sample-summary.ts';
import { parsePredictionLines } from './resume-store.ts';
import { scoreRun } from './evaluate.ts';
import { stripImage } from './pipeline.ts';
import { SHARDS_DIR, shardOf, shardName, type Shard } from './shard.ts';
import { lockOut } from './out-lock.ts';
import { presentRun } from './command.ts';
import type { ResolvedJudge } from '../judge/index.ts';
import type { MMBenchRules } from '../../benchmarks/mmbench/extract.ts';
import { filesUnder } from './manifest.ts';

/** What merge needs from a shard's results.json manifest (written by evaluate from the resolved config). */
const shardConfigSchema = z
  .object({
    models: z.array(z.object({ name: z.string().refine(isPathSegment, 'not a folder name') }).passthrough()).min(1),
    benchmarks: z.array(z.enum(BENCHMARK_IDS)).min(1),
    splits: z.partialRecord(z.enum(BENCHMARK_IDS), z.string()),
    data: z.string(),
    limit: z.number().int().positive().optional(),
    maxNewTokens: z.number().int().positive().nullable(),
    maxErrorRate: z.number(),
    thumbnails: z.number().int().min(0),
    embedded: z.boolean(),
    shard: z.object({ index: z.number().int(), count: z.number().int() }),
  })
  .passthrough();
type ShardConfig = z.infer<typeof shardConfigSchema>;

/**
 * What must agree between shards: the same samples, asked the same way, of the same models. Compared by
 * content, not path: machines may mount the data and the bundles at different places.
 */
function agreement(run: ShardRun, c: ShardConfig): Record<string, unknown> {
  return {
    models: c.models.map((m) => [m.name, (m as { model?: unknown }).model ?? null]),
    benchmarks: c.benchmarks,
    splits: c.splits,
    limit: c.limit ?? null,
    maxNewTokens: c.maxNewTokens,
    'data files (sha256)': run.manifest!.dataFiles,
  };
}

/** Model files both shards hashed (a shard still running has hashed only the models it reached) must match. */
function sameModelFiles(a: RunManifest, b: RunManifest): string | undefined {
  return Object.keys(a.modelFiles).find((k) => k in b.modelFiles && a.modelFiles[k] !== b.modelFiles[k]);
}

export interface MergeOutcome {
  file: string;
  results: ResultsFile;
  config: ShardConfig & { out: string };
  samples: number;
  errors: number;
  errorRate: number;
}

interface ShardRun {
  shard: Shard;
  dir: string;
  manifest?: RunManifest;
}

function shardsRoot(out: string): string {
  const root = join(out, SHARDS_DIR);
  if (!existsSync(root)) throw new UserError(`${out}: no ${SHARDS_DIR}/ folder: run the shards first (--shard i/n)`);
  return root;
}

async function findShards(out: string): Promise<{ count: number; runs: ShardRun[] }> {
  const root = shardsRoot(out);
  const runs: ShardRun[] = [];
  for (const name of (await readdir(root)).sort()) {
    const m = /^(\d+)-of-(\d+)$/.exec(name);
    if (!m) continue;
    const shard = { index: Number(m[1]), count: Number(m[2]) };
    const dir = join(root, name);
    const resultsFile = join(dir, 'results.json');
    let manifest: RunManifest | undefined;
    if (existsSync(resultsFile)) {
      try {
        manifest = (JSON.parse(await readFile(resultsFile, 'utf8')) as ResultsFile).manifest;
      } catch (err) {
        throw new InputError(resultsFile, undefined, `not a results file (${(err as Error).message})`);
      }
    }
    runs.push({ shard, dir, manifest });
  }
  const counts = [...new Set(runs.map((r) => r.shard.count))];
  if (counts.length === 0) throw new UserError(`${root}: no shard folders (<i>-of-<n>) in it`);
  if (counts.length > 1)
    throw new UserError(`${root}: shards of different counts (${counts.join(', ')}): one merge joins one split of the work; move the others away`);
  return { count: counts[0], runs };
}

function shardConfig(run: ShardRun): ShardConfig {
  const file = join(run.dir, 'results.json');
  const parsed = shardConfigSchema.safeParse(run.manifest?.config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(file, `manifest.config.${issue.path.join('.')}`, issue.message);
  }
  return parsed.data;
}

async function readShardRecords(file: string): Promise<Map<string, PredictionRecord>> {
  if (!existsSync(file)) return new Map();
  const { records } = parsePredictionLines(await readFile(file, 'utf8'), file);
  return new Map(records.map((r) => [r.id, r]));
}

/** Ids listed in a refusal line; the full list goes to a file. */
const SHOWN_IDS = 20;

export interface MergeOptions {
  /** The data root on this machine, when not where the first shard read it. */
  data?: string;
  adapters?: Partial<Record<BenchmarkId, BenchmarkAdapter>>;
  log?: (line: string) => void;
  /** The LLM judge that grades MM-Vet (and reads MMBench letters) once the shards are joined. */
  judge?: ResolvedJudge;
  mmbenchRules?: MMBenchRules;
}

export async function mergeShards(out: string, opts: MergeOptions = {}): Promise<MergeOutcome> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const adapters = opts.adapters ?? (await import('../../benchmarks/registry.ts')).BENCHMARKS;
  const { count, runs } = await findShards(out);
  const withManifest = runs.filter((r) => r.manifest);
  if (withManifest.length === 0) throw new UserError(`${join(out, SHARDS_DIR)}: no shard has a results.json yet (none has finished a benchmark)`);
  const first = withManifest[0];
  const config = { ...shardConfig(first), ...(opts.data ? { data: opts.data } : {}) };
  const want = agreement(first, shardConfig(first));
  for (const r of withManifest.slice(1)) {
    const got = agreement(r, shardConfig(r));
    for (const key of Object.keys(want)) {
      if (JSON.stringify(got[key]) !== JSON.stringify(want[key])) {
        throw new UserError(`${r.dir}: ran with other ${key} than ${first.dir}: its answers do not belong to this merge`);
      }
    }
    const file = sameModelFiles(first.manifest!, r.manifest!);
    if (file) throw new UserError(`${r.dir}: its model file ${file} differs from ${first.dir}'s: its answers do not belong to this merge`);
  }
  if (!existsSync(config.data)) throw new UserError(`data directory ${config.data} (where the shards read it) does not exist here: give merge --data DIR`);
  const dirOf = (index: number) => join(out, SHARDS_DIR, shardName({ index, count }));
  const absent = Array.from({ length: count }, (_, i) => i).filter((i) => !runs.some((r) => r.shard.index === i));
  if (absent.length) log(`merge: ${absent.map((i) => shardName({ index: i, count })).join(', ')} not found under ${join(out, SHARDS_DIR)}`);

  // Every (model, benchmark): samples from the data, records from the shards, each id in exactly one shard.
  const problems: string[] = [];
  const missingIds: Array<{ model: string; benchmark: string; split: string; id: string; shard: string }> = [];
  const joined: Array<{ adapter: BenchmarkAdapter; split: string; model: string; samples: Sample[]; records: PredictionRecord[] }> = [];
  // Samples per benchmark, read once; pairs in the order a run makes them (model by model).
  const benchmarks: Array<{ adapter: BenchmarkAdapter; split: string; samples: Sample[] }> = [];
  for (const id of config.benchmarks) {
    const adapter = adapters[id];
    if (!adapter) throw new UserError(`benchmark "${id}" has no adapter`);
    const split = config.splits[id] ?? adapter.defaultSplit;
    if (!(await adapter.present(config.data, split))) {
      log(`${id}: no ${split} files under ${config.data}; skipped (as the shards skipped it)`);
      continue;
    }
    const samples: Sample[] = [];
    for await (const s of adapter.load(config.data, { split, limit: config.limit })) samples.push(stripImage(s));
    benchmarks.push({ adapter, split, samples });
  }
  for (const model of config.models) {
    for (const { adapter, split, samples } of benchmarks) {
      const id = adapter.id;
      const perShard = await Promise.all(Array.from({ length: count }, (_, i) => readShardRecords(join(dirOf(i), 'predictions', model.name, `${id}.jsonl`))));
      const records: PredictionRecord[] = [];
      const missing: string[] = [];
      const twice: string[] = [];
      for (const s of samples) {
        const holders = perShard.map((m, i) => (m.has(s.id) ? i : -1)).filter((i) => i >= 0);
        if (holders.length === 0) {
          missing.push(s.id);
          missingIds.push({ model: model.name, benchmark: id, split, id: s.id, shard: shardName({ index: shardOf(s.id, count), count }) });
        } else if (holders.length > 1) twice.push(`${s.id} (${holders.map((i) => shardName({ index: i, count })).join(', ')})`);
        else records.push(perShard[holders[0]].get(s.id)!);
      }
      const label = `${model.name} ${id}/${split}`;
      const list = (ids: string[]) => `${ids.slice(0, SHOWN_IDS).join(', ')}${ids.length > SHOWN_IDS ? `, … ${ids.length - SHOWN_IDS} more` : ''}`;
      if (missing.length) {
        const shards = [...new Set(missing.map((m) => shardName({ index: shardOf(m, count), count })))];
        problems.push(`${label}: ${missing.length} of ${samples.length} samples have no prediction (in ${shards.join(', ')}): ${list(missing)}`);
      }
      if (twice.length) problems.push(`${label}: ${twice.length} samples are in more than one shard: ${list(twice)}`);
      joined.push({ adapter, split, model: model.name, samples, records });
    }
  }
  if (problems.length) {
    const file = join(out, 'merge-missing.jsonl');
    if (missingIds.length) await writeFile(file, missingIds.map((m) => `${JSON.stringify(m)}\n`).join(''));
    throw new UserError(
      `merge refused: ${out} is not complete\n${problems.map((p) => `  ${p}`).join('\n')}` +
        (missingIds.length ? `\n  every missing id: ${file}; rerun the shards named (they resume), then merge again` : ''),
    );
  }

  // Complete: write the run as an unsharded run would have.
  await rm(join(out, 'merge-missing.jsonl'), { force: true });
  const results: BenchmarkResult[] = [];
  const summariesDone = new Set<string>();
  let samplesTotal = 0;
  let errors = 0;
  const write = async (file: string, text: string) => {
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, text);
  };
  for (const { adapter, split, model, samples, records } of joined) {
    await write(join(out, 'predictions', model, `${adapter.id}.jsonl`), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    if (!summariesDone.has(adapter.id)) {
      summariesDone.add(adapter.id);
      await write(join(out, 'samples', `${adapter.id}.jsonl`), await mergeSummaries(adapter.id, samples, count, config.thumbnails, dirOf));
    }
    const answers = new Map<string, Answer>(records.map((r) => [r.id, r.error ? { id: r.id, text: r.text, error: r.error } : { id: r.id, text: r.text }]));
    const result = await scoreRun(adapter, split, model, samples, answers, {
      data: config.data,
      limit: config.limit,
      out,
      judge: opts.judge,
      mmbenchRules: opts.mmbenchRules ?? 'opencompass',
    });
    // The data the shards read (they agree: checked above), as an unsharded run records it per result.
    result.dataFiles = filesUnder(withManifest[0]!.manifest!.dataFiles, adapter.folder);
    results.push(result);
    samplesTotal += records.length;
    errors += records.filter((r) => r.error).length;
  }
  const manifests = withManifest.map((r) => r.manifest!);
  const { shard: _shard, ...rest } = config;
  const merged: ResultsFile = {
    schema: 'eve-eval/results@1',
    manifest: {
      ...manifests[0],
      executionProvider: [...new Set(manifests.flatMap((m) => (m.executionProvider ?? '').split(',').filter(Boolean)))].join(',') || null,
      modelFiles: Object.assign({}, ...manifests.map((m) => m.modelFiles)),
      config: { ...rest, out, mergedShards: count },
      startedAt: manifests.map((m) => m.startedAt).sort()[0],
      finishedAt: new Date().toISOString(),
    },
    results,
  };
  const file = join(out, 'results.json');
  await writeJsonAtomic(file, merged);
  return { file, results: merged, config: { ...config, out }, samples: samplesTotal, errors, errorRate: samplesTotal ? errors / samplesTotal : 0 };
}

/**
 * samples/<benchmark>.jsonl in file order from the shards' own; each shard made thumbnails for its first N
 * samples, so only the first N of the whole set keep theirs, as in an unsharded run.
 */
async function mergeSummaries(benchmark: string, samples: Sample[], count: number, thumbnails: number, dirOf: (i: number) => string): Promise<string> {
  const byId = new Map<string, unknown>();
  for (let i = 0; i < count; i++) {
    const f = join(dirOf(i), 'samples', `${benchmark}.jsonl`);
    if (!existsSync(f)) continue;
    for (const s of await readSampleSummaries(f)) byId.set(s.id, s);
  }
  const lines: string[] = [];
  samples.forEach((s, k) => {
    const summary = byId.get(s.id) as { thumb?: string | null } | undefined;
    if (summary) lines.push(`${JSON.stringify(k < thumbnails ? summary : { ...summary, thumb: null })}\n`);
  });
  return lines.join('');
}

/** `eve-eval merge OUT` and the end of `--devices`: merge under OUT's lock, then the table, report and exit code. */
export async function mergeAndPresent(out: string, opts: MergeOptions = {}): Promise<number> {
  shardsRoot(out); // before the lock, which would create OUT
  const release = lockOut(out);
  try {
    const started = performance.now();
    const merged = await mergeShards(out, opts);
    return await presentRun(merged.config, merged.results, { ...merged, seconds: (performance.now() - started) / 1000 });
  } finally {
    release();
  }
}
