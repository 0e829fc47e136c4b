// A synthetic set (core/synthetic.ts) in POPE's real layout, the one writeFixture writes: LLaVA's question file
// (question_id = the item id, text with the short-answer suffix), the three official label files and the images
// under val2014/ with COCO val2014 names. An image several items ask about is written once.
import { join } from 'node:path';
import type { SyntheticSet } from '../../core/synthetic.ts';
import { jsonl, writeText } from '../shared/fixture-files.ts';
import { EXTENSION, ImageCopies, byImage, imageFormat, itemsOf, numericIds, sourceImage, type ItemOf } from '../shared/synthetic.ts';
import { POPE_SPLITS, SUFFIX, imageDir, labelFile, questionFile } from './data.ts';
import { writePopeAnswers, type PopeAnswer } from './fixture.ts';

/**
 * Image names: COCO_val2014_<12 digits>.<ext>, the number being the id of the first item asking about the image
 * (so names stay stable). The bytes are copied as they are: a PNG keeps its encoding and is named .png (the
 * loader takes any name under val2014/), so the rendered words are not blurred by a JPEG pass.
 */
export async function writePopeSynthetic(root: string, set: SyntheticSet): Promise<Map<string, string>> {
  const items = itemsOf(set, 'pope');
  const qids = numericIds('pope', items);
  for (const item of items) {
    if (!(POPE_SPLITS as readonly string[]).includes(item.split)) throw new Error(`pope synthetic item ${item.id}: unknown split "${item.split}"`);
    if (!/^(yes|no)$/i.test(item.answer)) throw new Error(`pope synthetic item ${item.id}: answer must be "yes" or "no", got "${item.answer}"`);
  }
  const copies = new ImageCopies(set);
  const names = new Map<string, string>();
  for (const [image, group] of byImage(items)) {
    const name = `COCO_val2014_${String(qids.get(group[0].id)).padStart(12, '0')}${EXTENSION[await imageFormat(sourceImage(set, group[0]))]}`;
    await copies.copy(group[0], join(imageDir(root), name));
    names.set(image, name);
  }
  const ids = new Map<string, string>();
  const questions: unknown[] = [];
  // The question file holds the splits one after another, as LLaVA's does.
  for (const split of POPE_SPLITS) {
    const labels: unknown[] = [];
    // The labels join the questions on (image, question): one split cannot ask an image the same question twice.
    const asked = new Map<string, string>();
    for (const item of items) {
      if (item.split !== split) continue;
      const key = `${item.image}\u0000${item.question}`;
      const twice = asked.get(key);
      if (twice !== undefined) throw new Error(`pope synthetic item ${item.id}: item ${twice} asks the same question about ${item.image} in ${split}`);
      asked.set(key, item.id);
      const qid = qids.get(item.id)!;
      const image = names.get(item.image)!;
      labels.push({ question_id: qid, image, text: item.question, label: item.answer.toLowerCase() });
      questions.push({ question_id: qid, image, text: item.question + SUFFIX, category: split });
      ids.set(String(qid), item.id);
    }
    await writeText(labelFile(root, split), labels.length > 0 ? jsonl(labels) : '');
  }
  await writeText(questionFile(root), jsonl(questions));
  return ids;
}

/**
 * The example answers file writePopeFixture writes (pope/answers/fixture.jsonl, LLaVA's answer JSONL), for a
 * synthetic set already written by writePopeSynthetic: `text` gives each item's answer, in the question file's order.
 */
export async function writePopeSyntheticAnswers(root: string, set: SyntheticSet, text: (item: ItemOf<'pope'>) => string): Promise<void> {
  const items = itemsOf(set, 'pope');
  const qids = numericIds('pope', items);
  const answers: PopeAnswer[] = [];
  for (const split of POPE_SPLITS) {
    for (const item of items) if (item.split === split) answers.push({ questionId: qids.get(item.id)!, prompt: item.question + SUFFIX, text: text(item) });
  }
  await writePopeAnswers(root, answers);
}
