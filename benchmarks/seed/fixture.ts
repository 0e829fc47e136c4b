// Tiny SEED-Bench-1 in LLaVA's layout: seed_bench/SEED-Bench.json, llava-seed-bench.jsonl,
// SEED-Bench-image/ (cc3m-style names) and SEED-Bench-video-image/ (a middle frame), sharp-generated
// images of varied aspect ratio, and SEED's duplicated question_id "49914".
import { join } from 'node:path';
import { writeFlatImage } from '../shared/fixture-files.ts';
import { type SeedLayoutQuestion, seedDir, seedImageRel, writeSeedQuestions } from './layout.ts';

type Q = [id: string, type: number, dataType: 'image' | 'video', question: string, choices: string[], answer: string, size: [number, number]];

const QUESTIONS: Q[] = [
  ['101669', 1, 'image', 'What is the overall scene?', ['a beach', 'a forest', 'a city', 'a desert'], 'A', [64, 48]],
  ['101670', 5, 'image', 'How many bars are in the image?', ['One', 'Two', 'Three', 'Four'], 'B', [96, 32]],
  ['49914', 3, 'image', 'What color is the object?', ['red', 'green', 'blue', 'white'], 'C', [32, 96]],
  ['49914', 3, 'image', 'What is the object made of?', ['wood', 'metal', 'glass', 'paper'], 'A', [48, 48]],
  ['101671', 9, 'image', 'What does the sign say?', ['stop', 'go', 'yield', 'exit'], 'D', [80, 60]],
  ['1200', 10, 'video', 'What action is being performed?', ['opening a door', 'closing a box', 'pouring water', 'folding paper'], 'C', [72, 40]],
];

export async function writeSeedFixture(root: string): Promise<void> {
  const list: SeedLayoutQuestion[] = [];
  for (const [i, [id, type, dataType, question, choices, answer, [w, h]]] of QUESTIONS.entries()) {
    const dataId = dataType === 'image' ? `${1454426 + i}_${2591111986 + i}.jpg` : `v_fixture_${id}.webm`;
    const rel = dataType === 'image' ? seedImageRel(dataId) : `SEED-Bench-video-image/${type}_${id}.png`;
    await writeFlatImage(join(seedDir(root), rel), { width: w, height: h, rgb: [30 * i, 120, 200 - 20 * i], format: dataType === 'image' ? 'jpeg' : 'png' });
    list.push({ id, type, dataType, question, choices, answer, dataId, image: rel, ...(dataType === 'video' ? { segment: [0, 2] as [number, number] } : {}) });
  }
  await writeSeedQuestions(root, list);
}
