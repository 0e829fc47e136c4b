// What `eve-eval all` and `eve-eval run` share: their flags, and run → table → report → exit code.
import { readdirSync, readFileSync, rmSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { DiskFullError, isDiskFull, UserError } from '../../core/errors.ts';
import { PRECISION_SUFFIX } from '../../core/bundle-layout.ts';
import { resolveConfig, type RunFlags } from '../config.ts';
import { addJudgeOptions } from '../judge/index.ts';
import { lockOut } from './out-lock.ts';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
function int(name: string) {
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
    .addOption(new Option('--precision <p>', 'ONNX variant of each bundle to load, as `export --precision` wrote it (default fp32)').choices(Object.keys(PRECISION_SUFFIX)))
    .option('--concurrency <n>', 'image read-ahead workers, and parallel requests for remote models (default 4)', int('--concurrency'))
    .option('--batch-size <n>', 'samples per model call for local bundles (default 4); remote models get --concurrency requests at once', int('--batch-size'))
    .option('--max-new-tokens <n>', 'cap on generated tokens per answer (default: the published budget, 128 or 1024)', int('--max-new-tokens'))
    .option('--max-error-rate <r>', 'exit 1 when more than this fraction of samples failed (default 0.05)', rate)
    .option('--config <file>', 'config file (.json, .ts or .js); flags override it');
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

export async function runCommand(flags: RunFlags): Promise<number> {
  const config = await resolveConfig(flags);
  const release = lockOut(config.out);
  const stopListening = onInterrupt(config.out, release);
  try {
    return await runResolved(config);
  } catch (err) {
    if (!isDiskFull(err)) throw err;
    removeTempFiles(config.out, process.pid);
    const kept = countAnswers(join(config.out, 'predictions'));
    throw new DiskFullError(
      `out of disk space writing ${err.path ?? config.out}: ${kept} finished answer${kept === 1 ? ' is' : 's are'} kept in ` +
        `${join(config.out, 'predictions')}; free some space and rerun the same command to resume`,
    );
  } finally {
    stopListening();
    release();
  }
}

async function runResolved(config: Awaited<ReturnType<typeof resolveConfig>>): Promise<number> {
  const started = performance.now();
  // Imported here, not at the top: cli.ts loads every command, and this pulls in onnxruntime.
  const { evaluate } = await import('./evaluate.ts');
  const outcome = await evaluate(config);
  const seconds = (performance.now() - started) / 1000;

  const { renderTerminalTable } = await import('../../reports/terminal.ts');
  const { loadReferences } = await import('../../reports/load.ts');
  const { references, problem } = await loadReferences();
  process.stdout.write(`\n${renderTerminalTable(outcome.results, { references })}\n`);
  if (problem) process.stderr.write(`${problem}\n`);
  if (config.embedded && config.maxNewTokens !== null) {
    process.stdout.write(`embedded default run: generation capped at ${config.maxNewTokens} new tokens (tiny random models)\n`);
  }

  const { renderHtmlReport } = await import('../../reports/html/page.ts');
  const report = await renderHtmlReport(config.out);

  // Errors explained: per model + benchmark, each kind with its count and one example.
  for (const r of outcome.results.results) {
    for (const [kind, e] of Object.entries(r.errorReasons ?? {})) {
      const ex = e.examples[0];
      process.stdout.write(`errors: ${r.model} ${r.benchmark}: ${kind} ×${e.count}${ex ? ` (e.g. ${ex.id}: ${ex.message})` : ''}\n`);
    }
  }
  // Beside the table: how MMBench's letters were read, and what each judge did and cost.
  for (const r of outcome.results.results) {
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
  const pct = (100 * outcome.errorRate).toFixed(2);
  process.stdout.write(
    `${outcome.samples} predictions, ${outcome.errors} errors (${pct}%) in ${seconds.toFixed(1)} s\n` +
      `results: ${outcome.file}\nreport:  ${report}\n`,
  );
  if (outcome.errorRate > config.maxErrorRate) {
    process.stderr.write(`eve-eval: error rate ${pct}% is above --max-error-rate ${(100 * config.maxErrorRate).toFixed(2)}%\n`);
    return 1;
  }
  return 0;
}

/** commander hands camelCased options; pick the ones RunFlags knows. */
export function flagsFrom(o: Record<string, unknown>): RunFlags {
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
  };
}
