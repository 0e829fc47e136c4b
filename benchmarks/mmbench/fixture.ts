// Tiny MMBench dev TSV in the real format: 4 base questions with their circular copies (index + k·1e6,
// options rotated, answer re-lettered), base64 PNGs of varied aspect ratio, NaN hints and options.
import { flatImage, type Rgb } from '../shared/fixture-files.ts';
import { MMBENCH_DEV_FILE, type MMBenchTsvRow, writeMMBenchTsv } from './layout.ts';

interface Base {
  question: string;
  hint: string | null;
  options: string[];
  answer: number; // position in options
  category: string;
  l2: string;
  size: [number, number];
  color: Rgb;
}

const BASES: Base[] = [
  {
    question: 'What is the main color of the image?',
    hint: null,
    options: ['red', 'green', 'blue', 'yellow'],
    answer: 0,
    category: 'image_color',
    l2: 'coarse_perception',
    size: [64, 48],
    color: [200, 30, 30],
  },
  {
    question: 'Which shape is this image?',
    hint: 'The image is three times wider than it is tall.',
    options: ['wide', 'tall', 'square'],
    answer: 0,
    category: 'image_style',
    l2: 'coarse_perception',
    size: [96, 32],
    color: [30, 160, 40],
  },
  {
    question: 'Is the image taller than it is wide?',
    hint: null,
    options: ['yes', 'no'],
    answer: 0,
    category: 'spatial_relationship',
    l2: 'relation_reasoning',
    size: [32, 96],
    color: [40, 40, 200],
  },
  {
    question: 'How many colors does the image use?',
    hint: 'Count distinct colors.',
    options: ['one', 'two', 'three', 'four'],
    answer: 0,
    category: 'attribute_recognition',
    l2: 'finegrained_perception (instance-level)',
    size: [40, 40],
    color: [220, 200, 20],
  },
];

export const MMBENCH_FIXTURE_FILE = MMBENCH_DEV_FILE;

export async function writeMMBenchFixture(root: string): Promise<void> {
  const rows: MMBenchTsvRow[] = [];
  const copies: MMBenchTsvRow[] = [];
  for (const [i, b] of BASES.entries()) {
    const png = await flatImage({ width: b.size[0], height: b.size[1], rgb: b.color, format: 'png' });
    const image = png.toString('base64');
    const n = b.options.length;
    for (let k = 0; k < n; k++) {
      // Copy k rotates the options left by k, as the MMBench TSV's circular copies do.
      const options = b.options.map((_, j) => b.options[(j + k) % n]);
      const answer = String.fromCharCode(65 + ((b.answer - k + n) % n));
      const row = {
        index: i + k * 1_000_000,
        question: b.question,
        hint: b.hint,
        options,
        answer,
        category: b.category,
        image,
        source: 'fixture',
        l2category: b.l2,
      };
      (k === 0 ? rows : copies).push(row);
    }
  }
  // Base questions first, then their copies, as in the real dev TSV.
  await writeMMBenchTsv(root, [...rows, ...copies]);
}
