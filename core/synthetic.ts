// The synthetic image-question set (fixtures/synthetic/generate.py) as the benchmark writers receive it:
// one JSON line per question, images already drawn. The same items, written by each benchmark's
// writeSynthetic in its real on-disk format, are what the tiny models train on (training seeds) and what the
// embedded default evaluates (held-out seeds), so training prompts and evaluation prompts come from the same
// loaders.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Fields every item has. `answer` is the ground truth in the benchmark's own terms; `target` what a model is trained to say. */
export interface SyntheticItemBase {
  /** Unique within the benchmark; digits only, so it can be a numeric question id where the format has one. */
  id: string;
  /** File name under the set's image folder (PNG or JPEG by extension). */
  image: string;
  width: number;
  height: number;
  /** The question alone, no answer instruction (the writer adds what the benchmark's files carry). */
  question: string;
  answer: string;
  target: string;
  /** What the question asks about: color, shape, count, exist, position, text, thin, scene. */
  skill: string;
}

export type SyntheticItem =
  | (SyntheticItemBase & { benchmark: 'pope'; split: 'adversarial' | 'popular' | 'random'; object: string })
  | (SyntheticItemBase & { benchmark: 'mme'; category: 'existence' | 'count' | 'position' | 'color' | 'OCR' })
  | (SyntheticItemBase & { benchmark: 'vqav2'; answers: string[]; question_type: string; answer_type: 'yes/no' | 'number' | 'other' })
  | (SyntheticItemBase & { benchmark: 'gqa'; types: { structural: string; semantic: string; detailed: string } })
  | (SyntheticItemBase & { benchmark: 'vizwiz'; answers: string[]; answerable: 0 | 1; answer_type: 'yes/no' | 'number' | 'other' | 'unanswerable' })
  | (SyntheticItemBase & { benchmark: 'textvqa'; answers: string[]; ocr_tokens: string[] })
  | (SyntheticItemBase & {
      benchmark: 'mmbench';
      /** Option texts in letter order (A, B, ...), 2 to 4 of them; `answer` is the letter. */
      options: string[];
      hint: string | null;
      category: string;
      l2_category: string;
    })
  | (SyntheticItemBase & {
      benchmark: 'seed';
      /** Exactly four option texts (a-d); `answer` is the letter A-D. */
      options: string[];
      /** SEED-Bench-1 image question types 1-9. */
      question_type_id: number;
    })
  | (SyntheticItemBase & {
      benchmark: 'sqa';
      /** 2 to 4 choice texts; `answer` is the letter (A, B, ...) of the right one. */
      options: string[];
      hint: string;
      subject: string;
      grade: string;
    })
  | (SyntheticItemBase & {
      benchmark: 'mmvet';
      /** MM-Vet capability tags (rec, ocr, know, gen, spat, math); `answer` may hold <AND>/<OR>. */
      capability: string[];
    });

export interface SyntheticSet {
  /** Folder holding the items' image files. */
  imageDir: string;
  items: SyntheticItem[];
}

/** A set written by generate.py: DIR/<benchmark>.jsonl and DIR/images/. */
export function readSyntheticSet(dir: string, benchmark: SyntheticItem['benchmark']): SyntheticSet {
  const file = path.join(dir, `${benchmark}.jsonl`);
  const items = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as SyntheticItem;
      } catch (err) {
        throw new Error(`${file}:${i + 1}: ${(err as Error).message}`);
      }
    });
  return { imageDir: path.join(dir, 'images'), items };
}
