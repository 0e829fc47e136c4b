// Run configuration: an optional config file (JSON, or a .ts/.js module whose default export is the
// config), validated with zod, then overridden by command-line flags. API keys never live here: a
// remote model names the environment variable that holds its key (apiKeyEnv), so the resolved config
// can be written into every results file as it is.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { isPathSegment } from '../core/path-segment.ts';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { z } from 'zod';
import { BENCHMARK_IDS, type BenchmarkId } from '../core/benchmark.ts';
import { PRECISION_SUFFIX } from '../core/bundle-layout.ts';
import { InputError, UserError } from '../core/errors.ts';
import { resolveJudge, resolveMmbenchRules, type JudgeFlags, type ResolvedJudge } from './judge/index.ts';
import { judgeConfigSchema } from './judge/config-schema.ts';
import { MMBENCH_RULE_SETS, type MMBenchRules } from '../benchmarks/mmbench/extract.ts';
import { parseShard, shardFromEnv, type Shard } from './runner/shard.ts';
import { displayUrl } from './backends/url-secrets.ts';

/** Where the embedded default run reads and writes (relative to the eve-eval checkout). */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_MODELS = ['tiny-eve', 'tiny-fuyu', 'tiny-llava'].map((m) => resolve(PACKAGE_ROOT, 'fixtures/models', m));
export const DEFAULT_DATA = resolve(PACKAGE_ROOT, 'fixtures/data');
/** Deterministic, so rerunning the same command resumes; `runs/` is git-ignored. */
export const DEFAULT_OUT = 'runs/default';
/**
 * The tiny models' answers are a few tokens, but an untrained or broken bundle never emits EOS, and the published
 * 1024-token budget (MMBench, SQA, MM-Vet) would then make the embedded default take minutes; the default run caps
 * generation at this many tokens (only MM-Vet's free-form answers are longer).
 * Only when no --max-new-tokens, no config option and no --models are given; recorded in the manifest.
 */
export const EMBEDDED_MAX_NEW_TOKENS = 8;

const benchmarkId = z.enum(BENCHMARK_IDS);

const precision = z.enum(Object.keys(PRECISION_SUFFIX) as [string, ...string[]]);

const bundleModel = z.strictObject({
  name: z.string().min(1).optional(),
  path: z.string().min(1),
  /** Which ONNX variant of the bundle to load (onnx/<part><suffix>.onnx); default options.precision. */
  precision: precision.optional(),
});

const remoteModel = z.strictObject({
  name: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }),
  model: z.string().min(1),
  /** Name of the environment variable holding the API key (the key itself is never in a config). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .optional(),
  timeoutMs: z.number().int().positive().optional(),
  retries: z.number().int().min(0).max(10).optional(),
  concurrency: z.number().int().positive().max(1024).optional(),
  /** Failed attempts in a row after which the run stops (the circuit opens); default 5. */
  breakerThreshold: z.number().int().positive().max(1000).optional(),
});

export const modelSpecSchema = z.union([z.string().min(1), bundleModel, remoteModel]);

const optionsSchema = z.strictObject({
  device: z.enum(['cpu', 'cuda', 'webgpu']).optional(),
  precision: precision.optional(),
  threads: z.number().int().positive().optional(),
  concurrency: z.number().int().positive().max(1024).optional(),
  batchSize: z.number().int().positive().max(1024).optional(),
  maxNewTokens: z.number().int().positive().optional(),
  maxErrorRate: z.number().min(0).max(1).optional(),
  limit: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
  thumbnails: z.number().int().min(0).optional(),
  /** MMBench's letter-extraction rules: opencompass (default) or vlmevalkit. */
  mmbenchRules: z.enum(MMBENCH_RULE_SETS as [MMBenchRules, ...MMBenchRules[]]).optional(),
});

export const configSchema = z.strictObject({
  models: z.array(modelSpecSchema).min(1).optional(),
  benchmarks: z.array(benchmarkId).min(1).optional(),
  splits: z.partialRecord(benchmarkId, z.string().min(1)).optional(),
  data: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  options: optionsSchema.optional(),
  /** An LLM judge (MM-Vet's grader); flags --judge-* override it. */
  judge: judgeConfigSchema.optional(),
});

export type ConfigFile = z.infer<typeof configSchema>;
export type ModelSpec = z.infer<typeof modelSpecSchema>;

export type ResolvedModel =
  | { kind: 'bundle'; name: string; path: string; precision: string }
  | {
      kind: 'remote';
      name: string;
      url: string;
      model: string;
      apiKeyEnv?: string;
      timeoutMs?: number;
      retries?: number;
      concurrency?: number;
      breakerThreshold?: number;
    };

