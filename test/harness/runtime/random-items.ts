// Random but reproducible generation requests for the runtime tests: blocky noise pictures of random
// size (so the vision parts see real variation) and prompts drawn from a small word list.
import sharp from 'sharp';
import type { GenerateRequest, GenerateSuccess } from '../../../harness/runtime/model.ts';

export { seededRandom as rng } from '../../../core/prng.ts';

const WORDS = [
  'what',
  'colour',
  'is',
  'the',
  'cat',
  'sign',
  'how',
  'many',
  'people',
  'are',
  'there',
  'in',
  'image',
  'a',
  'red',
  'bus',
  'Answer',
  'with',
  'letter',
  'B.',
  'yes',
  'no',
  '?',
  '\n',
];

export async function randomItem(r: () => number, k: number): Promise<GenerateRequest> {
  const w = 40 + Math.floor(r() * 900);
  const h = 40 + Math.floor(r() * 700);
  const cw = Math.ceil(w / 16);
  const ch = Math.ceil(h / 16);
  const small = Buffer.from(Array.from({ length: cw * ch * 3 }, () => Math.floor(r() * 256)));
  const image = await sharp(small, { raw: { width: cw, height: ch, channels: 3 } })
    .resize(w, h, { kernel: 'nearest' })
    .png()
    .toBuffer();
  const prompt = Array.from({ length: 2 + Math.floor(r() * 10) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
  return { image, source: `random-${k}.png`, prompt, maxNewTokens: 6 + Math.floor(r() * 10) };
}

/** The success result, or a test failure showing the item's error. */
export function ok(x: unknown): GenerateSuccess {
  if (x && typeof x === 'object' && 'error' in x) throw new Error(JSON.stringify(x));
  return x as GenerateSuccess;
}
