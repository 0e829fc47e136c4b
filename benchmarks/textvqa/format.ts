// TextVQA val's on-disk layout, written once for the readers (index.ts), the fixture and the synthetic writer
// (synthetic.ts): file names, LLaVA's OCR-token prompt and its inverse (eval_textvqa.py's prompt_processor),
// the sample id, and the official annotation record.
import path from 'node:path';
import { jsonl, writeText } from '../shared/fixture-files.ts';
import { SHORT_ANSWER } from '../shared/instructions.ts';
import { pyLower } from '../shared/python.ts';

export const SUFFIX = `\n${SHORT_ANSWER}`;
export const DIR = 'textvqa';
export const LLAVA_FILE = 'llava_textvqa_val_v051_ocr.jsonl';
export const ANNOTATIONS = 'TextVQA_0.5.1_val.json';

/** LLaVA-1.5's TextVQA prompt: question, the Rosetta OCR tokens, the short-answer suffix. */
export function buildPrompt(question: string, ocrTokens: readonly string[]): string {
  return `${question}\nReference OCR token: ${ocrTokens.join(', ')}${SUFFIX}`;
}

/**
 * eval_textvqa.py prompt_processor: the question (lower-cased) back from a prompt, or null where the
 * Python asserts (a layout it does not know).
 */
export function recoverQuestion(prompt: string): string | null {
  let question: string;
  const lines = prompt.split('\n');
  if (prompt.startsWith('OCR tokens: ')) {
    const m = /Question: ([\s\S]*?) Short answer:/.exec(prompt);
    if (!m) return null; // Python: match.group on None raises
    question = m[1];
  } else if (prompt.includes('Reference OCR token: ') && lines.length === 3) {
    question = prompt.startsWith('Reference OCR token:') ? lines[1] : lines[0];
  } else if (lines.length === 2) {
    question = lines[0];
  } else return null;
  return pyLower(question);
}

export function sampleId(imageId: string, questionLower: string): string {
  return `${imageId}|${questionLower}`;
}

/** One entry of TextVQA_0.5.1_val.json's data, fields in the official order (the OCR tokens are not in it). */
export function annotationRecord(a: {
  imageId: string;
  question: string;
  answers: readonly string[];
  questionId: number;
  imageClasses: readonly string[];
  width: number;
  height: number;
}) {
  return {
    question: a.question,
    image_id: a.imageId,
    image_classes: a.imageClasses,
    flickr_original_url: '',
    flickr_300k_url: '',
    image_width: a.width,
    image_height: a.height,
    answers: a.answers,
    question_tokens: a.question.toLowerCase().replace('?', '').split(' '),
    question_id: a.questionId,
    set_name: 'val',
  };
}

/** A row of LLaVA's llava_textvqa_val_v051_ocr.jsonl: question_id is the image id, the prompt carries the OCR tokens. */
export function llavaRow(imageId: string, question: string, ocrTokens: readonly string[]) {
  return { question_id: imageId, image: `${imageId}.jpg`, text: buildPrompt(question, ocrTokens), category: 'default' };
}

/** The official annotations and LLaVA's question file under `d` (DIR/textvqa). */
export async function writeTextvqaFiles(d: string, data: readonly ReturnType<typeof annotationRecord>[], llava: readonly unknown[]): Promise<void> {
  await writeText(path.join(d, ANNOTATIONS), JSON.stringify({ dataset_type: 'val', dataset_name: 'textvqa', dataset_version: 0.5, data }));
  await writeText(path.join(d, LLAVA_FILE), jsonl(llava));
}
