// What `eve-eval all` and `eve-eval run` share: their flags, and run → table → report → exit code.
import { readdirSync, readFileSync, rmSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { DiskFullError, isDiskFull, UserError } from '../../core/errors.ts';
import { PRECISION_SUFFIX } from '../../core/bundle-layout.ts';
import { resolveConfig, type ResolvedConfig, type RunFlags } from '../config.ts';
import type { ResultsFile } from '../../core/records.ts';
import { addJudgeOptions } from '../judge/index.ts';
import { lockOut } from './out-lock.ts';

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
export function int(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UserError(`${name} must be a positive integer (got "${v}")`);
    return n;
  };
}
function rate(v: string) {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new UserError(`--max-error-rate must be a number between 0 and 1 (got "${v}")`);
  return n;
}

export function addRunOptions(cmd: Command): Command {
  cmd
    .option('--models <list>', 'comma-separated model bundle folders (the folder name is the model id)', list)
    .option('--benchmarks <list>', 'comma-separated benchmark ids (vqav2,gqa,vizwiz,textvqa,pope,mme,mmbench,seed,mmvet,sqa)', list)
    .option('--data <dir>', 'benchmark data root (LLaVA/EVE playground/data/eval layout); default: the built-in fixtures')
    .option('--out <dir>', 'run directory; rerunning into it resumes (default: runs/default in the eve-eval checkout)')
    .option('--limit <n>', 'first N samples of each benchmark', int('--limit'))
    .addOption(new Option('--device <device>', 'execution provider (default cpu)').choices(['cpu', 'cuda', 'webgpu']))
    .addOption(
      new Option('--precision <p>', 'ONNX variant of each bundle to load, as `export --precision` wrote it (default fp32)').choices(
        Object.keys(PRECISION_SUFFIX),
      ),
    )
    .option('--concurrency <n>', 'image read-ahead workers, and parallel requests for remote models (default 4)', int('--concurrency'))
    .option('--batch-size <n>', 'samples per model call for local bundles (default 4); remote models get --concurrency requests at once', int('--batch-size'))
    .option('--max-new-tokens <n>', 'cap on generated tokens per answer (default: the published budget, 128 or 1024)', int('--max-new-tokens'))
    .option('--max-error-rate <r>', 'exit 1 when more than this fraction of samples failed (default 0.05)', rate)
    .option('--config <file>', 'config file (.json, .ts or .js); flags override it')
    .option(
      '--shard <i/n>',
      'run slice i of n (0-based) of every benchmark into OUT/shards/i-of-n (default: from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or RANK); then `eve-eval merge OUT`',
    )
    .option(
      '--devices <list>',
      'comma-separated device ids (e.g. 0,1,2,3): one shard per device on this host, each with CUDA_VISIBLE_DEVICES set, then merged',
      list,
    );
  return addJudgeOptions(cmd);
}

/**
 * Ctrl-C or a scheduler's SIGTERM mid-run: every finished answer is already appended and flushed, so say
 * how to resume, remove this process's half-written temporary files, and exit as a signalled process does.
 */
