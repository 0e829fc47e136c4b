// POPE readers: LLaVA's question file (DIR/pope/llava_pope_test.jsonl) joined to the official label files
// (DIR/pope/coco/coco_pope_<split>.json, JSON lines) on (image, question text), never by position.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadOptions, Sample } from '../../core/benchmark.ts';
import { InputError, UserError } from '../../core/errors.ts';
import { isObject, readJsonl, resolveInside } from '../shared/data-files.ts';
import { SHORT_ANSWER } from '../shared/instructions.ts';
import { ImageReferences, readTsv } from '../shared/tsv.ts';

export const POPE_SPLITS = ['adversarial', 'popular', 'random'] as const;
export type PopeSplit = (typeof POPE_SPLITS)[number];
/** The split that scores all three label files together (the EVE/LLaVA protocol). */
export const ALL_SPLIT = 'test';
export const SUFFIX = `\n${SHORT_ANSWER}`;

export const questionFile = (root: string) => join(root, 'pope', 'llava_pope_test.jsonl');
export const labelFile = (root: string, split: PopeSplit) => join(root, 'pope', 'coco', `coco_pope_${split}.json`);
/** VLMEvalKit's POPE.tsv (base64 images inline), read when LLaVA's question file is absent. */
export const vlmevalkitFile = (root: string) => join(root, 'pope', 'POPE.tsv');
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
  if (!existsSync(file) && existsSync(vlmevalkitFile(root))) {
    yield* loadPopeTsv(vlmevalkitFile(root), split, wanted, options);
    return;
  }
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

/**
 * VLMEvalKit's POPE.tsv: index, image (base64, or the index of the row holding it), question, answer
 * (Yes/No) and category, which names every split a question belongs to ("adversarial,popular"): VLMEvalKit's
 * POPE_rating splits it and scores the row once per split, so here a row becomes one sample per split it
 * names (id `<index>/<split>`), all sharing meta.vlmevalkitIndex for result sheets. The label counts per split
 * are the file's own, so the question/label drift check has nothing to compare across files.
 */
async function* loadPopeTsv(file: string, split: string, wanted: PopeSplit[], options: LoadOptions): AsyncGenerator<Sample> {
  const images = options.images !== false;
  const refs = new ImageReferences(file);
  type Row = { index: string; line: number; question: string; answer: 'yes' | 'no'; image: string; cats: PopeSplit[]; hasImage: boolean };
  const rows: Row[] = [];
  const rowsPerSplit = new Map<string, number>();
  let col: Record<string, number> = {};
  // Per-split row counts go into every sample (the scorer's drift check), so the categories are read first;
  // with images only the rows' text is kept, and images are read back by span as samples are yielded.
  for await (const item of readTsv(file, { skip: (c) => c === 'image' })) {
    if ('header' in item) {
      col = Object.fromEntries(item.header.map((h, i) => [h, i]));
      for (const c of ['index', 'question', 'answer', 'category']) {
        if (!(c in col)) throw new InputError(file, 1, `VLMEvalKit POPE TSV header lacks column "${c}" (has: ${item.header.join(', ')})`);
      }
      continue;
    }
    const get = (c: string) => (c in col ? (item.cells[col[c]] ?? '') : '');
    const cats = get('category')
      .split(',')
      .map((c) => c.trim());
    for (const c of cats) if (!(POPE_SPLITS as readonly string[]).includes(c)) throw new InputError(file, item.line, `unknown POPE category "${c}"`);
    const answer = get('answer').trim().toLowerCase();
    if (answer !== 'yes' && answer !== 'no') throw new InputError(file, item.line, `answer must be Yes or No, got "${get('answer')}"`);
    for (const c of cats) rowsPerSplit.set(c, (rowsPerSplit.get(c) ?? 0) + 1);
    const index = get('index');
    const span = item.spans.get(col.image);
    const hasImage = span !== undefined && span.end > span.start;
    if (hasImage) refs.note(index, span);
    rows.push({ index, line: item.line, question: get('question'), answer, image: get('image_path') || index, cats: cats as PopeSplit[], hasImage });
  }
  let n = 0;
  for (const s of wanted) {
    for (const r of rows) {
      if (!r.cats.includes(s)) continue;
      if (options.limit !== undefined && n >= options.limit) return;
      n++;
      const data = images && r.hasImage ? await refs.imageOf(r.index, r.line) : undefined;
      yield {
        id: `${r.index}/${s}`,
        benchmark: 'pope',
        split,
        image: data === undefined ? undefined : { kind: 'base64', data },
        prompt: r.question + SUFFIX,
        answer: r.answer,
        maxNewTokens: 128,
        meta: {
          category: s,
          image: r.image,
          labelId: r.index,
          labelRows: rowsPerSplit.get(s) ?? 0,
          limited: options.limit !== undefined,
          vlmevalkitIndex: r.index,
        },
      };
    }
  }
}
