// GQA writeSynthetic (core/synthetic.ts): LLaVA's llava_gqa_testdev_balanced.jsonl (the prompts load() reads),
// the official testdev_balanced_questions.json (ground truth, types, groups) and images/<imageId>.jpg, as the
// fixture writes them. questionId = the item id; imageId (a string in GQA) = the id of the first item showing
// the image, so items on one image share it and its file. A PNG item image is re-encoded to JPEG (quality 95).
// The items carry no semantic program: `semantic` is [] (eval.py reads it; the steps breakdown then reads 0
// steps for every question). The global group (eval.py's distribution metric) is the item's skill for open
// ("query") questions and null for binary ones, as GQA leaves binary questions out of it.
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import type { SyntheticSet } from '../../core/synthetic.ts';
import { ImageCopies, SampleIds, byImage, itemsOf } from '../shared/synthetic.ts';
import { DIR, llavaRow, questionRecord, writeGqaFiles } from './format.ts';

export async function writeGqaSynthetic(root: string, set: SyntheticSet): Promise<Map<string, string>> {
  const items = itemsOf(set, 'gqa');
  const d = path.join(root, DIR);
  const imageOf = byImage(items);
  const copies = new ImageCopies(set);
  const ids = new SampleIds('gqa');
  const questions: Record<string, unknown> = {};
  const llava: unknown[] = [];
  for (const it of items) {
    const t = it.types;
    if (typeof t?.structural !== 'string' || typeof t.semantic !== 'string' || typeof t.detailed !== 'string') {
      throw new UserError(`gqa synthetic set: item ${it.id} needs "types": {structural, semantic, detailed}`);
    }
    const imageId = imageOf.get(it.image)![0].id;
    const image = `${imageId}.jpg`;
    await copies.copy(it, path.join(d, 'images', image));
    questions[it.id] = questionRecord({
      questionId: it.id,
      question: it.question,
      answer: it.answer,
      imageId,
      types: it.types,
      ops: [],
      globalGroup: it.types.structural === 'query' ? it.skill : null,
    });
    llava.push(llavaRow(it.id, image, it.question));
    ids.add(it.id, it.id);
  }
  await writeGqaFiles(d, questions, llava);
  return ids.map;
}
