// `eve-eval submission --benchmark ID --data DIR --predictions PATH --out FILE`: the file a scoring
// server takes (EvalAI for VQAv2/VizWiz, the MMBench server, the MM-Vet evaluator, GQA's eval.py).
import type { Command } from 'commander';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '../../core/errors.ts';
import { benchmarkById, loadSamples, readPredictions, resolveSplit } from '../predictions.ts';

export function register(program: Command): void {
  program
    .command('submission')
    .description('write the submission file a benchmark server takes, from an existing predictions file')
    .requiredOption('--benchmark <id>', 'benchmark id (see `eve-eval list`)')
    .requiredOption('--data <dir>', 'data root (the LLaVA/EVE eval layout)')
    .requiredOption('--predictions <path>', 'predictions file (eve-eval records or LLaVA/EVE answers)')
    .requiredOption('--out <file>', 'where to write the submission file')
    .option('--split <name>', 'split (default: the benchmark default)')
    .action(async (opts: SubmissionOptions) => {
      const { adapter, split, samples, answered, missing, unmatched } = await submissionFile(opts);
      process.stdout.write(`wrote ${opts.out}: ${adapter.id}/${split}, ${samples} questions, ${answered} answered, ${missing} missing\n`);
      if (missing)
        process.stderr.write(`eve-eval: note: ${missing} questions have no prediction; the file holds them as the server expects for unanswered ones\n`);
      if (unmatched) process.stderr.write(`eve-eval: note: ${unmatched} predictions have ids outside ${adapter.id}/${split} and were ignored\n`);
    });
}

export interface SubmissionOptions {
  benchmark: string;
  data: string;
  predictions: string;
  out: string;
  split?: string;
}

/** The whole `submission` path, shared with bench/conformance.ts so CI checks exactly what users run. */
export async function submissionFile(opts: SubmissionOptions) {
  const adapter = await benchmarkById(opts.benchmark);
  if (!adapter.writeSubmission) {
    throw new UserError(`${adapter.id} is scored locally and has no submission server; use \`eve-eval score --benchmark ${adapter.id}\``);
  }
  const split = await resolveSplit(adapter, opts.data, opts.split);
  const loading = loadSamples(adapter, opts.data, split);
  const { answers, unmatched } = await readPredictions(opts.predictions, adapter, loading, opts.data);
  const samples = await loading;
  await mkdir(dirname(opts.out), { recursive: true });
  await adapter.writeSubmission(samples, answers, opts.out);
  const missing = samples.filter((s) => !answers.has(s.id)).length;
  return { adapter, split, samples: samples.length, answered: answers.size, missing, unmatched };
}
