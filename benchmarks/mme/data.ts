// MME readers. Questions come from LLaVA's DIR/MME/llava_mme.jsonl (question_id = <subtask>/[images/]<file>,
// shared by the two questions of an image) or, without it, from the official eval_tool question list.
// Ground truth comes from the official eval_tool/Your_Results/<subtask>.txt (image \t question \t Yes/No)
// or from MME_Benchmark_release_version/<subtask>/[questions_answers_YN/]<stem>.txt, joined on
// (subtask, image, official question) exactly as LLaVA's convert_answer_to_mme.py rebuilds the key.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { LoadOptions, Sample } from '../../core/benchmark.ts';
import { InputError, UserError } from '../../core/errors.ts';
import { isObject, readJsonl, readTextLines, resolveInside } from '../shared/data-files.ts';
import { SHORT_ANSWER } from '../shared/instructions.ts';
import { ImageReferences, pandasIsNa, readTsv } from '../shared/tsv.ts';

export const PERCEPTION = ['existence', 'count', 'position', 'color', 'posters', 'celebrity', 'scene', 'landmark', 'artwork', 'OCR'] as const;
export const COGNITION = ['commonsense_reasoning', 'numerical_calculation', 'text_translation', 'code_reasoning'] as const;
export const SUBTASKS: readonly string[] = [...PERCEPTION, ...COGNITION];
export const SUFFIX = `\n${SHORT_ANSWER}`;
/** The official MME prompt ending; a few color/count/position questions carry it after a double space. */
export const OFFICIAL_SUFFIX = ' Please answer yes or no.';
export const SPLIT = 'test';

export const mmeDir = (root: string) => join(root, 'MME');
export const llavaFile = (root: string) => join(root, 'MME', 'llava_mme.jsonl');
export const gtDir = (root: string) => join(root, 'MME', 'eval_tool', 'Your_Results');
export const releaseDir = (root: string) => join(root, 'MME', 'MME_Benchmark_release_version');
/** VLMEvalKit's MME.tsv (base64 images inline), read when none of the files above is there. */
export const vlmevalkitFile = (root: string) => join(root, 'MME', 'MME.tsv');

export const gtKey = (subtask: string, image: string, question: string) => `${subtask}\u0000${image}\u0000${question}`;

export interface GtRow {
  answer: 'yes' | 'no';
  /** 1-based order of this question among its image's questions in the GT list: part of the sample id. */
  n: number;
}

/** Reads one tab-separated MME line, naming file and line when a column is missing. */
export function splitTsvLine(text: string, columns: number, file: string, line: number, what: string): string[] {
  const parts = text.replace(/\r$/, '').split('\t');
  if (parts.length !== columns) throw new InputError(file, line, `expected ${columns} tab-separated columns (${what}), got ${parts.length}`);
  return parts;
}

function gtAnswer(value: string, file: string, line: number): 'yes' | 'no' {
  const v = value.trim().toLowerCase();
  if (v !== 'yes' && v !== 'no') throw new InputError(file, line, `ground truth must be Yes or No, got "${value}"`);
  return v;
}

