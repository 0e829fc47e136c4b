import { describe, expect, it } from 'vitest';
import { pyJsonDumps, pyRound2, pySplit, pyStrip } from '../../../benchmarks/shared/python.ts';

describe('Python str.split() / str.strip() with no argument', () => {
  it('splits on Python whitespace, which includes \\x1c-\\x1f and \\x85 but not \\uFEFF', () => {
    expect(pySplit('a\x1cb\u3000c  d')).toEqual(['a', 'b', 'c', 'd']);
    expect(pySplit('a\x85b')).toEqual(['a', 'b']);
    expect(pySplit('a\uFEFFb')).toEqual(['a\uFEFFb']);
    expect(pySplit('  \t ')).toEqual([]);
    expect(pySplit(' x ')).toEqual(['x']);
  });
  it('strips the same set at both ends only', () => {
    expect(pyStrip('\x1f a b \u2028')).toBe('a b');
    expect(pyStrip('\uFEFFa')).toBe('\uFEFFa');
  });
});

describe('round(x, 2) and json.dumps', () => {
  it('rounds exact binary ties to even, unlike toFixed', () => {
    expect(pyRound2(0.125)).toBe(0.12);
    expect(pyRound2(0.375)).toBe(0.38);
    expect(pyRound2(2.675)).toBe(2.67);
  });
  it('spaces separators and escapes non-ASCII like Python', () => {
    expect(pyJsonDumps([{ a: 'x,y:é' }, 1])).toBe('[{"a": "x,y:\\u00e9"}, 1]');
  });
});
