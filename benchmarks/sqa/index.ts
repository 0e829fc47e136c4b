// ScienceQA-IMG (test split; the headline is accuracy over the 2,017 image questions) with LLaVA-1.5's
// model_vqa_science.py prompt (--single-pred-prompt) and eval_science_qa.py answer rule.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchmarkAdapter, LoadOptions, Sample } from '../../core/benchmark.ts';
import { InputError, UserError } from '../../core/errors.ts';
import { OPTION_LETTER } from '../shared/instructions.ts';
import { ownValue, resolveInside } from '../shared/data-files.ts';
import { countPromptOptions, readLlavaSqa, readPidSplits, readProblems } from './read.ts';
import { scoreSqa } from './score.ts';
import { writeSqaFixture } from './fixture.ts';
import { writeSqaSynthetic } from './synthetic.ts';
import { loadSqaTsv } from './tsv.ts';
import { meanStatistic } from '../shared/headline-stat.ts';

export const SQA_QUESTIONS = 'llava_test_CQM-A.json';
/** VLMEvalKit's ScienceQA_TEST.tsv (image questions, base64 images inline), read when LLaVA's file is absent. */
export const SQA_TSV = 'ScienceQA_TEST.tsv';

/** model_vqa_science.py: drop every "<image>", strip, then the suffix; the runner puts the image first. */
export function sqaPrompt(humanTurn: string): string {
  return `${humanTurn.replaceAll('<image>', '').trim()}\n${OPTION_LETTER}`;
}

async function* load(dataRoot: string, options: LoadOptions = {}): AsyncGenerator<Sample> {
  const split = options.split ?? 'test';
  if (split !== 'test') throw new UserError(`sqa has only the "test" split (LLaVA's ${SQA_QUESTIONS})`);
  const dir = join(dataRoot, 'scienceqa');
  const file = join(dir, SQA_QUESTIONS);
  if (!existsSync(file) && existsSync(join(dir, SQA_TSV))) {
    yield* loadSqaTsv(join(dir, SQA_TSV), split, sqaPrompt, options);
    return;
  }
  const items = await readLlavaSqa(file);
  const problems = await readProblems(dir);
  const splits = await readPidSplits(dir);
  if (splits?.test) {
    // The official scorer walks pid_splits.test: a question file that is not that list scores other questions.
    const ids = new Set(items.map((x) => x.id));
    const missing = splits.test.filter((p) => !ids.has(p));
    if (missing.length > 0 || ids.size !== splits.test.length) {
      throw new InputError(
        file,
        undefined,
        `does not match pid_splits.json test (${splits.test.length} pids; ${missing.length} missing here, e.g. ${missing[0] ?? '-'})`,
      );
    }
  }
  const imageRoot = resolve(dir, 'images', 'test');
  let n = 0;
  for (const [i, item] of items.entries()) {
    if (options.limit !== undefined && n >= options.limit) return;
    n++;
    const human = item.conversations[0].value;
    const gold = item.conversations[1].value.trim();
    const prob = ownValue(problems, item.id);
    if (problems && !prob) throw new InputError(join(dir, 'problems.json'), item.id, 'problem missing');
    let image: Sample['image'];
    if (item.image !== undefined) {
      image = { kind: 'file', path: resolveInside(imageRoot, imageRoot, item.image, file, `item ${i}, id ${item.id}`) };
    }
    const nChoices = prob ? prob.choices.length : countPromptOptions(human);
    if (nChoices === 0) throw new InputError(file, `item ${i}, id ${item.id}`, 'no "A. " option block in the prompt');
    yield {
      id: item.id,
      benchmark: 'sqa',
      split,
      image,
      prompt: sqaPrompt(human),
      choices: prob?.choices,
      answer: gold,
      maxNewTokens: 1024,
      meta: {
        hasImage: item.image !== undefined,
        nChoices,
        subject: prob?.subject ?? null,
        grade: prob?.grade ?? null,
        topic: prob?.topic ?? null,
        hasHint: prob ? Boolean(prob.hint) : null,
        problemImage: prob ? Boolean(prob.image) : null,
      },
    };
  }
}

const sqa: BenchmarkAdapter = {
  id: 'sqa',
  folder: 'scienceqa',
  title: 'ScienceQA-IMG (test)',
  defaultSplit: 'test',
  splits: ['test'],
  references: { split: 'test', definition: 'IMG accuracy', 'EVE-7B': 63.0, 'EVE-7B-HD': 64.9, 'LLaVA-1.5-7B': 66.8 },
  async present(dataRoot, split = 'test') {
    return split === 'test' && (existsSync(join(dataRoot, 'scienceqa', SQA_QUESTIONS)) || existsSync(join(dataRoot, 'scienceqa', SQA_TSV)));
  },
  load,
  score: scoreSqa,
  headlineStatistic: meanStatistic({
    id: 'sqa/img-accuracy',
    description: 'accuracy over the image problems, problems resampled',
    include: (s) => Boolean(s.meta.hasImage),
  }),
  writeFixture: writeSqaFixture,
  writeSynthetic: writeSqaSynthetic,
};

export default sqa;
