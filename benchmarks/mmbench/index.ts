// MMBench (English, dev 20230712): LLaVA/EVE prompts from the TSV, circular evaluation, server upload.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchmarkAdapter, LoadOptions, Sample } from '../../core/benchmark.ts';
import { UserError } from '../../core/errors.ts';
import { readMMBenchTsv } from './read.ts';
import { buildPrompt, promptOptions } from './prompt.ts';
import { scoreMMBench } from './score.ts';
import { writeMMBenchSubmission } from './submission.ts';
import { writeMMBenchFixture } from './fixture.ts';
import { writeMMBenchSynthetic } from './synthetic.ts';
import { meanStatistic } from '../shared/headline-stat.ts';

/**
 * TSV file names per split, first existing wins (the EVE paper reports dev 20230712). VLMEvalKit's
 * MMBench_DEV_EN / MMBench_TEST_EN.tsv have the same columns; `data status` says which release a file is.
 */
const FILES: Record<string, string[]> = {
  dev: ['mmbench_dev_20230712.tsv', 'MMBench_DEV_EN.tsv'],
  test: ['mmbench_test_20230712.tsv', 'mmbench_test_en_20231003.tsv', 'MMBench_TEST_EN.tsv'],
};

export function mmbenchFile(dataRoot: string, split: string): string | null {
  const names = FILES[split];
  if (!names) throw new UserError(`mmbench has no split "${split}"; known: ${Object.keys(FILES).join(', ')}`);
  for (const n of names) if (existsSync(join(dataRoot, 'mmbench', n))) return join(dataRoot, 'mmbench', n);
  return null;
}

async function* load(dataRoot: string, options: LoadOptions = {}): AsyncGenerator<Sample> {
  const split = options.split ?? 'dev';
  const file = mmbenchFile(dataRoot, split);
  if (!file) throw new UserError(`mmbench ${split}: ${join(dataRoot, 'mmbench', FILES[split][0])} not found`);
  let n = 0;
  for await (const row of readMMBenchTsv(file, options.images !== false)) {
    if (options.limit !== undefined && n >= options.limit) return;
    n++;
    yield {
      id: String(row.index),
      benchmark: 'mmbench',
      split,
      image: row.image === undefined ? undefined : { kind: 'base64', data: row.image },
      prompt: buildPrompt(row),
      choices: promptOptions(row),
      answer: row.answer,
      maxNewTokens: 1024,
      meta: {
        index: row.index,
        group: row.index % 1_000_000,
        category: row.category,
        l2category: row.l2category,
        source: row.source,
        tsvSplit: row.split,
        question: row.question,
        optA: row.cells.A ?? null,
        optB: row.cells.B ?? null,
        optC: row.cells.C ?? null,
        optD: row.cells.D ?? null,
        line: row.line,
      },
    };
  }
}

const mmbench: BenchmarkAdapter = {
  id: 'mmbench',
  folder: 'mmbench',
  title: 'MMBench-EN (dev 20230712, circular)',
  defaultSplit: 'dev',
  splits: ['dev', 'test'],
  references: { split: 'dev', 'EVE-7B': 49.5, 'EVE-7B-HD': 52.3, 'Fuyu-8B': 10.7, 'LLaVA-1.5-7B': 64.3 },
  async present(dataRoot, split = 'dev') {
    return split in FILES && mmbenchFile(dataRoot, split) !== null;
  },
  load,
  score: scoreMMBench,
  headlineStatistic: meanStatistic({
    id: 'mmbench/circular',
    description: 'circular accuracy, circular groups (a question and its rotated copies) resampled',
    unitsFromPerSample: true,
  }),
  writeSubmission: writeMMBenchSubmission,
  writeFixture: writeMMBenchFixture,
  writeSynthetic: writeMMBenchSynthetic,
};

export default mmbench;
