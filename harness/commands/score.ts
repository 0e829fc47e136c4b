// `eve-eval score --benchmark ID --data DIR --predictions PATH [--split S] [--json]`: re-score an existing
// predictions file (eve-eval records, LLaVA/EVE answer JSONL, or the benchmark's official format) with
// no model. --json prints one object {benchmark, split, headline, metrics, counts, breakdowns}.
import type { Command } from 'commander';
import type { BenchmarkAdapter, MetricValue, Score } from '../../benchmarks/types.ts';
import { benchmarkById, loadSamples, readPredictions, resolveSplit } from '../predictions.ts';

/** Printed figures carry 2 decimals, as the EVE tables and the realdata checks do; --precise keeps every digit. */
export function round2(v: MetricValue): MetricValue {
  // toFixed rounds the exact binary value, as Python's '%.2f' does.
  return v === null || !Number.isFinite(v) ? v : Number(v.toFixed(2));
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
}

/** The whole `score` path, shared with bench/conformance.ts so CI checks exactly what users run. */
export async function scoreFile(opts: { benchmark: string; data: string; predictions: string; split?: string }): Promise<{ adapter: BenchmarkAdapter; score: Score; output: ScoreOutput }> {
  const adapter = await benchmarkById(opts.benchmark);
  const split = await resolveSplit(adapter, opts.data, opts.split);
  const samples = await loadSamples(adapter, opts.data, split);
  const { answers, unmatched } = await readPredictions(opts.predictions, adapter, samples, opts.data);
  const score = adapter.score(samples, answers);
  return {
    adapter,
    score,
    output: {
      benchmark: adapter.id,
      split,
      headline: score.headline,
      headlineName: score.headlineName,
      metrics: score.metrics,
      counts: { ...score.counts, unmatchedPredictions: unmatched },
      breakdowns: score.breakdowns,
      references: adapter.references,
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
      (c.unmatchedPredictions ? `, ${c.unmatchedPredictions} predictions for other ids ignored` : ''),
  ];
  const refs = Object.entries(adapter.references);
  if (refs.length) lines.push(`  published: ${refs.map(([m, v]) => `${m} ${v}`).join(', ')}`);
  lines.push('', 'metrics:');
  const width = Math.max(...Object.keys(out.metrics).map((k) => k.length));
  for (const [k, v] of Object.entries(out.metrics)) lines.push(`  ${k.padEnd(width)}  ${f(v)}`);
  const official = (adapter as { officialSummary?: (s: Score) => string }).officialSummary;
  if (official) lines.push('', "as the official scorer prints it:", official(score));
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('score')
    .description('re-score an existing predictions file (eve-eval records, LLaVA/EVE answers, or the official format)')
    .requiredOption('--benchmark <id>', 'benchmark id (see `eve-eval list`)')
    .requiredOption('--data <dir>', 'data root (the LLaVA/EVE eval layout)')
    .requiredOption('--predictions <path>', 'predictions file or official results folder')
    .option('--split <name>', 'split (default: the benchmark default)')
    .option('--json', 'print one JSON object {benchmark, headline, metrics, counts, breakdowns}')
    .option('--precise', 'with --json: keep every digit instead of 2 decimals')
    .action(async (opts: { benchmark: string; data: string; predictions: string; split?: string; json?: boolean; precise?: boolean }) => {
      const { adapter, score, output } = await scoreFile(opts);
      if (opts.json) {
        const o = opts.precise
          ? output
          : { ...output, headline: round2(output.headline) as number, metrics: roundAll(output.metrics), breakdowns: Object.fromEntries(Object.entries(output.breakdowns).map(([k, t]) => [k, roundAll(t)])) };
        process.stdout.write(JSON.stringify(o) + '\n');
      } else {
        process.stdout.write(summary(adapter, score, output));
      }
      if (output.counts.missing * 2 > output.counts.samples) {
        process.stderr.write(`eve-eval: warning: ${output.counts.missing} of ${output.counts.samples} questions have no prediction (counted wrong); is the predictions file complete and for this benchmark?\n`);
      }
      if (output.counts.unmatchedPredictions) {
        process.stderr.write(`eve-eval: note: ${output.counts.unmatchedPredictions} predictions have ids outside ${output.benchmark}/${output.split} and were ignored\n`);
      }
    });
}
