// A tiny MME in the real on-disk layout: LLaVA's llava_mme.jsonl, the official eval_tool/Your_Results
// question lists, release-version images (one subtask under images/ with questions_answers_YN/, as
// artwork/celebrity/... are), an official-format results folder and a LLaVA answers file for the tests.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { OFFICIAL_SUFFIX, SUFFIX, gtDir, llavaFile, mmeDir, releaseDir } from './data.ts';

async function writeImage(file: string, width: number, height: number, rgb: [number, number, number], format: 'png' | 'jpg'): Promise<void> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  await (format === 'png' ? img.png({ compressionLevel: 9 }) : img.jpeg({ quality: 70 })).toFile(file);
}

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
      { name: '000000000101.jpg', size: [1600, 520], questions: [['Is there a dog in this image?', 'Yes', 'Yes'], ['Is there a cat in this image?', 'No', 'No']] },
      { name: '000000000102.jpg', size: [160, 480], questions: [['Is there a car in this image?', 'Yes', 'Yes, there is.'], ['Is there a boat in this image?', 'No', 'Yes']] },
    ],
  },
  {
    subtask: 'artwork',
    nested: true,
    images: [
      { name: '10001.jpg', size: [40, 30], questions: [['Is this artwork created by Monet?', 'Yes', 'yes'], ['Is this artwork created by Dali?', 'No', 'not sure']] },
      { name: '10002.jpg', size: [800, 800], questions: [['Is this artwork titled Sunrise?', 'Yes', 'Sure, yes'], ['Is this artwork titled Night?', 'No', 'None']] },
    ],
  },
  {
    subtask: 'code_reasoning',
    nested: false,
    images: [
      { name: '0001.png', size: [600, 200], questions: [['Is a python code shown in the picture?', 'Yes', 'Yes'], ['Is a c++ code shown in the picture?', 'No', 'No']] },
      { name: '0002.png', size: [200, 620], questions: [["Is the output of the code '7'?", 'Yes', 'No'], ["Is the output of the code '8'?", 'No', 'No']] },
    ],
  },
];

export async function writeMmeFixture(root: string): Promise<void> {
  await mkdir(gtDir(root), { recursive: true });
  const resultsDir = join(mmeDir(root), 'eval_tool', 'fixture_results');
  await mkdir(resultsDir, { recursive: true });
  await mkdir(join(mmeDir(root), 'answers'), { recursive: true });
  const llava: string[] = [];
  const answers: string[] = [];
  let colour = 0;
  for (const { subtask, nested, images } of TASKS) {
    const dir = join(releaseDir(root), subtask);
    const imgDir = nested ? join(dir, 'images') : dir;
    const qaDir = nested ? join(dir, 'questions_answers_YN') : dir;
    await mkdir(imgDir, { recursive: true });
    await mkdir(qaDir, { recursive: true });
    const gtLines: string[] = [];
    const resultLines: string[] = [];
    for (const img of images) {
      colour += 40;
      await writeImage(join(imgDir, img.name), img.size[0], img.size[1], [colour % 256, (colour * 3) % 256, 90], img.name.endsWith('.png') ? 'png' : 'jpg');
      const qa: string[] = [];
      for (const [question, gt, response] of img.questions) {
        const official = question + OFFICIAL_SUFFIX;
        qa.push(`${official}\t${gt}`);
        gtLines.push(`${img.name}\t${official}\t${gt}`);
        resultLines.push(`${img.name}\t${official}\t${gt}\t${response}`);
        const qid = `${subtask}/${nested ? 'images/' : ''}${img.name}`;
        llava.push(JSON.stringify({ question_id: qid, image: qid, text: question + SUFFIX, category: subtask }));
        answers.push(JSON.stringify({ question_id: qid, prompt: question + SUFFIX, text: response, answer_id: 'fx', model_id: 'fixture', metadata: {} }));
      }
      await writeFile(join(qaDir, img.name.replace(/\.[^.]+$/, '.txt')), qa.join('\n') + '\n');
    }
    await writeFile(join(gtDir(root), `${subtask}.txt`), gtLines.join('\n') + '\n');
    await writeFile(join(resultsDir, `${subtask}.txt`), resultLines.join('\n') + '\n');
  }
  await writeFile(llavaFile(root), llava.join('\n') + '\n');
  await writeFile(join(mmeDir(root), 'answers', 'fixture.jsonl'), answers.join('\n') + '\n');
}
