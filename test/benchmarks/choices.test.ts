import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  canInferOption,
  canInferText,
  circularHit,
  formatOptions,
  mmbenchExtract,
  scienceQaExtract,
  vlmevalkitCanInfer,
} from '../../benchmarks/shared/choices.ts';

describe('MMBench can_infer_option (opencompass eval_mmbench.py)', () => {
  it('takes a lone letter token', () => {
    expect(canInferOption('B')).toBe('B');
    expect(canInferOption('  C\n')).toBe('C');
  });
  it('"A is an article" trap: bare A in a reply of more than 3 tokens is not taken', () => {
    expect(canInferOption('A cat is sitting')).toBeNull();
    // ... but 3 tokens or fewer is still read as the letter
    expect(canInferOption('A cat sits')).toBe('A');
    // the trap only blocks the bare-letter rule; "A." still matches the pattern rule
    expect(canInferOption('A. A cat is sitting')).toBe('A');
    expect(canInferOption('A is the answer')).toBeNull();
    // two bare letters: the bare rule needs exactly one, and no pattern matches
    expect(canInferOption('B is a better answer than A')).toBeNull();
  });
  it('needs exactly one letter per rule', () => {
    expect(canInferOption('B or C')).toBeNull();
    // no bare letter; the "X." pattern is tried before "(X)", so the trailing "C." wins over "(B)"
    expect(canInferOption('(B) is right, not C.')).toBe('C');
  });
  it('tries letters A–E whatever the number of options', () => {
    expect(canInferOption('E')).toBe('E');
  });
  it('patterns in order: "X." before "(X)"', () => {
    expect(canInferOption('Answer: (C)')).toBe('C');
    expect(canInferOption('The answer is D.')).toBe('D');
    expect(canInferOption('answer:B')).toBeNull(); // "answer:B" is one token, not ":B"
    expect(canInferOption('answer :B')).toBe('B');
  });
});

describe('MMBench can_infer_text', () => {
  const opts = { A: 'Red', B: 'Green', C: 'Dark green' };
  it('exactly one option text inside the reply, case-insensitive', () => {
    expect(canInferText('I think it is RED', opts)).toBe('A');
    expect(canInferText('dark green', opts)).toBeNull(); // "green" and "dark green" both match
    expect(canInferText('blue', opts)).toBeNull();
  });
  it('option rule first, text rule second', () => {
    expect(mmbenchExtract('C. red', opts)).toBe('C');
    expect(mmbenchExtract('it is red', opts)).toBe('A');
  });
});

describe('ScienceQA letter rule (LLaVA eval_science_qa.py)', () => {
  it('a bare letter A–E', () => {
    expect(scienceQaExtract('A')).toBe('A');
    expect(scienceQaExtract('E')).toBe('E');
    expect(scienceQaExtract('F')).toBe('FAILED');
    expect(scienceQaExtract('a')).toBe('FAILED');
    expect(scienceQaExtract(' B')).toBe('FAILED'); // no stripping
  });
  it('"X. ..." needs exactly ". " at positions 1–2', () => {
    expect(scienceQaExtract('B. acquired')).toBe('B');
    expect(scienceQaExtract('B.acquired')).toBe('FAILED');
    expect(scienceQaExtract('B.')).toBe('FAILED');
  });
  it('regex "The answer is ([A-Z])." — the dot needs one more character', () => {
    expect(scienceQaExtract('Because of x. The answer is C.')).toBe('C');
    expect(scienceQaExtract('The answer is B')).toBe('FAILED');
    expect(scienceQaExtract('The answer is Bx')).toBe('B'); // unescaped dot: any character
    expect(scienceQaExtract('The answer is B\n')).toBe('FAILED'); // ... but not a newline
    expect(scienceQaExtract('The answer is A. The answer is B.')).toBe('FAILED'); // two matches
    expect(scienceQaExtract('The answer is Z.')).toBe('Z'); // extracted; the scorer then maps it to -1
  });
});

describe('circular evaluation and join check', () => {
  it('a question counts only when every copy is right', () => {
    expect(
      circularHit([
        { gold: 'A', predicted: 'A' },
        { gold: 'C', predicted: 'C' },
      ]),
    ).toBe(true);
    expect(
      circularHit([
        { gold: 'A', predicted: 'A' },
        { gold: 'C', predicted: null },
      ]),
    ).toBe(false);
    expect(
      circularHit([
        { gold: 'A', predicted: 'A' },
        { gold: 'C', predicted: 'B' },
      ]),
    ).toBe(false);
  });
  it('formats options', () => {
    expect(formatOptions(['x', 'y'])).toBe('A. x\nB. y');
  });
});

describe("VLMEvalKit's can_infer (--mmbench-rules vlmevalkit)", () => {
  // Vectors from VLMEvalKit's own matching_util.py (make_vlmevalkit_vectors.py; the file's sha256 is recorded).
  const file = JSON.parse(readFileSync(join(import.meta.dirname, 'vlmevalkit-can-infer.vectors.json'), 'utf8')) as {
    source: { sha256: string };
    optionSets: Array<Record<string, string>>;
    vectors: Array<[string, number, string | null]>;
  };
  it(`matches the original on all ${file.vectors.length} vectors`, () => {
    const wrong = file.vectors.filter(([reply, k, want]) => vlmevalkitCanInfer(reply, { ...file.optionSets[k] }) !== want);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(file.vectors.filter((v) => v[2] !== null).length).toBeGreaterThan(1000);
  });
  it('reads what opencompass\'s rules do not: "**B**", "The answer is C", and Z for a refusal', () => {
    const opts = { A: 'red', B: 'blue', C: 'green', D: 'yellow' };
    expect(mmbenchExtract('**B**', opts)).toBeNull();
    expect(vlmevalkitCanInfer('**B**', opts)).toBe('B');
    expect(vlmevalkitCanInfer('Looking at the picture closely, the correct answer is **C** for sure, it is not red or blue at all', opts)).toBe('C');
    expect(vlmevalkitCanInfer('Cannot determine the answer', opts)).toBe('Z');
  });
});