export interface ResolvedConfig {
  models: ResolvedModel[];
  benchmarks: BenchmarkId[];
  splits: Partial<Record<BenchmarkId, string>>;
  data: string;
  out: string;
  device: 'cpu' | 'cuda' | 'webgpu';
  threads?: number;
  concurrency: number;
  batchSize: number;
  /** Cap on max_new_tokens (null = each benchmark's published budget). */
  maxNewTokens: number | null;
  maxErrorRate: number;
  limit?: number;
  seed: number;
  thumbnails: number;
  /** True when this is the built-in default run (tiny models on the fixtures). */
  embedded: boolean;
  /** The LLM judge, when one is configured (the key stays in its environment variable). */
  judge?: ResolvedJudge;
  mmbenchRules: MMBenchRules;
  configFile?: string;
  /** This process's slice of every benchmark (--shard, or the scheduler's environment); absent: all of it. */
  shard?: Shard;
  /** Where the shard came from, e.g. "--shard" or "SLURM_ARRAY_TASK_ID=3 of SLURM_ARRAY_TASK_COUNT=8". */
  shardSource?: string;
}

/** Flags as commander hands them over (strings, already split lists). */
export interface RunFlags extends JudgeFlags {
  models?: string[];
  benchmarks?: string[];
  data?: string;
  out?: string;
  limit?: number;
  device?: string;
  precision?: string;
  concurrency?: number;
  batchSize?: number;
  maxNewTokens?: number;
  maxErrorRate?: number;
  config?: string;
  /** `i/n`; absent: read from the scheduler's environment (runner/shard.ts). */
  shard?: string;
}

/** One-line description of the first zod issue, e.g. `models.1.url: Invalid URL`. */
function describeIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    message = keys.some((k) => /key|token|secret/i.test(k))
      ? `unknown field ${keys.join(', ')}: API keys come only from the environment (name the variable with apiKeyEnv)`
      : `unknown field ${keys.join(', ')}`;
  }
  return { field, message };
}

export function validateConfig(raw: unknown, file: string): ConfigFile {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error);
    throw new InputError(file, field, message);
  }
  return parsed.data;
}

/** Read a config file: `.json` as JSON, `.ts`/`.js`/`.mjs` as a module with a default export. */
/**
 * Import a .js/.ts config module. The compiled CLI (bin/build-cache.js) runs without tsx's loader, so a .ts
 * config registers tsx first (once; under tsx or vitest it is one more loader that changes nothing).
 */
let tsxRegistered = false;
async function importConfigModule(file: string): Promise<unknown> {
  if (/\.m?ts$/.test(file) && !tsxRegistered) {
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  }
  return import(pathToFileURL(file).href);
}

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UserError(`config file ${path} does not exist`);
  const ext = extname(file);
  let raw: unknown;
  if (ext === '.json') {
    const text = await readFile(file, 'utf8');
    try {
      raw = JSON.parse(text);
    } catch (err) {
      // V8 reports a character offset; turn it into a line number for the one-line error.
      const pos = /position (\d+)/.exec(String(err))?.[1];
      const line = pos === undefined ? undefined : text.slice(0, Number(pos)).split('\n').length;
      throw new InputError(path, line, `invalid JSON: ${(err as Error).message}`);
    }
  } else if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    const mod = (await importConfigModule(file)) as { default?: unknown };
    if (mod.default === undefined) throw new InputError(path, undefined, 'a .ts/.js config must `export default` the config object');
    raw = mod.default;
  } else {
    throw new UserError(`config file ${path}: use .json, .ts or .js (got "${ext || basename(file)}")`);
  }
  const config = validateConfig(raw, path);
  // Relative paths in a config file are relative to the file, as a researcher would expect.
  return rebasePaths(config, dirname(file));
}

function rebasePaths(config: ConfigFile, base: string): ConfigFile {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  return {
    ...config,
    data: config.data === undefined ? undefined : abs(config.data),
    out: config.out === undefined ? undefined : abs(config.out),
    models: config.models?.map((m) => (typeof m === 'string' ? abs(m) : 'path' in m ? { ...m, path: abs(m.path) } : m)),
  };
}

function resolveModel(spec: ModelSpec, precision: string): ResolvedModel {
  if (typeof spec === 'string') {
    const path = resolve(spec);
    return { kind: 'bundle', name: basename(path), path, precision };
  }
  if ('path' in spec) {
    const path = resolve(spec.path);
    return { kind: 'bundle', name: spec.name ?? basename(path), path, precision: spec.precision ?? precision };
  }
  return { kind: 'remote', ...spec };
}