/** The official question list with ground truth, keyed on (subtask, image, question), in file order. */
export async function readGroundTruth(root: string): Promise<{ gt: Map<string, GtRow>; order: Array<{ subtask: string; image: string; question: string }> }> {
  const gt = new Map<string, GtRow>();
  const order: Array<{ subtask: string; image: string; question: string }> = [];
  const perImage = new Map<string, number>();
  const add = (subtask: string, image: string, question: string, answer: 'yes' | 'no', file: string, line: number) => {
    const k = gtKey(subtask, image, question);
    if (gt.has(k)) throw new InputError(file, line, `question "${question}" on ${image} appears twice`);
    const ik = `${subtask}/${image}`;
    const n = (perImage.get(ik) ?? 0) + 1;
    perImage.set(ik, n);
    gt.set(k, { answer, n });
    order.push({ subtask, image, question });
  };
  if (existsSync(gtDir(root))) {
    for (const subtask of SUBTASKS) {
      const file = join(gtDir(root), `${subtask}.txt`);
      if (!existsSync(file)) continue;
      for (const { value, line } of await readTextLines(file)) {
        const [image, question, answer] = splitTsvLine(value, 3, file, line, 'image, question, ground truth');
        add(subtask, image, question, gtAnswer(answer, file, line), file, line);
      }
    }
    return { gt, order };
  }
  // The release folder: one <stem>.txt of "question \t answer" lines beside (or in questions_answers_YN/ for) each image.
  for (const subtask of SUBTASKS) {
    const dir = join(releaseDir(root), subtask);
    if (!existsSync(dir)) continue;
    const qaDir = existsSync(join(dir, 'questions_answers_YN')) ? join(dir, 'questions_answers_YN') : dir;
    const imgDir = existsSync(join(dir, 'images')) ? join(dir, 'images') : dir;
    const images = readdirSync(imgDir)
      .filter((f) => /\.(png|jpe?g)$/i.test(f))
      .sort();
    for (const image of images) {
      const file = join(qaDir, image.replace(/\.[^.]+$/, '.txt'));
      if (!existsSync(file)) continue;
      for (const { value, line } of await readTextLines(file)) {
        const [question, answer] = splitTsvLine(value, 2, file, line, 'question, answer');
        add(subtask, image, question, gtAnswer(answer, file, line), file, line);
      }
    }
  }
  return { gt, order };
}

/** The official question text LLaVA's converter looks up for a LLaVA prompt (single, then double space). */
export function officialQuestion(subtask: string, image: string, llavaQuestion: string, gt: Map<string, GtRow>): string | undefined {
  for (const q of [llavaQuestion + OFFICIAL_SUFFIX, llavaQuestion + ' ' + OFFICIAL_SUFFIX]) {
    if (gt.has(gtKey(subtask, image, q))) return q;
  }
  return undefined;
}

/** The LLaVA prompt for an official question: its " Please answer yes or no." becomes the short-answer suffix. */
export function llavaPrompt(official: string): string {
  const m = official.match(/ {1,2}Please answer yes or no\.$/);
  return (m ? official.slice(0, m.index) : official) + SUFFIX;
}

export async function* loadMme(root: string, options: LoadOptions = {}): AsyncGenerator<Sample> {
  const split = options.split ?? SPLIT;
  if (split !== SPLIT) throw new UserError(`mme has no split "${split}"; known: ${SPLIT}`);
  if (!existsSync(llavaFile(root)) && !existsSync(gtDir(root)) && !existsSync(releaseDir(root)) && existsSync(vlmevalkitFile(root))) {
    yield* loadMmeTsv(vlmevalkitFile(root), options);
    return;
  }
  const { gt, order } = await readGroundTruth(root);
  if (gt.size === 0) throw new UserError(`${gtDir(root)}: MME ground truth missing (needs eval_tool/Your_Results/*.txt or MME_Benchmark_release_version/)`);
  let n = 0;
  const make = (subtask: string, relImage: string, prompt: string, official: string | undefined, file: string, line: number): Sample => {
    const image = basename(relImage);
    const row = official === undefined ? undefined : gt.get(gtKey(subtask, image, official));
    const llavaId = `${subtask}/${relImage.startsWith(subtask + '/') ? relImage.slice(subtask.length + 1) : relImage}`;
    return {
      // Both questions of an image share LLaVA's question_id; the GT order tells them apart.
      id: row ? `${llavaId}#${row.n}` : `${llavaId}#${prompt}`,
      benchmark: 'mme',
      split,
      image: { kind: 'file', path: resolveInside(root, releaseDir(root), llavaId, file, line) },
      prompt,
      answer: row?.answer,
      maxNewTokens: 128,
      meta: {
        subtask,
        image,
        llavaId,
        officialQuestion: official ?? null,
        group: (PERCEPTION as readonly string[]).includes(subtask) ? 'perception' : 'cognition',
      },
    };
  };
  const file = llavaFile(root);
  if (existsSync(file)) {
    for await (const { value, line } of readJsonl(file)) {
      if (options.limit !== undefined && n >= options.limit) return;
      if (!isObject(value) || typeof value.text !== 'string' || typeof value.question_id !== 'string') {
        throw new InputError(file, line, 'expected {"question_id", "image", "text", "category"}');
      }
      const subtask = typeof value.category === 'string' ? value.category : value.question_id.split('/')[0];
      if (!SUBTASKS.includes(subtask)) throw new InputError(file, line, `unknown MME subtask "${subtask}"`);
      const question = value.text.endsWith(SUFFIX) ? value.text.slice(0, -SUFFIX.length) : value.text;
      const official = officialQuestion(subtask, basename(value.question_id), question, gt);
      n++;
      yield make(subtask, value.question_id, value.text, official, file, line);
    }
    return;
  }
  for (const { subtask, image, question } of order) {
    if (options.limit !== undefined && n >= options.limit) return;
    n++;
    const inImages = existsSync(join(releaseDir(root), subtask, 'images'));
    yield make(subtask, `${subtask}/${inImages ? 'images/' : ''}${image}`, llavaPrompt(question), question, gtDir(root), 0);
  }
}

