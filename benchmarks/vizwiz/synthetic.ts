// VizWiz writeSynthetic (core/synthetic.ts): the val split as the official val.json holds it (10 answers,
// answer_type, answerable: scored locally) and val/ images, as the fixture writes them. The prompt's
// "respond with 'Unanswerable'" instruction is not in val.json: load() adds it to every question, as LLaVA's
// prompt carries it. The val scorer keys questions by image file name, so each item gets its own image,
// VizWiz_val_<item id, 8 digits>.jpg, even where items share a source image (copied once per item); a PNG item
// image is re-encoded to JPEG (quality 95).
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import type { SyntheticSet } from '../../core/synthetic.ts';
import { ImageCopies, SampleIds, itemsOf, tenAnswers } from '../shared/synthetic.ts';
import { DIR, valImageName, valRecord, writeValFile } from './format.ts';

export async function writeVizwizSynthetic(root: string, set: SyntheticSet): Promise<Map<string, string>> {
  const items = itemsOf(set, 'vizwiz');
  const d = path.join(root, DIR);
  const copies = new ImageCopies(set);
  const ids = new SampleIds('vizwiz');
  const rows: ReturnType<typeof valRecord>[] = [];
  for (const it of items) {
    if ((it.answerable !== 0 && it.answerable !== 1) || typeof it.answer_type !== 'string') {
      throw new UserError(`vizwiz synthetic set: item ${it.id} needs "answerable" (0 or 1) and "answer_type"`);
    }
    const image = valImageName(it.id);
    // "01" and "1" would both be VizWiz_val_00000001.jpg: SampleIds refuses the second.
    ids.add(image, it.id);
    await copies.copy(it, path.join(d, 'val', image));
    rows.push(valRecord({ image, question: it.question, answers: tenAnswers('vizwiz', it), answerType: it.answer_type, answerable: it.answerable }));
  }
  await writeValFile(d, rows);
  return ids.map;
}
