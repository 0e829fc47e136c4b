// MM-Vet readers: LLaVA's DIR/mm-vet/llava-mm-vet.jsonl (question_id, image, text) for the prompts, the
// official DIR/mm-vet/mm-vet.json (answers with <AND>/<OR>, capabilities), images in DIR/mm-vet/images/.
// Sample ids are the official keys ("v1_0"), which the grade and submission files use. With neither file,
// VLMEvalKit's DIR/mm-vet/MMVet.tsv (base64 images inline, tsv.ts) is read, its rows given the same ids.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadOptions, Sample } from '../../core/benchmark.ts';
import { InputError, UserError } from '../../core/errors.ts';
import { isObject, readJson, readJsonl, resolveInside } from '../shared/data-files.ts';
import { jsonl, writeText } from '../shared/fixture-files.ts';
import { loadMmvetTsv } from './tsv.ts';

export const SPLIT = 'test';
export const mmvetDir = (root: string) => join(root, 'mm-vet');
export const llavaFile = (root: string) => join(root, 'mm-vet', 'llava-mm-vet.jsonl');
export const officialFile = (root: string) => join(root, 'mm-vet', 'mm-vet.json');
export const imageDir = (root: string) => join(root, 'mm-vet', 'images');
/** VLMEvalKit's MMVet.tsv, read when neither llava-mm-vet.jsonl nor mm-vet.json is there. */
export const vlmevalkitFile = (root: string) => join(root, 'mm-vet', 'MMVet.tsv');

/** Whether any MM-Vet source is under the root. */
export const mmvetPresent = (root: string) => existsSync(llavaFile(root)) || existsSync(officialFile(root)) || existsSync(vlmevalkitFile(root));

export interface MmvetTruth {
  answer: string;
  capability: string[];
  /** mm-vet.json's question, which the judge's prompt quotes (LLaVA's prompt file may word it differently). */
  question?: string;
}

export async function readOfficial(root: string): Promise<Map<string, MmvetTruth & { question: string; imagename: string }> | null> {
  const file = officialFile(root);
  if (!existsSync(file)) return null;
  const data: unknown = await readJson(file);
  if (!isObject(data)) throw new InputError(file, undefined, 'expected {"v1_0": {"imagename", "capability", "question", "answer"}, ...}');
  const out = new Map<string, MmvetTruth & { question: string; imagename: string }>();
  for (const [id, v] of Object.entries(data)) {
    if (!isObject(v) || typeof v.question !== 'string' || typeof v.answer !== 'string' || !Array.isArray(v.capability)) {
      throw new InputError(file, id, 'expected {"imagename", "capability": [...], "question", "answer"}');
    }
    out.set(id, { question: v.question, answer: v.answer, capability: v.capability.map(String), imagename: String(v.imagename ?? `${id}.png`) });
  }
  return out;
}

export async function* loadMmvet(root: string, options: LoadOptions = {}): AsyncGenerator<Sample> {
  const split = options.split ?? SPLIT;
  if (split !== SPLIT) throw new UserError(`mmvet has no split "${split}"; known: ${SPLIT}`);
  const official = await readOfficial(root);
  let n = 0;
  const file = llavaFile(root);
  if (existsSync(file)) {
    for await (const { value, line } of readJsonl(file)) {
      if (options.limit !== undefined && n >= options.limit) return;
      if (!isObject(value) || typeof value.text !== 'string' || typeof value.image !== 'string' || value.question_id === undefined) {
        throw new InputError(file, line, 'expected {"question_id", "image", "text"}');
      }
      const id = `v1_${value.question_id}`;
      const truth = official?.get(id);
      n++;
      yield {
        id,
        benchmark: 'mmvet',
        split,
        image: { kind: 'file', path: resolveInside(root, imageDir(root), value.image, file, line) },
        // No suffix: LLaVA/EVE send the raw MM-Vet question (docs/protocol.md §1.2).
        prompt: value.text,
        answer: truth ? { answer: truth.answer, capability: truth.capability, question: truth.question } : undefined,
        maxNewTokens: 1024,
        meta: { llavaId: String(value.question_id), capability: truth ? truth.capability.join(',') : null },
      };
    }
    return;
  }
  if (!official) {
    if (existsSync(vlmevalkitFile(root))) {
      yield* loadMmvetTsv(vlmevalkitFile(root), split, options);
      return;
    }
    throw new UserError(`${mmvetDir(root)}: MM-Vet files missing (needs llava-mm-vet.jsonl, mm-vet.json or VLMEvalKit's MMVet.tsv)`);
  }
  for (const [id, v] of official) {
    if (options.limit !== undefined && n >= options.limit) return;
    n++;
    yield {
      id,
      benchmark: 'mmvet',
      split,
      image: { kind: 'file', path: resolveInside(root, imageDir(root), v.imagename, officialFile(root), id) },
      prompt: v.question,
      answer: { answer: v.answer, capability: v.capability, question: v.question },
      maxNewTokens: 1024,
      meta: { llavaId: id.replace(/^v1_/, ''), capability: v.capability.join(',') },
    };
  }
}

/** A row of LLaVA's llava-mm-vet.jsonl (the raw question, no suffix); its sample id is `v1_<questionId>`. */
export function llavaRow(questionId: number, image: string, question: string) {
  return { image, text: question, category: 'conv', question_id: questionId };
}

/** One entry of the official mm-vet.json (keyed `v1_<n>`), fields in the official order. */
export function officialRecord(imagename: string, capability: readonly string[], question: string, answer: string) {
  return { imagename, capability, question, answer };
}

/** LLaVA's prompt file and the official mm-vet.json under root/mm-vet (the images go in imageDir(root)). */
export async function writeMmvetFiles(root: string, llava: readonly unknown[], official: Record<string, unknown>): Promise<void> {
  await writeText(llavaFile(root), jsonl(llava));
  await writeText(officialFile(root), JSON.stringify(official, null, 2) + '\n');
}
