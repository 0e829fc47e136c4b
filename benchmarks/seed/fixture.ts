// Tiny SEED-Bench-1 in LLaVA's layout: seed_bench/SEED-Bench.json, llava-seed-bench.jsonl,
// SEED-Bench-image/ (cc3m-style names) and SEED-Bench-video-image/ (a middle frame), sharp-generated
// images of varied aspect ratio, and SEED's duplicated question_id "49914".
import { join } from 'node:path';
import { jsonl, writeFlatImage, writeText } from '../shared/fixture-files.ts';
import { OPTION_LETTER } from '../shared/instructions.ts';
import { QUESTION_TYPE } from './read.ts';

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
  const dir = join(root, 'seed_bench');
  const questions: unknown[] = [];
  const llava: unknown[] = [];
  for (const [i, [id, type, dataType, question, choices, answer, [w, h]]] of QUESTIONS.entries()) {
    const dataId = dataType === 'image' ? `${1454426 + i}_${2591111986 + i}.jpg` : `v_fixture_${id}.webm`;
    const rel = dataType === 'image' ? `SEED-Bench-image/${dataId}` : `SEED-Bench-video-image/${type}_${id}.png`;
    await writeFlatImage(join(dir, rel), { width: w, height: h, rgb: [30 * i, 120, 200 - 20 * i], format: dataType === 'image' ? 'jpeg' : 'png' });
    questions.push({
      answer,
      choice_a: choices[0],
      choice_b: choices[1],
      choice_c: choices[2],
      choice_d: choices[3],
      data_id: dataId,
      data_type: dataType,
      question,
      question_id: id,
      question_type_id: type,
      ...(dataType === 'video' ? { segment: [0, 2] } : {}),
    });
    const text = `${question}\n${choices.map((c, j) => `${'ABCD'[j]}. ${c}`).join('\n')}\n${OPTION_LETTER}`;
    llava.push({ image: rel, text, category: Object.keys(QUESTION_TYPE)[type - 1], question_id: id });
  }
  await writeText(join(dir, 'SEED-Bench.json'), JSON.stringify({ questions, question_type: QUESTION_TYPE }, null, 1));
  await writeText(join(dir, 'llava-seed-bench.jsonl'), jsonl(llava));
}