/**
 * VLMEvalKit's MME.tsv: index, image (base64, or the index of the row holding it), question (the official
 * text, " Please answer yes or no." included), answer (Yes/No), category (the official subtask name) and
 * image_path (what VLMEvalKit's MME_rating pairs an image's two questions by). Prompts are built from the
 * official question as LLaVA's converter builds them; the row's index travels as meta.vlmevalkitIndex, so a
 * VLMEvalKit result sheet for this file joins to these samples.
 */
async function* loadMmeTsv(file: string, options: LoadOptions): AsyncGenerator<Sample> {
  const images = options.images !== false;
  const refs = new ImageReferences(file);
  const perImage = new Map<string, number>();
  let col: Record<string, number> = {};
  let n = 0;
  for await (const item of readTsv(file, { skip: (c) => !images && c === 'image', spans: (c) => images && c === 'image' })) {
    if ('header' in item) {
      col = Object.fromEntries(item.header.map((h, i) => [h, i]));
      for (const c of ['index', 'question', 'answer', 'category', 'image_path']) {
        if (!(c in col)) throw new InputError(file, 1, `VLMEvalKit MME TSV header lacks column "${c}" (has: ${item.header.join(', ')})`);
      }
      continue;
    }
    if (options.limit !== undefined && n >= options.limit) return;
    const { line, cells } = item;
    const get = (c: string) => cells[col[c]] ?? '';
    const subtask = get('category');
    if (!SUBTASKS.includes(subtask)) throw new InputError(file, line, `unknown MME subtask "${subtask}"`);
    // VLMEvalKit may write a one-element list ("['artwork/1.jpg']"); its loader unwraps it the same way.
    const imagePath = get('image_path').replace(/^\[\s*['"](.*)['"]\s*\]$/, '$1');
    const image = basename(imagePath);
    const llavaId = `${subtask}/${image}`;
    const k = (perImage.get(llavaId) ?? 0) + 1;
    perImage.set(llavaId, k);
    const question = get('question');
    const cell = cells[col.image];
    const b64 =
      images && col.image !== undefined && cell !== undefined && !pandasIsNa(cell)
        ? await refs.resolve(get('index'), cell, item.spans.get(col.image), line)
        : undefined;
    n++;
    yield {
      id: `${llavaId}#${k}`,
      benchmark: 'mme',
      split: SPLIT,
      image: b64 === undefined ? undefined : { kind: 'base64', data: b64 },
      prompt: llavaPrompt(question),
      answer: gtAnswer(get('answer'), file, line),
      maxNewTokens: 128,
      meta: {
        subtask,
        image,
        llavaId,
        officialQuestion: question,
        group: (PERCEPTION as readonly string[]).includes(subtask) ? 'perception' : 'cognition',
        vlmevalkitIndex: get('index'),
      },
    };
  }
}
