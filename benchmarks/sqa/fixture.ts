// Tiny ScienceQA test split in the real layout: llava_test_CQM-A.json, problems.json, pid_splits.json
// and images/test/<pid>/image.png (sharp-generated, varied aspect ratios incl. 3:1 and 1:3).
import { join } from 'node:path';
import { writeFlatImage, writeText } from '../shared/fixture-files.ts';

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
  const dir = join(root, 'scienceqa');
  const llava: unknown[] = [];
  const problems: Record<string, unknown> = {};
  for (const [i, p] of PROBLEMS.entries()) {
    const opts = p.choices.map((c, j) => `${String.fromCharCode(65 + j)}. ${c}`).join('\n');
    const body = `${p.hint ? `Context: ${p.hint}\n` : ''}${p.question}\n${opts}`;
    const item: Record<string, unknown> = { id: p.pid };
    if (p.image) {
      item.image = `${p.pid}/image.png`;
      const [width, height] = p.image;
      await writeFlatImage(join(dir, 'images', 'test', p.pid, 'image.png'), { width, height, rgb: [40 * i, 200 - 30 * i, 90], format: 'png' });
    }
    item.conversations = [
      { from: 'human', value: `${p.image ? '<image>\n' : ''}${body}` },
      { from: 'gpt', value: String.fromCharCode(65 + p.answer) },
    ];
    llava.push(item);
    problems[p.pid] = {
      question: p.question,
      choices: p.choices,
      answer: p.answer,
      hint: p.hint,
      image: p.image ? 'image.png' : null,
      task: 'closed choice',
      grade: p.grade,
      subject: p.subject,
      topic: p.topic,
      category: p.topic,
      skill: p.topic,
      lecture: '',
      solution: '',
      split: 'test',
    };
  }
  problems['900'] = { ...(problems['4'] as object), split: 'train' }; // a non-test problem the scorer must ignore
  await writeText(join(dir, 'llava_test_CQM-A.json'), JSON.stringify(llava, null, 2));
  await writeText(join(dir, 'problems.json'), JSON.stringify(problems));
  await writeText(join(dir, 'pid_splits.json'), JSON.stringify({ train: ['900'], val: [], test: PROBLEMS.map((p) => p.pid) }));
}
