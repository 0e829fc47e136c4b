// TextVQA writeSynthetic (core/synthetic.ts): the official TextVQA_0.5.1_val.json (10 answers), LLaVA's
// llava_textvqa_val_v051_ocr.jsonl (its prompt: the question, "Reference OCR token: " and the item's
// ocr_tokens joined by ", ", the short-answer line) and train_images/<image_id>.jpg, as the fixture writes them.
// image_id = the id of the first item showing the image (LLaVA's question_id is that image id, shared by the
// image's questions); question_id in the annotations = the item id. Sample ids are LLaVA's join key
// "<image_id>|<question lower-cased>", so two items on one image may not ask the same question. A PNG item
// image is re-encoded to JPEG (quality 95).
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import type { SyntheticSet } from '../../core/synthetic.ts';
import { pyLower } from '../shared/python.ts';
import { ImageCopies, SampleIds, byImage, itemsOf, numericIds, tenAnswers } from '../shared/synthetic.ts';
import { DIR, annotationRecord, llavaRow, recoverQuestion, sampleId, writeTextvqaFiles } from './format.ts';

export async function writeTextvqaSynthetic(root: string, set: SyntheticSet): Promise<Map<string, string>> {
  const items = itemsOf(set, 'textvqa');
  const d = path.join(root, DIR);
  const qids = numericIds('textvqa', items);
  const imageOf = byImage(items);
  const copies = new ImageCopies(set);
  const ids = new SampleIds('textvqa');
  const data: ReturnType<typeof annotationRecord>[] = [];
  const llava: ReturnType<typeof llavaRow>[] = [];
  for (const it of items) {
    const imageId = imageOf.get(it.image)![0].id;
    if (!Array.isArray(it.ocr_tokens) || it.ocr_tokens.some((t) => typeof t !== 'string')) {
      throw new UserError(`textvqa synthetic set: item ${it.id} needs "ocr_tokens": a list of strings`);
    }
    const row = llavaRow(imageId, it.question, it.ocr_tokens);
    // load() (as eval_textvqa.py) takes the question back from the prompt: a line break in the question or a
    // token would break that, so it is refused here rather than there.
    const question = pyLower(it.question);
    if (recoverQuestion(row.text) !== question) {
      throw new UserError(
        `textvqa synthetic set: item ${it.id}: its question cannot be read back from LLaVA's prompt (line breaks in the question or OCR tokens?)`,
      );
    }
    ids.add(sampleId(imageId, question), it.id);
    await copies.copy(it, path.join(d, 'train_images', row.image));
    data.push(
      annotationRecord({
        imageId,
        question: it.question,
        answers: tenAnswers('textvqa', it),
        questionId: qids.get(it.id)!,
        imageClasses: [],
        width: it.width,
        height: it.height,
      }),
    );
    llava.push(row);
  }
  await writeTextvqaFiles(d, data, llava);
  return ids.map;
}
