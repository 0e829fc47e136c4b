// The MME question files as the official release and LLaVA's eval kit lay them out, written from one list of
// subtasks → images → questions: eval_tool/Your_Results/<subtask>.txt (image \t question \t Yes/No), the
// release folder's per-image <stem>.txt (questions_answers_YN/ for nested subtasks) and llava_mme.jsonl. The
// fixture and the synthetic writer both write through it; images are the caller's.
import { join } from 'node:path';
import { jsonl, writeText } from '../shared/fixture-files.ts';
import { OFFICIAL_SUFFIX, SUFFIX, gtDir, llavaFile, releaseDir } from './data.ts';

export interface MmeLayoutImage {
  /** File name in the subtask's image folder. */
  name: string;
  /** The questions without " Please answer yes or no.", in the official list's order. */
  questions: Array<{ question: string; gt: 'Yes' | 'No' }>;
}

export interface MmeLayoutTask {
  subtask: string;
  /** Images under images/ and answers under questions_answers_YN/ (artwork, celebrity, landmark, posters, scene). */
  nested: boolean;
  images: MmeLayoutImage[];
}

/** The release folder's subtasks with images/ and questions_answers_YN/ subfolders; the others keep both side by side. */
export const NESTED_SUBTASKS: readonly string[] = ['artwork', 'celebrity', 'landmark', 'posters', 'scene'];

/** LLaVA's question_id (and image) for an image: <subtask>/[images/]<file>. */
export const mmeLlavaId = (subtask: string, nested: boolean, name: string) => `${subtask}/${nested ? 'images/' : ''}${name}`;

/** Where an image of a subtask goes in the release folder. */
export const mmeImagePath = (root: string, subtask: string, nested: boolean, name: string) => join(releaseDir(root), mmeLlavaId(subtask, nested, name));

/** Writes the official question lists, the release folder's answer files and llava_mme.jsonl (not the images). */
export async function writeMmeQuestions(root: string, tasks: readonly MmeLayoutTask[]): Promise<void> {
  const llava: unknown[] = [];
  for (const { subtask, nested, images } of tasks) {
    const qaDir = nested ? join(releaseDir(root), subtask, 'questions_answers_YN') : join(releaseDir(root), subtask);
    const gtLines: string[] = [];
    for (const img of images) {
      const qa: string[] = [];
      const qid = mmeLlavaId(subtask, nested, img.name);
      for (const { question, gt } of img.questions) {
        const official = question + OFFICIAL_SUFFIX;
        qa.push(`${official}\t${gt}`);
        gtLines.push(`${img.name}\t${official}\t${gt}`);
        llava.push({ question_id: qid, image: qid, text: question + SUFFIX, category: subtask });
      }
      await writeText(join(qaDir, img.name.replace(/\.[^.]+$/, '.txt')), qa.join('\n') + '\n');
    }
    await writeText(join(gtDir(root), `${subtask}.txt`), gtLines.join('\n') + '\n');
  }
  await writeText(llavaFile(root), jsonl(llava));
}
