// A tiny MM-Vet in the real on-disk layout: LLaVA's llava-mm-vet.jsonl, the official mm-vet.json, PNG
// images of varied shapes, a LLaVA answers file and an official-evaluator grade file (2 judge runs).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { imageDir, llavaFile, mmvetDir, officialFile } from './data.ts';

const ITEMS: Array<{ q: string; a: string; caps: string[]; size: [number, number]; answer: string; scores: [number, number] }> = [
  { q: 'What is x in the equation?', a: '-1<AND>-5', caps: ['ocr', 'math'], size: [1500, 500], answer: 'x = -1 or x = -5', scores: [1.0, 1.0] },
  { q: 'What is the colour of the car?', a: 'red', caps: ['rec'], size: [150, 450], answer: 'The car is blue.', scores: [0.0, 0.0] },
  { q: 'Which country is this landmark in?', a: 'France', caps: ['rec', 'know'], size: [32, 32], answer: 'France', scores: [1.0, 0.9] },
  { q: 'What is written on the sign?', a: 'STOP<OR>stop', caps: ['ocr', 'rec'], size: [1600, 1200], answer: 'It says stop.', scores: [0.5, 0.6] },
];

export const FIXTURE_GRADES = 'fixture_gpt-4-0613-grade-2runs.json';

export async function writeMmvetFixture(root: string): Promise<void> {
  await mkdir(imageDir(root), { recursive: true });
  await mkdir(join(mmvetDir(root), 'answers'), { recursive: true });
  await mkdir(join(mmvetDir(root), 'grades'), { recursive: true });
  const llava: string[] = [];
  const answers: string[] = [];
  const official: Record<string, unknown> = {};
  const grades: Record<string, unknown> = {};
  for (const [i, it] of ITEMS.entries()) {
    const id = `v1_${i}`;
    await sharp({ create: { width: it.size[0], height: it.size[1], channels: 3, background: { r: 30 + 50 * i, g: 200 - 40 * i, b: 120 } } })
      .png({ compressionLevel: 9 })
      .toFile(join(imageDir(root), `${id}.png`));
    llava.push(JSON.stringify({ image: `${id}.png`, text: it.q, category: 'conv', question_id: i }));
    answers.push(JSON.stringify({ question_id: i, prompt: it.q, text: it.answer, answer_id: 'fx', model_id: 'fixture', metadata: {} }));
    official[id] = { imagename: `${id}.png`, capability: it.caps, question: it.q, answer: it.a };
    grades[id] = { model: ['gpt-4-0613', 'gpt-4-0613'], content: it.scores.map(String), score: it.scores };
  }
  await writeFile(llavaFile(root), llava.join('\n') + '\n');
  await writeFile(officialFile(root), JSON.stringify(official, null, 2) + '\n');
  await writeFile(join(mmvetDir(root), 'answers', 'fixture.jsonl'), answers.join('\n') + '\n');
  await writeFile(join(mmvetDir(root), 'grades', FIXTURE_GRADES), JSON.stringify(grades, null, 4) + '\n');
}
