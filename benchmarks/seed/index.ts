// SEED-Bench-1 (generation protocol of LLaVA-1.5 / EVE: answer letter, video = middle frame).
// Headline: "all" (image + video, 19,242 questions), the number the EVE-v1 table reports.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchmarkAdapter, LoadOptions, Sample } from '../../core/benchmark.ts';
import { UserError } from '../../core/errors.ts';
import { resolveInside } from '../shared/data-files.ts';
import { formatOptions } from '../shared/choices.ts';
import { OPTION_LETTER } from '../shared/instructions.ts';
import { readLlavaSeed, readSeedBench, type SeedQuestion } from './read.ts';
import { scoreSeed, writeSeedSubmission } from './score.ts';
import { writeSeedFixture } from './fixture.ts';
import { writeSeedSynthetic } from './synthetic.ts';
import { loadSeedTsv } from './tsv.ts';

export const SEED_JSON = 'SEED-Bench.json';
export const SEED_LLAVA = 'llava-seed-bench.jsonl';
/** VLMEvalKit's SEEDBench_IMG.tsv (image questions, base64 images inline), read when SEED-Bench.json is absent. */
export const SEED_TSV = 'SEEDBench_IMG.tsv';
const SPLITS = ['all', 'image', 'video'];

/** LLaVA's prompt for a SEED question: question, the four options, the letter suffix. */
export function seedPrompt(q: SeedQuestion): string {
  return `${q.question}\n${formatOptions([q.choice_a, q.choice_b, q.choice_c, q.choice_d])}\n${OPTION_LETTER}`;
}

async function* load(dataRoot: string, options: LoadOptions = {}): AsyncGenerator<Sample> {
  const split = options.split ?? 'all';
  if (!SPLITS.includes(split)) throw new UserError(`seed has no split "${split}"; known: ${SPLITS.join(', ')}`);
  const dir = resolve(dataRoot, 'seed_bench');
  if (!existsSync(join(dir, SEED_JSON)) && existsSync(join(dir, SEED_TSV))) {
    // The TSV holds the image questions only: "all" or "video" from it would be a different number under the same name.
    if (split !== 'image')
      throw new UserError(`seed: ${join(dir, SEED_TSV)} holds SEED's image questions only; use --split image (or add SEED-Bench.json for "${split}")`);
    yield* loadSeedTsv(join(dir, SEED_TSV), split, seedPrompt, options);
    return;
  }
  const bench = await readSeedBench(join(dir, SEED_JSON));
  const llavaFile = join(dir, SEED_LLAVA);
  const llava = existsSync(llavaFile) ? await readLlavaSeed(llavaFile) : null;
  const dimName = new Map(Object.entries(bench.questionType).map(([name, id]) => [id, name]));
  const seen = new Map<string, number>();
  let n = 0;
  for (const q of bench.questions) {
    if (split !== 'all' && q.data_type !== split) continue;
    if (options.limit !== undefined && n >= options.limit) return;
    n++;
    const k = (seen.get(q.question_id) ?? 0) + 1;
    seen.set(q.question_id, k);
    // Prompt and image from LLaVA's question file when it has this question (k-th line for the k-th
    // duplicate); otherwise built the same way, video frames at LLaVA's SEED-Bench-video-image/<type>_<id>.png.
    const row = llava?.get(q.question_id)?.[k - 1];
    const rel = row?.image ?? (q.data_type === 'video' ? `SEED-Bench-video-image/${q.question_type_id}_${q.question_id}.png` : `SEED-Bench-image/${q.data_id}`);
    const path = resolveInside(dir, dir, rel, row ? llavaFile : join(dir, SEED_JSON), row?.line ?? q.question_id);
    yield {
      id: k === 1 ? q.question_id : `${q.question_id}#${k}`,
      benchmark: 'seed',
      split,
      image: { kind: 'file', path },
      prompt: row?.text ?? seedPrompt(q),
      choices: [q.choice_a, q.choice_b, q.choice_c, q.choice_d],
      answer: q.answer,
      maxNewTokens: 128,
      meta: {
        questionId: q.question_id,
        questionTypeId: q.question_type_id,
        dimension: dimName.get(q.question_type_id) ?? String(q.question_type_id),
        dataType: q.data_type,
        fromLlavaFile: row !== undefined,
      },
    };
  }
}

const seed: BenchmarkAdapter = {
  id: 'seed',
  folder: 'seed_bench',
  title: 'SEED-Bench-1 (all: image + video)',
  defaultSplit: 'all',
  splits: SPLITS,
  references: { split: 'all', definition: 'SEED all (image + video)', 'EVE-7B': 54.3, 'EVE-7B-HD': 56.8, 'LLaVA-1.5-7B': 58.6 },
  async present(dataRoot, split = 'all') {
    const dir = join(dataRoot, 'seed_bench');
    return SPLITS.includes(split) && (existsSync(join(dir, SEED_JSON)) || (split === 'image' && existsSync(join(dir, SEED_TSV))));
  },
  load,
  score: scoreSeed,
  writeSubmission: writeSeedSubmission,
  writeFixture: writeSeedFixture,
  writeSynthetic: writeSeedSynthetic,
};

export default seed;
