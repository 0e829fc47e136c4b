// POPE readers: LLaVA's question file (DIR/pope/llava_pope_test.jsonl) joined to the official label files
// (DIR/pope/coco/coco_pope_<split>.json, JSON lines) on (image, question text), never by position.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadOptions, Sample } from '../../core/benchmark.ts';
import { InputError, UserError } from '../../core/errors.ts';
import { isObject, readJsonl, resolveInside } from '../shared/data-files.ts';
import { SHORT_ANSWER } from '../shared/instructions.ts';

export const POPE_SPLITS = ['adversarial', 'popular', 'random'] as const;
export type PopeSplit = (typeof POPE_SPLITS)[number];
/** The split that scores all three label files together (the EVE/LLaVA protocol). */
export const ALL_SPLIT = 'test';
export const SUFFIX = `\n${SHORT_ANSWER}`;

export const questionFile = (root: string) => join(root, 'pope', 'llava_pope_test.jsonl');
export const labelFile = (root: string, split: PopeSplit) => join(root, 'pope', 'coco', `coco_pope_${split}.json`);
/** LLaVA's scripts/v1_5/eval/pope.sh: --image-folder ./playground/data/eval/pope/val2014 */
export const imageDir = (root: string) => join(root, 'pope', 'val2014');

export function splitsOf(split: string): PopeSplit[] {
  if (split === ALL_SPLIT) return [...POPE_SPLITS];
  if ((POPE_SPLITS as readonly string[]).includes(split)) return [split as PopeSplit];
  throw new UserError(`pope has no split "${split}"; known: ${[ALL_SPLIT, ...POPE_SPLITS].join(', ')}`);
}

interface Label {
  label: 'yes' | 'no';
  labelId: number | string;
}

const key = (image: string, text: string) => `${image}\u0000${text}`;

/** One split's labels, keyed on (image, question). Duplicated keys or odd labels are bad input. */
export async function readLabels(root: string, split: PopeSplit): Promise<{ labels: Map<string, Label>; rows: number }> {
  const file = labelFile(root, split);
  if (!existsSync(file)) throw new UserError(`${file}: POPE label file missing (from AoiDragon/POPE output/coco/, commit e3e3926)`);
  const labels = new Map<string, Label>();
  let rows = 0;
  for await (const { value, line } of readJsonl(file)) {
    if (!isObject(value) || typeof value.image !== 'string' || typeof value.text !== 'string') {
      throw new InputError(file, line, 'expected {"question_id", "image", "text", "label"}');
    }
    const label = typeof value.label === 'string' ? value.label.trim().toLowerCase() : '';
    if (label !== 'yes' && label !== 'no') throw new InputError(file, line, `label must be "yes" or "no", got ${JSON.stringify(value.label)}`);
    const k = key(value.image, value.text);
    if (labels.has(k)) throw new InputError(file, line, `question "${value.text}" on ${value.image} appears twice`);
    labels.set(k, { label, labelId: value.question_id as number | string });
    rows++;
  }
  return { labels, rows };
}

/**
 * Samples in question-file order. A question without a label keeps `answer` undefined and the label
 * file's row count travels in meta, so that score() can refuse files that do not line up (the
 * random-split drift: 2,910 questions against regenerated 3,000-row labels).
 */
export async function* loadPope(root: string, options: LoadOptions = {}): AsyncGenerator<Sample> {
  const split = options.split ?? ALL_SPLIT;
  const wanted = splitsOf(split);
  const file = questionFile(root);
  if (!existsSync(file)) throw new UserError(`${file}: POPE question file missing (LLaVA-1.5 eval kit layout)`);
  const bySplit = new Map<string, { labels: Map<string, Label>; rows: number }>();
  for (const s of wanted) bySplit.set(s, await readLabels(root, s));

  let n = 0;
  for await (const { value, line } of readJsonl(file)) {
    if (options.limit !== undefined && n >= options.limit) return;
    if (!isObject(value) || typeof value.text !== 'string' || typeof value.image !== 'string' || value.question_id === undefined) {
      throw new InputError(file, line, 'expected {"question_id", "image", "text", "category"}');
    }
    const category = String(value.category);
    const labels = bySplit.get(category);
    if (!labels) {
      if (!(POPE_SPLITS as readonly string[]).includes(category)) throw new InputError(file, line, `unknown POPE category "${category}"`);
      continue;
    }
    const question = value.text.endsWith(SUFFIX) ? value.text.slice(0, -SUFFIX.length) : value.text;
    const found = labels.labels.get(key(value.image, question));
    n++;
    yield {
      id: String(value.question_id),
      benchmark: 'pope',
      split,
      image: { kind: 'file', path: resolveInside(root, imageDir(root), value.image, file, line) },
      // The question file already holds the suffix; it is the prompt exactly as EVE/LLaVA send it.
      prompt: value.text,
      answer: found?.label,
      maxNewTokens: 128,
      meta: {
        category,
        image: value.image,
        labelId: found?.labelId ?? null,
        labelRows: labels.rows,
        // With --limit only part of the question file is read, so row counts cannot be compared.
        limited: options.limit !== undefined,
      },
    };
  }
}
