// A synthetic set (core/synthetic.ts) in ScienceQA's test layout (layout.ts), the one writeFixture writes:
// llava_test_CQM-A.json, problems.json, pid_splits.json (every item in `test`) and images/test/<pid>/image.png,
// pid = the item id. Every item is an image problem (SQA-IMG); the item's skill is written as its topic. The
// format names every image image.png, so a JPEG is re-encoded as PNG (lossless), and an image several items
// share is written into each one's folder.
import type { SyntheticSet } from '../../core/synthetic.ts';
import { ImageCopies, answerIndex, itemsOf } from '../shared/synthetic.ts';
import { type SqaLayoutProblem, sqaImagePath, sqaLlavaItem, sqaProblem, writeSqaFiles } from './layout.ts';

export async function writeSqaSynthetic(root: string, set: SyntheticSet): Promise<Map<string, string>> {
  const items = itemsOf(set, 'sqa');
  const llava: unknown[] = [];
  const problems: Record<string, unknown> = {};
  const ids = new Map<string, string>();
  const copies = new ImageCopies(set);
  for (const item of items) {
    // LLaVA's answer rule reads letters A-E.
    if (item.options.length < 2 || item.options.length > 5)
      throw new Error(`sqa synthetic item ${item.id}: ${item.options.length} options; ScienceQA has 2 to 5`);
    if (item.question.includes('<image>') || item.hint.includes('<image>')) {
      throw new Error(`sqa synthetic item ${item.id}: "<image>" in the text, which the prompt builder removes`);
    }
    const p: SqaLayoutProblem = {
      pid: item.id,
      question: item.question,
      choices: item.options,
      answer: answerIndex(item),
      hint: item.hint,
      hasImage: true,
      subject: item.subject,
      grade: item.grade,
      topic: item.skill,
    };
    // A shared image is encoded once and copied from its first problem's folder.
    await copies.copy(item, sqaImagePath(root, item.id));
    llava.push(sqaLlavaItem(p));
    problems[item.id] = sqaProblem(p);
    ids.set(item.id, item.id);
  }
  await writeSqaFiles(root, llava, problems, { train: [], val: [], test: items.map((it) => it.id) });
  return ids;
}