function parseBenchmarks(list: string[], where: string): BenchmarkId[] {
  for (const b of list) {
    if (!(BENCHMARK_IDS as readonly string[]).includes(b)) {
      throw new UserError(`${where}: unknown benchmark "${b}"; known: ${BENCHMARK_IDS.join(', ')}`);
    }
  }
  return [...new Set(list)] as BenchmarkId[];
}

/** Flags override the config file, which overrides the embedded defaults. */
export async function resolveConfig(flags: RunFlags): Promise<ResolvedConfig> {
  const file = flags.config ? await loadConfigFile(flags.config) : ({} as ConfigFile);
  const opt = file.options ?? {};
  const modelSpecs: ModelSpec[] | undefined = flags.models ?? file.models;
  const embedded = modelSpecs === undefined && (flags.data ?? file.data) === undefined;
  const precision = flags.precision ?? opt.precision ?? 'fp32';
  if (!(precision in PRECISION_SUFFIX)) throw new UserError(`--precision must be one of ${Object.keys(PRECISION_SUFFIX).join(', ')} (got "${precision}")`);
  const models = (modelSpecs ?? DEFAULT_MODELS).map((spec) => resolveModel(spec, precision));
  const names = new Set<string>();
  for (const m of models) {
    if (!isPathSegment(m.name))
      throw new UserError(`model name ${JSON.stringify(m.name)} cannot name a folder of the run (no "/", "\\" or ".."); give it another name in the config`);
    if (names.has(m.name)) throw new UserError(`two models are both named "${m.name}"; give one a name in the config`);
    names.add(m.name);
  }
  const device = flags.device ?? opt.device ?? 'cpu';
  if (!['cpu', 'cuda', 'webgpu'].includes(device)) throw new UserError(`--device must be cpu, cuda or webgpu (got "${device}")`);
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new UserError(`${name} must be a positive integer (got ${v})`);
    return v;
  };
  const maxErrorRate = flags.maxErrorRate ?? opt.maxErrorRate ?? 0.05;
  if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) throw new UserError(`--max-error-rate must be between 0 and 1 (got ${maxErrorRate})`);
  const maxNewTokens = positive('--max-new-tokens', flags.maxNewTokens) ?? opt.maxNewTokens ?? (embedded ? EMBEDDED_MAX_NEW_TOKENS : null);
  const fromEnv = flags.shard === undefined ? shardFromEnv() : undefined;
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : fromEnv?.shard;
  return {
    models,
    benchmarks: flags.benchmarks ? parseBenchmarks(flags.benchmarks, '--benchmarks') : (file.benchmarks ?? [...BENCHMARK_IDS]),
    splits: file.splits ?? {},
    data: resolve(flags.data ?? file.data ?? DEFAULT_DATA),
    out: resolve(flags.out ?? file.out ?? resolve(PACKAGE_ROOT, DEFAULT_OUT)),
    device: device as ResolvedConfig['device'],
    threads: opt.threads,
    concurrency: positive('--concurrency', flags.concurrency) ?? opt.concurrency ?? 4,
    batchSize: positive('--batch-size', flags.batchSize) ?? opt.batchSize ?? 4,
    maxNewTokens,
    maxErrorRate,
    limit: positive('--limit', flags.limit) ?? opt.limit,
    seed: opt.seed ?? 0,
    thumbnails: opt.thumbnails ?? 200,
    embedded,
    configFile: flags.config ? resolve(flags.config) : undefined,
    judge: await resolveJudge(flags, file.judge),
    mmbenchRules: resolveMmbenchRules(flags.mmbenchRules, opt.mmbenchRules),
    ...(shard ? { shard, shardSource: flags.shard !== undefined ? '--shard' : fromEnv!.source } : {}),
  };
}

/**
 * The config as it goes into a results file. API keys come from the environment, but a remote model's URL
 * may carry credentials (userinfo, query string): it is written redacted. This also drops anything key-like
 * a future field might carry.
 */
export function redactConfig(config: ResolvedConfig): unknown {
  const models = config.models.map((m) => (m.kind === 'remote' ? { ...m, url: displayUrl(m.url) } : m));
  return JSON.parse(
    JSON.stringify({ ...config, models }, (key, value) => (/^(api[-_]?key|authorization|token|secret|password)$/i.test(key) ? '[redacted]' : value)),
  );
}
