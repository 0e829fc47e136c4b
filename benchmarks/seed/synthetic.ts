// A synthetic set (core/synthetic.ts) in SEED-Bench-1's layout (layout.ts), the one writeFixture writes:
// SEED-Bench.json (image questions, question_id = the item id, data_id = the image's file name),
// llava-seed-bench.jsonl and the images under SEED-Bench-image/, each written once however many items ask about it.
import { join } from 'node:path';
import type { SyntheticSet } from '../../core/synthetic.ts';
import { ImageCopies, answerIndex, itemsOf } from '../shared/synthetic.ts';
import { type SeedLayoutQuestion, seedDir, seedImageRel, writeSeedQuestions } from './layout.ts';

export async function writeSeedSynthetic(root: string, set: SyntheticSet): Promise<Map<string, string>> {
  const items = itemsOf(set, 'seed');
  const list: SeedLayoutQuestion[] = [];
  const ids = new Map<string, string>();
  const copies = new ImageCopies(set);
  for (const item of items) {
    if (item.options.length !== 4) throw new Error(`seed synthetic item ${item.id}: ${item.options.length} options; SEED questions have exactly four`);
    answerIndex(item);
    if (!Number.isInteger(item.question_type_id) || item.question_type_id < 1 || item.question_type_id > 9) {
      throw new Error(`seed synthetic item ${item.id}: question_type_id ${item.question_type_id} is not an image dimension (1-9)`);
    }
    const image = seedImageRel(item.image);
    await copies.copy(item, join(seedDir(root), image));
    list.push({
      id: item.id,
      type: item.question_type_id,
      dataType: 'image',
      question: item.question,
      choices: item.options,
      answer: item.answer,
      dataId: item.image,
      image,
    });
    ids.set(item.id, item.id);
  }
  await writeSeedQuestions(root, list);
  return ids;
}
