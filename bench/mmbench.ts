// MMBench scoring speed on synthetic circular sets the size of dev 20230712 (4,377 rows, 1,176 base
// questions) and of a ~20k-row set, with a realistic mix of replies (letters, "The answer is X.",
// option text, unparseable). Also times streaming the 20k set back from a TSV (images dropped).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import mmbench from '../benchmarks/mmbench/index.ts';
import type { Answer, Sample } from '../core/benchmark.ts';

const WORDS = ['red', 'green', 'blue', 'cat', 'dog', 'tree', 'car', 'left', 'right', 'above', 'below', 'two', 'three', 'happy', 'sad'];

// Deterministic PRNG so figures are comparable between runs.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

interface Synthetic {
  samples: Sample[];
  answers: Map<string, Answer>;
  tsv: string[];
}

/** `bases` base questions with 2–4 options each, every circular copy, and one reply per row. */
export function synthesize(bases: number, seed = 1): Synthetic {
  const rand = rng(seed);
  const samples: Sample[] = [];
  const answers = new Map<string, Answer>();
  const tsv = ['index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\timage\tsource\tl2-category\tcomment\tsplit'];
  for (let q = 0; q < bases; q++) {
    // Dev 20230712 averages 3.72 rows per base question: mostly 4 options, some 2 or 3.
    const r = rand();
    const n = r < 0.78 ? 4 : r < 0.944 ? 3 : 2;
    const opts = Array.from({ length: n }, (_, j) => `${WORDS[(q + j * 5) % WORDS.length]} ${q}-${j}`);
    const gold = Math.floor(rand() * n);
    for (let k = 0; k < n; k++) {
      const rot = opts.map((_, j) => opts[(j + k) % n]);
      const letter = String.fromCharCode(65 + ((gold - k + n) % n));
      const index = q + k * 1_000_000;
      const id = String(index);
      const meta = {
        index,
        group: q,
        category: `cat${q % 20}`,
        l2category: `l2_${q % 6}`,
        source: 'bench',
        tsvSplit: 'dev',
        question: `Question ${q}?`,
        optA: rot[0] ?? null,
        optB: rot[1] ?? null,
        optC: rot[2] ?? null,
        optD: rot[3] ?? null,
      };
      samples.push({ id, benchmark: 'mmbench', split: 'dev', prompt: '', choices: rot, answer: letter, maxNewTokens: 1024, meta });
      const p = rand();
      const right = p < 0.8;
      const shown = right ? letter : String.fromCharCode(65 + ((letter.charCodeAt(0) - 65 + 1) % n));
      const text =
        p < 0.5 || (p >= 0.8 && p < 0.9)
          ? shown
          : p < 0.65
            ? `The answer is ${shown}.`
            : p < 0.75
              ? `I think it is ${rot[shown.charCodeAt(0) - 65]}`
              : p < 0.8
                ? `${shown}. ${rot[shown.charCodeAt(0) - 65]}`
                : 'A cat is sitting on the mat, hard to say';
      answers.set(id, { id, text });
      tsv.push([id, meta.question, '', ...[0, 1, 2, 3].map((j) => rot[j] ?? ''), letter, meta.category, '', 'bench', meta.l2category, '', 'dev'].join('\t'));
    }
  }
  return { samples, answers, tsv };
}

function time<T>(fn: () => T, repeat: number): { ms: number; result: T } {
  fn(); // warm-up
  const t0 = process.hrtime.bigint();
  let result!: T;
  for (let i = 0; i < repeat; i++) result = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6 / repeat, result };
}

export async function main(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const [name, bases] of [
    ['dev', 1176],
    ['20k', 5400],
  ] as const) {
    const { samples, answers, tsv } = synthesize(bases);
    const { ms, result } = time(() => mmbench.score(samples, answers), 5);
    figures[`mmbench.${name}.rows`] = samples.length;
    figures[`mmbench.${name}.score_ms`] = ms;
    console.log(
      `mmbench ${name}: ${samples.length} rows / ${bases} questions scored in ${ms.toFixed(1)} ms (circular ${result.headline.toFixed(2)}, failed extractions ${result.counts.failedExtraction})`,
    );
    if (name === '20k') {
      // Streaming read of the same rows from a TSV (no images): the load path `score` takes.
      const dir = await mkdtemp(join(tmpdir(), 'bench-mmb-'));
      await mkdir(join(dir, 'mmbench'));
      await writeFile(join(dir, 'mmbench', 'mmbench_dev_20230712.tsv'), tsv.join('\n') + '\n');
      const t0 = process.hrtime.bigint();
      let n = 0;
      for await (const _ of mmbench.load(dir, { images: false })) n++;
      const readMs = Number(process.hrtime.bigint() - t0) / 1e6;
      await rm(dir, { recursive: true });
      figures[`mmbench.${name}.read_ms`] = readMs;
      console.log(`mmbench ${name}: ${n} TSV rows streamed and prompts built in ${readMs.toFixed(1)} ms`);
    }
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
