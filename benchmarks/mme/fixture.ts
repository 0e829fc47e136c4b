// A tiny MME in the real on-disk layout: LLaVA's llava_mme.jsonl, the official eval_tool/Your_Results
// question lists, release-version images (one subtask under images/ with questions_answers_YN/, as
// artwork/celebrity/... are), an official-format results folder and a LLaVA answers file for the tests.
import { join } from 'node:path';
import { jsonl, writeFlatImage, writeText } from '../shared/fixture-files.ts';
import { OFFICIAL_SUFFIX, SUFFIX, mmeDir } from './data.ts';
import { mmeImagePath, mmeLlavaId, writeMmeQuestions } from './layout.ts';

type Q = [question: string, gt: 'Yes' | 'No', response: string];
interface Img {
  name: string;
  size: [number, number];
  questions: [Q, Q];
}
// existence/code_reasoning keep images beside their txt; artwork uses images/ + questions_answers_YN/.
const TASKS: Array<{ subtask: string; nested: boolean; images: Img[] }> = [
  {
    subtask: 'existence',
    nested: false,
    images: [
      {
        name: '000000000101.jpg',
        size: [1600, 520],
        questions: [
          ['Is there a dog in this image?', 'Yes', 'Yes'],
          ['Is there a cat in this image?', 'No', 'No'],
        ],
      },
      {
        name: '000000000102.jpg',
        size: [160, 480],
        questions: [
          ['Is there a car in this image?', 'Yes', 'Yes, there is.'],
          ['Is there a boat in this image?', 'No', 'Yes'],
        ],
      },
    ],
  },
  {
    subtask: 'artwork',
    nested: true,
    images: [
      {
        name: '10001.jpg',
        size: [40, 30],
        questions: [
          ['Is this artwork created by Monet?', 'Yes', 'yes'],
          ['Is this artwork created by Dali?', 'No', 'not sure'],
        ],
      },
      {
        name: '10002.jpg',
        size: [800, 800],
        questions: [
          ['Is this artwork titled Sunrise?', 'Yes', 'Sure, yes'],
          ['Is this artwork titled Night?', 'No', 'None'],
        ],
      },
    ],
  },
  {
    subtask: 'code_reasoning',
    nested: false,
    images: [
      {
        name: '0001.png',
        size: [600, 200],
        questions: [
          ['Is a python code shown in the picture?', 'Yes', 'Yes'],
          ['Is a c++ code shown in the picture?', 'No', 'No'],
        ],
      },
      {
        name: '0002.png',
        size: [200, 620],
        questions: [
          ["Is the output of the code '7'?", 'Yes', 'No'],
          ["Is the output of the code '8'?", 'No', 'No'],
        ],
      },
    ],
  },
];

/** A subtask's answered questions, as the example answer files hold them. */
export interface MmeAnswers {
  subtask: string;
  nested: boolean;
  images: Array<{ name: string; questions: Array<{ question: string; gt: 'Yes' | 'No'; response: string }> }>;
}

/**
 * The example answer files: the official results folder (MME/eval_tool/fixture_results/<subtask>.txt, "image \t
 * question \t gt \t response", as calculation.py reads Your_Results filled in) and LLaVA's answer JSONL
 * (MME/answers/fixture.jsonl), model "fixture".
 */
export async function writeMmeAnswers(root: string, tasks: readonly MmeAnswers[]): Promise<void> {
  const resultsDir = join(mmeDir(root), 'eval_tool', 'fixture_results');
  const answers: unknown[] = [];
  for (const { subtask, nested, images } of tasks) {
    const resultLines: string[] = [];
    for (const img of images) {
      for (const { question, gt, response } of img.questions) {
        resultLines.push(`${img.name}\t${question}${OFFICIAL_SUFFIX}\t${gt}\t${response}`);
        const qid = mmeLlavaId(subtask, nested, img.name);
        answers.push({ question_id: qid, prompt: question + SUFFIX, text: response, answer_id: 'fx', model_id: 'fixture', metadata: {} });
      }
    }
    await writeText(join(resultsDir, `${subtask}.txt`), resultLines.join('\n') + '\n');
  }
  await writeText(join(mmeDir(root), 'answers', 'fixture.jsonl'), jsonl(answers));
}

export async function writeMmeFixture(root: string): Promise<void> {
  let colour = 0;
  for (const { subtask, nested, images } of TASKS) {
    for (const img of images) {
      colour += 40;
      const [width, height] = img.size;
      const rgb: [number, number, number] = [colour % 256, (colour * 3) % 256, 90];
      const format = img.name.endsWith('.png') ? 'png' : 'jpeg';
      await writeFlatImage(mmeImagePath(root, subtask, nested, img.name), { width, height, rgb, format, quality: 70, compressionLevel: 9 });
    }
  }
  await writeMmeQuestions(
    root,
    TASKS.map(({ subtask, nested, images }) => ({
      subtask,
      nested,
      images: images.map(({ name, questions }) => ({ name, questions: questions.map(([question, gt]) => ({ question, gt })) })),
    })),
  );
  await writeMmeAnswers(
    root,
    TASKS.map(({ subtask, nested, images }) => ({
      subtask,
      nested,
      images: images.map(({ name, questions }) => ({ name, questions: questions.map(([question, gt, response]) => ({ question, gt, response })) })),
    })),
  );
}
