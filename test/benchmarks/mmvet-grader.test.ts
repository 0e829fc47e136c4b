// MM-Vet's grader pieces: the reading of a judge reply checked against CPython running the evaluator's own
// expression on 30,000 seeded hostile replies, and the prompt's shape and retry schedule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MMVET_GRADER, mmvetGradingPrompt, mmvetTryTemperature, parseMmvetGrade } from '../../benchmarks/mmvet/grader.ts';
import { seededRandom } from '../../core/prng.ts';
import { pythonSkipReason, runPython } from '../export/python.ts';

const pySkip = pythonSkipReason(['json']);
if (pySkip) console.log(`mmvet-grader: CPython oracle skipped: ${pySkip}`);

const PIECES = [
  '0',
  '1',
  '5',
  '9',
  '.',
  ' ',
  '  ',
  '\n',
  '\t',
  '_',
  'e',
  'E',
  '-',
  '+',
  'nan',
  'inf',
  'Infinity',
  'NaN',
  '０',
  '٣',
  '\u00a0',
  '\u2003',
  '\x1c',
  'x',
  '1.0',
  '0.5',
  '0.',
  '.5',
  'Score:',
  '1e-1',
  '10',
  '٫',
];

function hostile(n: number): string[] {
  const rnd = seededRandom(20261201);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(rnd() * 5);
    let s = '';
    for (let k = 0; k < len; k++) s += PIECES[Math.floor(rnd() * PIECES.length)];
    out.push(s);
  }
  return out;
}

describe('parseMmvetGrade', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'mmvet-grader-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.skipIf(!!pySkip)(
    'reads every reply as the evaluator does (CPython float, split(" ")[0].strip(), range [0, 1])',
    async () => {
      const replies = ['0.5', '1.0', '0.0 ', ' 0.5', '0.5.', '1', '1.1', '-0', '0.3\n\nbecause', 'nan', ...hostile(30_000)];
      const file = join(dir, 'replies.json');
      await writeFile(file, JSON.stringify(replies));
      const oracle = JSON.parse(await runPython(join(import.meta.dirname, 'mmvet_grade_oracle.py'), [file])) as Array<[number | 'nan' | null, string]>;
      let readable = 0;
      for (const [i, reply] of replies.entries()) {
        const [score, word] = oracle[i];
        const ours = parseMmvetGrade(reply);
        if (score === 'nan') {
          expect(ours, JSON.stringify(reply)).toBeNull(); // the one documented divergence: NaN is retried
          continue;
        }
        expect(ours === null ? null : ours.score, JSON.stringify(reply)).toBe(score);
        if (ours) {
          readable++;
          expect(ours.content).toBe(word);
        }
      }
      expect(readable).toBeGreaterThan(1000); // the corpus exercises the accepting side too
    },
    120_000,
  );
});

describe('the grading prompt and retry schedule', () => {
  it('ends with the question row, the ground truth spaced around <AND>/<OR>, and an empty last cell', () => {
    const p = mmvetGradingPrompt('What is x?', '-1<AND>-5', 'x = 3', false);
    expect(p.endsWith('\n\nWhat is x? | -1 <AND> -5 | x = 3 | ')).toBe(true);
    expect(p.startsWith('Compare the ground truth and prediction from AI models')).toBe(true);
    expect(p.split('\n').filter((l) => / \| (0|1)\.\d$/.test(l))).toHaveLength(7); // the seven few-shot rows
    expect(mmvetGradingPrompt('q', 'a<OR>b', 'p', true).endsWith('q | a <OR> b | p | \nPredict the correctness of the answer (digit): ')).toBe(true);
  });
  it('tries five times at temperatures 0, 0, 0.5, 1.0, 1.5 with max_tokens 3', () => {
    expect(Array.from({ length: MMVET_GRADER.tries }, (_, t) => mmvetTryTemperature(t))).toEqual([0, 0, 0.5, 1, 1.5]);
    expect(MMVET_GRADER.maxTokens).toBe(3);
  });
});
