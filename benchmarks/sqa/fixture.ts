// Tiny ScienceQA test split in the real layout: llava_test_CQM-A.json, problems.json, pid_splits.json
// and images/test/<pid>/image.png (sharp-generated, varied aspect ratios incl. 3:1 and 1:3).
import { writeFlatImage } from '../shared/fixture-files.ts';
import { sqaImagePath, sqaLlavaItem, sqaProblem, writeSqaFiles } from './layout.ts';

interface FxProblem {
  pid: string;
  question: string;
  choices: string[];
  answer: number;
  hint: string;
  image: [number, number] | null;
  subject: string;
  grade: string;
  topic: string;
}

const PROBLEMS: FxProblem[] = [
  {
    pid: '4',
    question: 'Which figure of speech is used in this text?\nSing, O goddess.',
    choices: ['chiasmus', 'apostrophe'],
    answer: 1,
    hint: '',
    image: null,
    subject: 'language science',
    grade: 'grade11',
    topic: 'figurative-language',
  },
  {
    pid: '5',
    question: 'Which is wider?',
    choices: ['the left bar', 'the right bar', 'neither'],
    answer: 0,
    hint: 'Look at the wide picture.',
    image: [120, 40],
    subject: 'natural science',
    grade: 'grade3',
    topic: 'physics',
  },
  {
    pid: '11',
    question: 'What is the name of the colony shown?',
    choices: ['Maryland', 'New Hampshire', 'Rhode Island', 'Vermont'],
    answer: 1,
    hint: '',
    image: [40, 120],
    subject: 'social science',
    grade: 'grade5',
    topic: 'us-history',
  },
  {
    pid: '15',
    question: 'Which closing is correct for a letter?',
    choices: ['Love,\nZoe', 'love,\nZoe'],
    answer: 0,
    hint: '',
    image: null,
    subject: 'language science',
    grade: 'grade2',
    topic: 'capitalization',
  },
  {
    pid: '22',
    question: 'Which color is shown?',
    choices: ['red', 'orange', 'yellow', 'green', 'blue'],
    answer: 4,
    hint: '',
    image: [64, 48],
    subject: 'natural science',
    grade: 'grade8',
    topic: 'colors',
  },
  {
    pid: '30',
    question: 'Select the solid.',
    choices: ['rock', 'water'],
    answer: 0,
    hint: 'Solids keep their shape.',
    image: [48, 64],
    subject: 'natural science',
    grade: 'grade7',
    topic: 'chemistry',
  },
];

export async function writeSqaFixture(root: string): Promise<void> {
  const llava: unknown[] = [];
  const problems: Record<string, unknown> = {};
  for (const [i, p] of PROBLEMS.entries()) {
    const problem = { ...p, hasImage: p.image !== null };
    if (p.image) {
      const [width, height] = p.image;
      await writeFlatImage(sqaImagePath(root, p.pid), { width, height, rgb: [40 * i, 200 - 30 * i, 90], format: 'png' });
    }
    llava.push(sqaLlavaItem(problem));
    problems[p.pid] = sqaProblem(problem);
  }
  problems['900'] = { ...(problems['4'] as object), split: 'train' }; // a non-test problem the scorer must ignore
  await writeSqaFiles(root, llava, problems, { train: ['900'], val: [], test: PROBLEMS.map((p) => p.pid) });
}
