// Synthetic VQAv2 val files the size of the real ones (214,354 questions × 10 answers, 40,504 images),
// in the official layout (v2_OpenEnded_mscoco_val2014_questions.json, v2_mscoco_val2014_annotations.json,
// keys in the official order) plus a LLaVA/EVE answer file, for timing `eve-eval score` against the
// official scorer end to end. The answer vocabulary is chosen to exercise the normalizer (punctuation,
// number words, articles, contractions, digit commas, line breaks), so equal accuracies mean something.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { MSCOCO_QUESTION_TYPES } from '../benchmarks/vqav2/question-types.ts';
import { SUFFIX } from '../benchmarks/vqav2/index.ts';

export const VAL_QUESTIONS = 214_354;
const VAL_IMAGES = 40_504;

const ANSWERS: Record<string, string[]> = {
  'yes/no': ['yes', 'no', 'Yes', 'no.', 'yes!', 'yes ', ' no', 'nope', 'yes, it is', 'not sure'],
  number: ['2', 'two', '3', 'three', '1', 'one', '0', 'none', '10', 'ten', '1,000', '2.5', '3.', '12:30', '50%', 'zero', '4 dogs', '$5', 'about 20', 'several'],
  other: [
    'red',
    'Red.',
    'white',
    'dark red',
    'the cat',
    'cats',
    'a dog',
    "man's hat",
    'on couch',
    'on the couch',
    'tennis',
    'frisbee',
    'black and white',
    'black/white',
    'kitchen',
    't-shirt',
    'red-white',
    'dont know',
    "it's a bus",
    'cant tell',
    'oclock',
    '(left)',
    'mr. smith',
    'u.s.a.',
    'an apple',
    'pizza\n',
    '\tgrass',
    'skate board',
    'skateboarding',
    'baseball bat',
    'giraffe',
    'giraffes',
    'sunny',
    'daytime',
    'day',
    'wood',
    'wooden',
    'blue; white',
    'umbrella',
    'an umbrella',
    'hes running',
    'left',
    'right',
    'green?',
    'yellow!!',
    'orange @ top',
    'surfing',
    'snow',
    'summer',
    'stop',
    'a.m.',
    '#1',
    'e-mail',
    'nikon',
  ],
};
const ANSWER_TYPES = ['yes/no', 'number', 'other'] as const;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A buffered writer: the files are ~200 MB, written in 1 MB pieces. */
function writer(file: string) {
  const out = createWriteStream(file);
  let buf = '';
  return {
    async write(s: string) {
      buf += s;
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await once(out, 'drain');
        buf = '';
      }
    },
    async close() {
      out.end(buf);
      await once(out, 'finish');
    },
  };
}

export interface VqaFiles {
  dataRoot: string;
  questions: string;
  annotations: string;
  /** LLaVA/EVE answer JSONL ({question_id, prompt, text, answer_id, model_id, metadata}), one line per question. */
  answers: string;
}

/** Write the three files under `root` (data root layout: root/vqav2/...). Deterministic. */
export async function writeVqaFiles(root: string, n = VAL_QUESTIONS): Promise<VqaFiles> {
  const dir = join(root, 'vqav2');
  await mkdir(dir, { recursive: true });
  const files: VqaFiles = {
    dataRoot: root,
    questions: join(dir, 'v2_OpenEnded_mscoco_val2014_questions.json'),
    annotations: join(dir, 'v2_mscoco_val2014_annotations.json'),
    answers: join(root, 'answers.jsonl'),
  };
  const rnd = lcg(13);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const q = writer(files.questions);
  const a = writer(files.annotations);
  const p = writer(files.answers);
  await q.write(
    '{"info": {"description": "This is v2.0 of the VQA dataset.", "url": "http://visualqa.org", "version": "2.0", "year": 2017, "contributor": "VQA Team", "date_created": "2017-04-26 17:07:13"}, "task_type": "Open-Ended", "data_type": "mscoco", "license": {"url": "http://creativecommons.org/licenses/by/4.0/", "name": "Creative Commons Attribution 4.0 International License"}, "data_subtype": "val2014", "questions": [',
  );
  await a.write(
    '{"info": {"description": "This is v2.0 of the VQA dataset.", "url": "http://visualqa.org", "version": "2.0", "year": 2017, "contributor": "VQA Team", "date_created": "2017-04-26 17:07:13"}, "license": {"url": "http://creativecommons.org/licenses/by/4.0/", "name": "Creative Commons Attribution 4.0 International License"}, "data_subtype": "val2014", "annotations": [',
  );
  let lastImage = -1;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const imageId = 42 + Math.floor((i * VAL_IMAGES) / n) * 7;
    k = imageId === lastImage ? k + 1 : 0;
    lastImage = imageId;
    const questionId = imageId * 1000 + k;
    const answerType = ANSWER_TYPES[i % 3];
    const questionType =
      answerType === 'yes/no'
        ? pick(['is the', 'is this', 'are the', 'does the', 'is there a'])
        : answerType === 'number'
          ? pick(['how many', 'how many people are in'])
          : pick(MSCOCO_QUESTION_TYPES);
    const question = `${questionType[0].toUpperCase()}${questionType.slice(1)} thing ${i % 997} in the picture?`;
    const vocab = ANSWERS[answerType];
    const main = pick(vocab);
    // Real VQAv2 is mostly agreeing annotators: ~40% unanimous, the rest split.
    const unanimous = rnd() < 0.4;
    const gts = Array.from({ length: 10 }, () => (unanimous || rnd() < 0.65 ? main : pick(vocab)));
    const sep = i === 0 ? '' : ', ';
    await q.write(`${sep}${JSON.stringify({ image_id: imageId, question, question_id: questionId })}`);
    await a.write(
      `${sep}${JSON.stringify({
        question_type: questionType,
        multiple_choice_answer: main,
        answers: gts.map((answer, j) => ({ answer, answer_confidence: pick(['yes', 'yes', 'maybe', 'no']), answer_id: j + 1 })),
        image_id: imageId,
        answer_type: answerType,
        question_id: questionId,
      })}`,
    );
    const r = rnd();
    const text = r < 0.55 ? main : r < 0.7 ? `${main[0]?.toUpperCase() ?? ''}${main.slice(1)}.` : r < 0.9 ? pick(vocab) : `The answer is ${pick(vocab)}`;
    await p.write(
      `${JSON.stringify({ question_id: questionId, prompt: question + SUFFIX, text, answer_id: `a${i}`, model_id: 'llava-v1.5-7b', metadata: {} })}\n`,
    );
  }
  await q.write(']}');
  await a.write('], "data_type": "mscoco"}');
  await Promise.all([q.close(), a.close(), p.close()]);
  return files;
}
