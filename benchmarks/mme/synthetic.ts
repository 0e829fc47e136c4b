// A synthetic set (core/synthetic.ts) in MME's real layout, the one writeFixture writes (layout.ts): the release
// folder (MME_Benchmark_release_version/<subtask>/ with each image and its <stem>.txt of "question \t Yes/No"),
// the official eval_tool/Your_Results/<subtask>.txt lists and LLaVA's llava_mme.jsonl. The items asking about one
// image (in one category) are that image's MME pair: exactly two, one "Yes" and one "No", as calculation.py's
// acc+ assumes.
import { extname } from 'node:path';
import type { SyntheticSet } from '../../core/synthetic.ts';
import { ImageCopies, byImage, itemsOf, type ItemOf } from '../shared/synthetic.ts';
import { SUBTASKS } from './data.ts';
import { writeMmeAnswers, type MmeAnswers } from './fixture.ts';
import { NESTED_SUBTASKS, mmeImagePath, mmeLlavaId, writeMmeQuestions, type MmeLayoutTask } from './layout.ts';

/** Images keep the set's file names (MME's own are arbitrary: COCO ids, 0001.png ...). */
export async function writeMmeSynthetic(root: string, set: SyntheticSet): Promise<Map<string, string>> {
  const items = itemsOf(set, 'mme');
  const fail = (item: ItemOf<'mme'>, why: string) => new Error(`mme synthetic item ${item.id}: ${why}`);
  for (const item of items) {
    if (!SUBTASKS.includes(item.category)) throw fail(item, `unknown MME category "${item.category}"`);
    if (!/^(yes|no)$/i.test(item.answer)) throw fail(item, `answer must be Yes or No, got "${item.answer}"`);
    // One line of a tab-separated file holds the question.
    if (/[\t\n\r]/.test(item.question)) throw fail(item, "the question holds a tab or a line break, which MME's tab-separated lists cannot");
    if (!/\.(png|jpe?g)$/i.test(item.image)) throw fail(item, `image "${item.image}" is not named .png/.jpg/.jpeg, as MME's release folder needs`);
  }
  const copies = new ImageCopies(set);
  const ids = new Map<string, string>();
  const tasks: MmeLayoutTask[] = [];
  for (const subtask of SUBTASKS) {
    const nested = NESTED_SUBTASKS.includes(subtask);
    const stems = new Map<string, string>();
    const images: MmeLayoutTask['images'] = [];
    for (const [name, pair] of byImage(items.filter((it) => it.category === subtask))) {
      const answers = pair.map((it) => it.answer.toLowerCase()).sort();
      if (pair.length !== 2 || answers[0] !== 'no' || answers[1] !== 'yes') {
        throw fail(
          pair[0],
          `${subtask} image ${name} has ${pair.length} question(s) (${answers.join(', ')}); MME asks exactly two per image, one Yes and one No`,
        );
      }
      if (pair[0].question === pair[1].question) throw fail(pair[1], `asks item ${pair[0].id}'s question about the same image`);
      const stem = name.slice(0, -extname(name).length);
      const other = stems.get(stem);
      if (other !== undefined) throw fail(pair[0], `images ${other} and ${name} would share the answer file ${stem}.txt`);
      stems.set(stem, name);
      await copies.copy(pair[0], mmeImagePath(root, subtask, nested, name));
      images.push({ name, questions: pair.map((it) => ({ question: it.question, gt: it.answer.toLowerCase() === 'yes' ? 'Yes' : 'No' })) });
      // load() ids a question <llava question_id>#<its order among the image's questions>.
      pair.forEach((it, k) => ids.set(`${mmeLlavaId(subtask, nested, name)}#${k + 1}`, it.id));
    }
    if (images.length > 0) tasks.push({ subtask, nested, images });
  }
  await writeMmeQuestions(root, tasks);
  return ids;
}

/**
 * The example answer files writeMmeFixture writes (the official results folder eval_tool/fixture_results/ and
 * LLaVA's answers/fixture.jsonl), for a synthetic set already written by writeMmeSynthetic: `text` gives each
 * item's answer, in the official lists' order.
 */
export async function writeMmeSyntheticAnswers(root: string, set: SyntheticSet, text: (item: ItemOf<'mme'>) => string): Promise<void> {
  const items = itemsOf(set, 'mme');
  const tasks: MmeAnswers[] = [];
  for (const subtask of SUBTASKS) {
    const images: MmeAnswers['images'] = [];
    for (const [name, pair] of byImage(items.filter((it) => it.category === subtask))) {
      images.push({
        name,
        questions: pair.map((it) => ({ question: it.question, gt: it.answer.toLowerCase() === 'yes' ? 'Yes' : 'No', response: text(it) })),
      });
    }
    if (images.length > 0) tasks.push({ subtask, nested: NESTED_SUBTASKS.includes(subtask), images });
  }
  await writeMmeAnswers(root, tasks);
}