function onInterrupt(out: string, release: () => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    removeTempFiles(out, process.pid);
    release();
    process.stderr.write(`\neve-eval: interrupted (${signal}); the answers so far are kept in ${out}: rerun the same command to resume\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Every file under `dir`, recursively; a folder that cannot be read is skipped. */
function* filesUnder(dir: string): Generator<string> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(p);
    else yield p;
  }
}

/** `*.tmp-PID` files (core/atomic-write.ts) under `dir`, this process's only. */
function removeTempFiles(dir: string, pid: number): void {
  for (const f of filesUnder(dir)) if (f.endsWith(`.tmp-${pid}`)) rmSync(f, { force: true });
}

/** Finished answers on disk: one line per record in the predictions JSONL files. */
function countAnswers(dir: string): number {
  let n = 0;
  for (const f of filesUnder(dir)) {
    if (!f.endsWith('.jsonl')) continue;
    const text = readFileSync(f, 'utf8');
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  }
  return n;
}

export async function runCommand(flags: RunFlags & { devices?: string[] }): Promise<number> {
  if (flags.devices) {
    const { runOnDevices } = await import('./devices.ts');
    return runOnDevices(flags, flags.devices);
  }
  const config = await resolveConfig(flags);
  const { evaluate, runDir } = await import('./evaluate.ts');
  const dir = runDir(config);
  if (config.shard) process.stderr.write(`eve-eval: shard ${config.shard.index}/${config.shard.count} (${config.shardSource}) into ${dir}\n`);
  const release = lockOut(dir);
  const stopListening = onInterrupt(dir, release);
  try {
    const started = performance.now();
    // Imported here, not at the top: cli.ts loads every command, and this pulls in onnxruntime.
    const outcome = await evaluate(config);
    const seconds = (performance.now() - started) / 1000;
    if (config.shard) {
      // One slice scores nothing worth reading: the table and report come from `merge`.
      process.stdout.write(
        `${outcome.samples} predictions, ${outcome.errors} errors in ${seconds.toFixed(1)} s (shard ${config.shard.index}/${config.shard.count})\n` +
          `when every shard has finished: npx eve-eval merge ${config.out}\n`,
      );
      return errorRateExit(outcome.errorRate, config.maxErrorRate);
    }
    return await presentRun(config, outcome.results, { ...outcome, seconds });
  } catch (err) {
    if (!isDiskFull(err)) throw err;
    removeTempFiles(dir, process.pid);
    const kept = countAnswers(join(dir, 'predictions'));
    throw new DiskFullError(
      `out of disk space writing ${err.path ?? dir}: ${kept} finished answer${kept === 1 ? ' is' : 's are'} kept in ` +
        `${join(dir, 'predictions')}; free some space and rerun the same command to resume`,
    );
  } finally {
    stopListening();
    release();
  }
}

/** 1, with one line, when more samples failed than --max-error-rate allows; else 0. */
function errorRateExit(rate: number, max: number): number {
  if (rate <= max) return 0;
  process.stderr.write(`eve-eval: error rate ${(100 * rate).toFixed(2)}% is above --max-error-rate ${(100 * max).toFixed(2)}%\n`);
  return 1;
}

/**
 * The end of a run (and of `merge`): the comparison table, report.html, the errors explained, the counts,
 * and exit 1 when the error rate is above --max-error-rate.
 */
export async function presentRun(
  config: Pick<ResolvedConfig, 'out' | 'embedded' | 'maxNewTokens' | 'maxErrorRate'>,
  results: ResultsFile,
  counts: { file: string; samples: number; errors: number; errorRate: number; seconds: number },
): Promise<number> {
  const { renderTerminalTable } = await import('../../reports/terminal.ts');
  const { loadReferences } = await import('../../reports/load.ts');
  const { references, problem } = await loadReferences();
  process.stdout.write(`\n${renderTerminalTable(results, { references })}\n`);
  if (problem) process.stderr.write(`${problem}\n`);
  if (config.embedded && config.maxNewTokens !== null) {
    process.stdout.write(
      `embedded default run: generation capped at ${config.maxNewTokens} new tokens (enough for the tiny models' short answers; longer MM-Vet answers are cut)\n`,
    );
  }

  const { renderHtmlReport } = await import('../../reports/html/page.ts');
  const report = await renderHtmlReport(config.out);

  // Errors explained: per model + benchmark, each kind with its count and one example.
  for (const r of results.results) {
    for (const [kind, e] of Object.entries(r.errorReasons ?? {})) {
      const ex = e.examples[0];
      process.stdout.write(`errors: ${r.model} ${r.benchmark}: ${kind} ×${e.count}${ex ? ` (e.g. ${ex.id}: ${ex.message})` : ''}\n`);
    }
  }
  // Beside the table: how MMBench's letters were read, and what each judge did and cost.
  for (const r of results.results) {
    for (const note of r.notes ?? []) process.stdout.write(`note: ${r.model} ${r.benchmark}: ${note}\n`);
    const x = r.extraction;
    if (x) process.stdout.write(`letters: ${r.model} ${r.benchmark}: ${x.byRule} by rule, ${x.byLlm} by the LLM extractor, ${x.unread} unread (${x.rules})\n`);
    const j = r.judge;
    if (j) {
      const cost = j.usage.costUsd === null ? 'no prices configured' : `est. $${j.usage.costUsd.toFixed(4)}`;
      process.stdout.write(
        `judge: ${r.model} ${r.benchmark}: ${j.model}, ${j.runs} run${j.runs > 1 ? 's' : ''}, ${j.failures} failures, ${j.usage.requests} requests + ${j.usage.cached} cached, ` +
          `${j.usage.promptTokens + j.usage.completionTokens} tokens, ${cost}\n`,
      );
    }
  }
  const pct = (100 * counts.errorRate).toFixed(2);
  process.stdout.write(
    `${counts.samples} predictions, ${counts.errors} errors (${pct}%) in ${counts.seconds.toFixed(1)} s\n` + `results: ${counts.file}\nreport:  ${report}\n`,
  );
  return errorRateExit(counts.errorRate, config.maxErrorRate);
}

/** commander hands camelCased options; pick the ones RunFlags knows. */
export function flagsFrom(o: Record<string, unknown>): RunFlags & { devices?: string[] } {
  return {
    models: o.models as string[] | undefined,
    benchmarks: o.benchmarks as string[] | undefined,
    data: o.data as string | undefined,
    out: o.out as string | undefined,
    limit: o.limit as number | undefined,
    device: o.device as string | undefined,
    precision: o.precision as string | undefined,
    concurrency: o.concurrency as number | undefined,
    batchSize: o.batchSize as number | undefined,
    maxNewTokens: o.maxNewTokens as number | undefined,
    maxErrorRate: o.maxErrorRate as number | undefined,
    config: o.config as string | undefined,
    judgeUrl: o.judgeUrl as string | undefined,
    judgeModel: o.judgeModel as string | undefined,
    judgeKeyEnv: o.judgeKeyEnv as string | undefined,
    judgeRuns: o.judgeRuns as number | undefined,
    judgeMmbench: o.judgeMmbench as boolean | undefined,
    mmbenchRules: o.mmbenchRules as string | undefined,
    shard: o.shard as string | undefined,
    devices: o.devices as string[] | undefined,
  };
}
