// A tiny POPE in the real on-disk layout: LLaVA's question file, three official label files, COCO-named
// images of varied shapes (generated, no downloads) and a LLaVA-style answers file for the tests.
import { join } from 'node:path';
import { jsonl, writeFlatImage, writeText, type Rgb } from '../shared/fixture-files.ts';
import { POPE_SPLITS, SUFFIX, imageDir, labelFile, questionFile } from './data.ts';

/** Flat-colour JPEG with a diagonal band, so files stay a few KB even at 1600 px. */
async function writeImage(file: string, width: number, height: number, rgb: Rgb): Promise<void> {
  const band = `<svg width="${width}" height="${height}"><polygon points="0,0 ${Math.round(width / 3)},0 ${width},${height} ${Math.round((2 * width) / 3)},${height}" fill="rgb(${255 - rgb[0]},${255 - rgb[1]},${255 - rgb[2]})"/></svg>`;
  await writeFlatImage(file, { width, height, rgb, format: 'jpeg', quality: 70, overlay: { input: Buffer.from(band) } });
}

// Wide ~3:1, tall ~1:3, small, and ~1600 px, as the preprocessing tests need.
const IMAGES: Array<[string, number, number, Rgb]> = [
  ['COCO_val2014_000000000001.jpg', 1600, 533, [200, 60, 40]],
  ['COCO_val2014_000000000002.jpg', 180, 540, [40, 120, 200]],
  ['COCO_val2014_000000000003.jpg', 48, 36, [30, 160, 60]],
  ['COCO_val2014_000000000004.jpg', 640, 480, [220, 200, 40]],
];

/** Per split: (image index, object, label, the fixture model's answer). Answers exercise the default-yes rule. */
const ROWS: Record<(typeof POPE_SPLITS)[number], Array<[number, string, 'yes' | 'no', string]>> = {
  adversarial: [
    [0, 'dog', 'yes', 'Yes'],
    [0, 'cat', 'no', 'No'],
    [1, 'car', 'yes', 'There is not a car.'],
    [1, 'bus', 'no', 'NO'],
  ],
  popular: [
    [2, 'person', 'yes', 'Yes, there is a person.'],
    [2, 'chair', 'no', 'no'],
    [3, 'cup', 'yes', 'Yes'],
    [3, 'bottle', 'no', 'No, there is no bottle.'],
  ],
  random: [
    [0, 'kite', 'yes', 'Nope'],
    [1, 'bench', 'no', 'No'],
    [2, 'train', 'yes', 'yes'],
    [3, 'clock', 'no', 'Yes'],
  ],
};

/** One line of a LLaVA/EVE answers file (model_vqa_loader's JSONL), as the example answers file holds it. */
export interface PopeAnswer {
  questionId: number;
  /** The question as the question file's text (with the short-answer suffix). */
  prompt: string;
  text: string;
}

/** The example answers file: pope/answers/fixture.jsonl, LLaVA's answer JSONL, model "fixture". */
export async function writePopeAnswers(root: string, answers: readonly PopeAnswer[]): Promise<void> {
  const lines = answers.map((a) => ({
    question_id: a.questionId,
    prompt: a.prompt,
    text: a.text,
    answer_id: `fx${a.questionId}`,
    model_id: 'fixture',
    metadata: {},
  }));
  await writeText(join(root, 'pope', 'answers', 'fixture.jsonl'), jsonl(lines));
}

export async function writePopeFixture(root: string): Promise<void> {
  for (const [name, w, h, rgb] of IMAGES) await writeImage(join(imageDir(root), name), w, h, rgb);
  const questions: unknown[] = [];
  const answers: PopeAnswer[] = [];
  let qid = 0;
  for (const split of POPE_SPLITS) {
    const labels: unknown[] = [];
    ROWS[split].forEach(([img, obj, label, answer], i) => {
      qid++;
      const image = IMAGES[img][0];
      const text = `Is there a ${obj} in the image?`;
      labels.push({ question_id: i + 1, image, text, label });
      questions.push({ question_id: qid, image, text: text + SUFFIX, category: split });
      answers.push({ questionId: qid, prompt: text + SUFFIX, text: answer });
    });
    await writeText(labelFile(root, split), jsonl(labels));
  }
  await writeText(questionFile(root), jsonl(questions));
  await writePopeAnswers(root, answers);
}
