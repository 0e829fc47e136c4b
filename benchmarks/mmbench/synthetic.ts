// A synthetic set (core/synthetic.ts) as MMBench's dev TSV (mmbench_dev_20230712.tsv, layout.ts), the file
// writeFixture writes: one row per item, index = the item id, the item's image as base64 in its row (an image
// several items share is embedded in each, as the 20230712 release does). No circular copies are written: each
// item is one question, answered by its `target` letter, so every row is its own circular group. Ids must be
// below 1e6, since the format reads an index i + k·1e6 as the k-th rotated copy of question i.
import { readFile } from 'node:fs/promises';
import type { SyntheticSet } from '../../core/synthetic.ts';
import { pandasIsNa } from '../shared/tsv.ts';
import { answerIndex, itemsOf, numericIds, sourceImage, type ItemOf } from '../shared/synthetic.ts';
import { type MMBenchTsvRow, writeMMBenchTsv } from './layout.ts';
import { llavaIsNone } from './read.ts';

export async function writeMMBenchSynthetic(root: string, set: SyntheticSet): Promise<Map<string, string>> {
  const items = itemsOf(set, 'mmbench');
  // An index of 1e6 or more is read as a circular copy of question index % 1e6 (its credit joins that group).
  const index = numericIds('mmbench', items, 999_999);
  const fail = (item: ItemOf<'mmbench'>, why: string) => new Error(`mmbench synthetic item ${item.id}: ${why}`);
  const bytes = new Map<string, string>();
  const rows: MMBenchTsvRow[] = [];
  const ids = new Map<string, string>();
  for (const item of items) {
    if (item.options.length < 2 || item.options.length > 4) throw fail(item, `${item.options.length} options; the TSV holds 2 to 4 (A-D)`);
    answerIndex(item);
    // What pandas or LLaVA's is_none reads as NaN drops out of the prompt (an option ends the list there).
    for (const o of item.options) if (llavaIsNone(o)) throw fail(item, `option "${o}" would read back as NaN (no option)`);
    if (pandasIsNa(item.question)) throw fail(item, `question "${item.question}" would read back as NaN`);
    if (item.hint !== null && item.hint !== '' && llavaIsNone(item.hint)) throw fail(item, `hint "${item.hint}" would read back as NaN (no hint)`);
    const n = index.get(item.id)!;
    let image = bytes.get(item.image);
    if (image === undefined) {
      image = (await readFile(sourceImage(set, item))).toString('base64');
      bytes.set(item.image, image);
    }
    rows.push({
      index: n,
      question: item.question,
      hint: item.hint === '' ? null : item.hint,
      options: item.options,
      answer: item.answer,
      category: item.category,
      image,
      source: 'synthetic',
      l2category: item.l2_category,
    });
    ids.set(String(n), item.id);
  }
  await writeMMBenchTsv(root, rows);
  return ids;
}
