// Scoring speed: a synthetic VQAv2-val-sized set (214,354 questions × 10 answers) scored by the VQAv2
// adapter exactly as `eve-eval score` would, timed on one core. Target: under 3 s.
import { pathToFileURL } from 'node:url';
import vqav2 from '../benchmarks/vqav2/index.ts';
import type { Answer, Sample } from '../core/benchmark.ts';

const QUESTIONS = 214_354;
const VOCAB = ['yes', 'no', '2', 'two', 'red', 'Red.', 'white', 'dark red', 'the cat', 'cats', '3.', '1,000', "man's hat", 'on couch', 'tennis', 'frisbee', 'Yes', 'none', 'black and white', 'kitchen'];

/** Deterministic pseudo-random generator (no Math.random: the set is the same on every run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export function synthesize(n = QUESTIONS): { samples: Sample[]; answers: Map<string, Answer> } {
  const rnd = lcg(7);
  const pick = () => VOCAB[Math.floor(rnd() * VOCAB.length)];
  const samples: Sample[] = [];
  const answers = new Map<string, Answer>();
  const types = ['yes/no', 'number', 'other'];
  for (let i = 0; i < n; i++) {
    const id = String(i);
    // Mostly agreeing annotators, as in real VQAv2, with a share of unanimous questions.
    const main = pick();
    const gt = Array.from({ length: 10 }, () => (rnd() < 0.7 ? main : pick()));
    samples.push({ id, benchmark: 'vqav2', split: 'val', prompt: 'q', answer: gt, maxNewTokens: 128, meta: { answer_type: types[i % 3], question_type: 'what' } });
    if (rnd() < 0.99) answers.set(id, { id, text: rnd() < 0.6 ? main : pick() + (rnd() < 0.1 ? ' ' + `extra ${i % 5000}` : '') });
  }
  return { samples, answers };
}

export async function main(): Promise<Record<string, number>> {
  const t0 = performance.now();
  const { samples, answers } = synthesize();
  const t1 = performance.now();
  const score = vqav2.score(samples, answers);
  const t2 = performance.now();
  const out = { questions: samples.length, synth_s: (t1 - t0) / 1000, vqav2_val_score_s: (t2 - t1) / 1000, accuracy: score.headline };
  console.log(`vqav2 val-sized scoring: ${out.questions} questions × 10 answers in ${out.vqav2_val_score_s.toFixed(2)} s (accuracy ${out.accuracy})`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
