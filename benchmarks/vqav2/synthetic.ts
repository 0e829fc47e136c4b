// VQAv2 writeSynthetic (core/synthetic.ts): the val split only, as the official files hold it (questions +
// annotations JSON, val2014/COCO_val2014_<12-digit image id>.jpg), which is what load() scores locally.
// question_id = the item id; image_id = the id of the first item showing that image, so items sharing an
// image share one image id and one file. A PNG item image is re-encoded to JPEG (quality 95): COCO names are .jpg.
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import type { SyntheticSet } from '../../core/synthetic.ts';
import { ImageCopies, SampleIds, byImage, itemsOf, numericIds, tenAnswers } from '../shared/synthetic.ts';
import { DIR, type ValQuestion, valAnnotation, valImageName, writeValFiles } from './format.ts';

export async function writeVqav2Synthetic(root: string, set: SyntheticSet): Promise<Map<string, string>> {
  const items = itemsOf(set, 'vqav2');
  const d = path.join(root, DIR);
  const qids = numericIds('vqav2', items);
  const imageOf = byImage(items);
  const copies = new ImageCopies(set);
  const ids = new SampleIds('vqav2');
  const questions: ValQuestion[] = [];
  const annotations: ReturnType<typeof valAnnotation>[] = [];
  for (const it of items) {
    const questionId = qids.get(it.id)!;
    if (typeof it.question_type !== 'string' || typeof it.answer_type !== 'string') {
      throw new UserError(`vqav2 synthetic set: item ${it.id} needs "question_type" and "answer_type"`);
    }
    const imageId = qids.get(imageOf.get(it.image)![0].id)!;
    await copies.copy(it, path.join(d, 'val2014', valImageName(imageId)));
    questions.push({ image_id: imageId, question: it.question, question_id: questionId });
    annotations.push(
      valAnnotation({
        questionId,
        imageId,
        questionType: it.question_type,
        answerType: it.answer_type,
        multipleChoiceAnswer: it.answer,
        answers: tenAnswers('vqav2', it),
      }),
    );
    ids.add(String(questionId), it.id);
  }
  await writeValFiles(d, questions, annotations);
  return ids.map;
}
