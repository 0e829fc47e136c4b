import { describe, expect, it } from 'vitest';
import { PY_DIGIT, pyFloatRepr, pyJsonDumps, pyLower, pyPrefix, pySplit, pyStringList, pyStrip } from '../../../benchmarks/shared/python.ts';
import { officialRound } from '../../../benchmarks/shared/rounding.ts';

const pyRound2 = (x: number) => officialRound(x, 2);

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

describe('Python str.lower(), \\d, s[:n] and float repr (values printed by CPython 3.11)', () => {
  it("lower() uses CPython's full mappings and final-sigma rule, not Node's ICU", () => {
    expect(pyLower('İ')).toBe('i\u0307');
    expect(pyLower('ΑΣ')).toBe('ας');
    expect(pyLower('ΑΣΑ')).toBe('ασα');
    expect(pyLower('Σ')).toBe('σ');
    expect(pyLower('ΑΣ\u0301')).toBe('ας\u0301'); // a combining mark is case-ignorable
    expect(pyLower('Α.Σ')).toBe('α.ς'); // so is '.'
    expect(pyLower('ǅ')).toBe('ǆ');
    expect(pyLower('\u1c89')).toBe('\u1c89'); // Unicode 16's TJE: JS lower-cases it, Python 3.11 does not
    expect(pyLower('ABC def')).toBe('abc def');
  });
  it('\\d is any Unicode decimal digit of the interpreter', () => {
    const d = new RegExp(`^${PY_DIGIT}$`, 'u');
    expect(['7', '\uff15', '\u0663', '\u0967', '\u{1d7ce}'].every((c) => d.test(c))).toBe(true);
    expect(['²', '½', 'Ⅻ', '\u{11f50}', 'a'].some((c) => d.test(c))).toBe(false); // \u{11f50}: Kawi, Unicode 15
  });
  it('s[:n] counts code points', () => {
    expect(pyPrefix('😀yes', 4)).toBe('😀yes');
    expect(pyPrefix('abcdef', 4)).toBe('abcd');
  });
  it('repr() of floats as print() shows them', () => {
    const cases: Array<[number, string]> = [
      [185, '185.0'],
      [1e-5, '1e-05'],
      [1e16, '1e+16'],
      [0.1 + 0.2, '0.30000000000000004'],
      [-0, '-0.0'],
      [123456789, '123456789.0'],
      [1.5e-7, '1.5e-07'],
      [2.5e20, '2.5e+20'],
      [963.6114445778312, '963.6114445778312'],
      [1e15 + 0.5, '1000000000000000.5'],
    ];
    for (const [x, want] of cases) expect(pyFloatRepr(x)).toBe(want);
  });
});

describe('pyStringList (a repr() of a list of str, as VLMEvalKit stores answer lists)', () => {
  it('reads what Python 3 repr() wrote, quotes and escapes included', () => {
    // repr(['a', "it's", 'say "hi"', 'back\\slash', 'tab\there', 'é', 'x\x7fy', '', 'both \' and "', '😀', 'nl\nx']) in Python 3.11:
    const repr = "['a', \"it's\", 'say \"hi\"', 'back\\\\slash', 'tab\\there', '\u00e9', 'x\\x7fy', '', 'both \\' and \"', '\ud83d\ude00', 'nl\\nx']";
    expect(pyStringList(repr)).toEqual([
      'a',
      "it's",
      'say "hi"',
      'back\\slash',
      'tab\there',
      '\u00e9',
      'x\u007fy',
      '',
      'both \' and "',
      '\ud83d\ude00',
      'nl\nx',
    ]);
    expect(pyStringList(' [] ')).toEqual([]);
    expect(pyStringList("['\\u00e9', '\\U0001f600',]")).toEqual(['é', '😀']);
  });

  it('is null for what is not a list of str literals', () => {
    for (const bad of ['a', "['a'", "['a' 'b']", '[1, 2]', "['a'] x", "['\\x4']", "['\\101']", "'a'", "['a\nb']"]) expect(pyStringList(bad), bad).toBeNull();
  });
});
