// `eve-eval data status|check|guide`: what each benchmark needs on disk, what is there, and where it comes from.
// status always exits 0 (a report); check exits 1 when something a run needs is missing or mismatched.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BENCHMARK_IDS, type BenchmarkId } from '../../core/benchmark.ts';
import { UserError } from '../../core/errors.ts';
import { allBenchmarks } from '../predictions.ts';
import { benchmarkStatus, type BenchmarkStatus } from '../data/status.ts';
import { renderGuide, renderStatus } from '../data/render.ts';

function benchmarkIds(list?: string): BenchmarkId[] | undefined {
  if (list === undefined) return undefined;
  const ids = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of ids)
    if (!(BENCHMARK_IDS as readonly string[]).includes(id)) throw new UserError(`--benchmarks: unknown benchmark "${id}"; known: ${BENCHMARK_IDS.join(', ')}`);
  return ids as BenchmarkId[];
}

/** Status of the named benchmarks (all ten by default). A named benchmark with no split present is a problem. */
export async function dataStatus(
  data: string,
  opts: { benchmarks?: BenchmarkId[]; deep?: boolean; progress?: (l: string) => void } = {},
): Promise<BenchmarkStatus[]> {
  if (!existsSync(data)) throw new UserError(`${data}: data folder not found`);
  const root = resolve(data);
  const out: BenchmarkStatus[] = [];
  for (const a of await allBenchmarks()) {
    if (opts.benchmarks && !opts.benchmarks.includes(a.id)) continue;
    const s = await benchmarkStatus(a, root, opts);
    if (opts.benchmarks && !s.splits.some((x) => x.present))
      s.problems.unshift(`${a.id}: no split's files under ${data} (see \`eve-eval data guide ${a.id}\`)`);
    out.push(s);
  }
  return out;
}

export function register(program: Command): void {
  const data = program.command('data').description('check benchmark data: status, check, guide');
  data
    .command('status')
    .description('for each benchmark: which files are present, question and image counts against the expected ones, which release each file is')
    .requiredOption('--data <dir>', 'data root (the LLaVA/EVE eval layout)')
    .option('--benchmarks <list>', 'comma-separated benchmark ids (default: all ten)')
    .option('--json', 'print one JSON array')
    .action(async (opts: { data: string; benchmarks?: string; json?: boolean }) => {
      const statuses = await dataStatus(opts.data, { benchmarks: benchmarkIds(opts.benchmarks) });
      process.stdout.write((opts.json ? JSON.stringify(statuses, null, 2) : renderStatus(statuses, opts.data)) + '\n');
    });
  data
    .command('check')
    .description('as status; exit 1 when something a run needs is missing or does not match (--deep: decode every image)')
    .requiredOption('--data <dir>', 'data root (the LLaVA/EVE eval layout)')
    .option('--benchmarks <list>', 'comma-separated benchmark ids (default: every benchmark with files present)')
    .option('--deep', 'decode every image, in parallel, with progress on stderr')
    .option('--json', 'print one JSON array')
    .action(async (opts: { data: string; benchmarks?: string; deep?: boolean; json?: boolean }) => {
      const progress = (l: string) => process.stderr.write(`${l}\n`);
      const statuses = await dataStatus(opts.data, { benchmarks: benchmarkIds(opts.benchmarks), deep: opts.deep, progress });
      process.stdout.write((opts.json ? JSON.stringify(statuses, null, 2) : renderStatus(statuses, opts.data)) + '\n');
      process.exitCode = statuses.some((s) => s.problems.length) ? 1 : 0;
    });
  data
    .command('guide')
    .description("where each benchmark's files come from, the folder layout eve-eval reads, and each dataset's licence")
    .argument('[benchmark]', 'one benchmark id (default: all ten)')
    .action((id?: string) => {
      if (id !== undefined && !(BENCHMARK_IDS as readonly string[]).includes(id))
        throw new UserError(`unknown benchmark "${id}"; known: ${BENCHMARK_IDS.join(', ')}`);
      process.stdout.write(renderGuide(id as BenchmarkId | undefined) + '\n');
    });
}
