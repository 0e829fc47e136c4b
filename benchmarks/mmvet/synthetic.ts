// MM-Vet writeSynthetic (core/synthetic.ts): LLaVA's llava-mm-vet.jsonl (the raw question: LLaVA/EVE send no
// suffix), the official mm-vet.json (answer with <AND>/<OR> as the item has it, capability tags) and images/,
// as the fixture writes them. question_id = the item id (sample id and official key v1_<id>); the image is
// v1_<id of the first item showing it> with the extension of the encoding its bytes hold (MM-Vet holds .png and .jpg
// images), copied as it is, so items sharing an image share its file, as MM-Vet's 218 questions share 200 images.
// Scoring needs judge grades: without a judge, score() stops with what it needs (the `all` cell reads "needs judge").
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import type { SyntheticSet } from '../../core/synthetic.ts';
import { EXTENSION, ImageCopies, SampleIds, byImage, imageFormat, itemsOf, numericIds, sourceImage, type ItemOf } from '../shared/synthetic.ts';
import { imageDir, llavaRow, officialRecord, writeMmvetFiles } from './data.ts';
import { writeMmvetAnswers } from './fixture.ts';

export async function writeMmvetSynthetic(root: string, set: SyntheticSet): Promise<Map<string, string>> {
  const items = itemsOf(set, 'mmvet');
  const qids = numericIds('mmvet', items);
  const imageOf = byImage(items);
  const copies = new ImageCopies(set);
  const ids = new SampleIds('mmvet');
  const llava: ReturnType<typeof llavaRow>[] = [];
  const official: Record<string, ReturnType<typeof officialRecord>> = {};
  for (const it of items) {
    if (!Array.isArray(it.capability) || it.capability.length === 0 || it.capability.some((c) => typeof c !== 'string')) {
      throw new UserError(`mmvet synthetic set: item ${it.id} needs "capability": a non-empty list of tags`);
    }
    const questionId = qids.get(it.id)!;
    const key = `v1_${questionId}`;
    const image = `v1_${qids.get(imageOf.get(it.image)![0].id)}${EXTENSION[await imageFormat(sourceImage(set, it))]}`;
    ids.add(key, it.id);
    await copies.copy(it, path.join(imageDir(root), image));
    llava.push(llavaRow(questionId, image, it.question));
    official[key] = officialRecord(image, it.capability, it.question, it.answer);
  }
  await writeMmvetFiles(root, llava, official);
  return ids.map;
}

/**
 * The example answer files writeMmvetFixture writes (answers/fixture.jsonl and the grade file grades/FIXTURE_GRADES),
 * for a synthetic set already written by writeMmvetSynthetic: `answer` gives each item's answer and its judge
 * scores (one per run), in the set's order.
 */
export async function writeMmvetSyntheticAnswers(
  root: string,
  set: SyntheticSet,
  answer: (item: ItemOf<'mmvet'>) => { text: string; scores: number[] },
): Promise<void> {
  const items = itemsOf(set, 'mmvet');
  const qids = numericIds('mmvet', items);
  await writeMmvetAnswers(
    root,
    items.map((it) => ({ questionId: qids.get(it.id)!, prompt: it.question, ...answer(it) })),
  );
}
