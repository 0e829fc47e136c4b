import { describe, expect, it } from 'vitest';
import {
  evalAIProcess,
  officialNormalize,
  processPunctuation,
  processDigitArticle,
  vizwizNormalize,
  CONTRACTIONS,
} from '../../benchmarks/shared/vqa-normalize.ts';
import { leaveOneOut, officialVqaAccuracy, prepareOfficialGt, textvqaAccuracy, vizwizAccuracy } from '../../benchmarks/shared/vqa-accuracy.ts';
import { pySplit } from '../../benchmarks/shared/python.ts';
import { officialRound } from '../../benchmarks/shared/rounding.ts';

const pyRound2 = (x: number) => officialRound(x, 2);

describe('official VQA normalizer (vqaEval.py @HEAD)', () => {
  it('"3." loses its period, "1.5" keeps it (the look-behind typo)', () => {
    expect(processPunctuation('3.')).toBe('3');
    expect(processPunctuation('1.5')).toBe('1.5');
    expect(processPunctuation('3.14.')).toBe('3.14');
  });
  it('removes at most 32 periods (re.UNICODE passed as count)', () => {
    expect(processPunctuation('.'.repeat(40) + 'x')).toBe('.'.repeat(8) + 'x');
  });
  it('spaces a mark unless it touches a space; a digit-comma-digit anywhere deletes every mark', () => {
    expect(processPunctuation('a-b')).toBe('a b');
    expect(processPunctuation('a - b')).toBe('a  b');
    expect(processPunctuation('red, white')).toBe('red white');
    expect(processPunctuation('1,000')).toBe('1000');
    expect(processPunctuation('x/y 1,2')).toBe('xy 12');
    expect(processPunctuation("man's hat")).toBe("man's hat"); // ' is not in the list
  });
  it('maps number words, drops articles, restores contractions', () => {
    expect(processDigitArticle('The Two dogs')).toBe('2 dogs');
    expect(processDigitArticle('none')).toBe('0');
    expect(processDigitArticle('dont know')).toBe("don't know");
    expect(processDigitArticle('Im here')).toBe('im here'); // capitalised keys never match after lower()
    expect(CONTRACTIONS.get("somebody'd")).toBe('somebodyd');
    expect(officialNormalize('Red.')).toBe('red');
  });
  it('splits on Python whitespace, not JS \\s', () => {
    expect(pySplit('a\u00a0b\ufeffc')).toEqual(['a', 'b\ufeffc']);
  });
});

describe('EvalAI / MMF answer processor', () => {
  it('lower-cases, deletes commas and "?", splits possessives', () => {
    expect(evalAIProcess("Man's hat")).toBe("man 's hat");
    expect(evalAIProcess('Red, White')).toBe('red white');
    expect(evalAIProcess('1,000')).toBe('1000');
    expect(evalAIProcess('What?')).toBe('what');
    expect(evalAIProcess('Two.')).toBe('2');
    expect(evalAIProcess('An Apple\nPie')).toBe('apple pie');
    expect(evalAIProcess('Unanswerable')).toBe('unanswerable');
  });
});

describe('soft accuracy', () => {
  it('scores k matches of 10 as 0, .3, .6, .9, 1', () => {
    const gts = (k: number) => [...Array(k).fill('x'), ...Array(10 - k).fill('y')];
    expect([0, 1, 2, 3, 4].map((k) => Number(leaveOneOut(gts(k), 'x').toFixed(10)))).toEqual([0, 0.3, 0.6, 0.9, 1]);
  });
  it('reproduces docs/scoring.md §0.1 tiny check: HEAD gives 53.33 (unanimous GT is not normalized)', () => {
    const qs: Array<[string, string[]]> = [
      ['Yes', Array(10).fill('yes')],
      ['Red.', [...Array(2).fill('red'), ...Array(8).fill('dark red')]],
      ['the cat', [...Array(5).fill('cat'), ...Array(5).fill('cats')]],
    ];
    const accs = qs.map(([p, g]) => {
      const { stripped, normalized } = prepareOfficialGt(g);
      return officialVqaAccuracy(stripped, normalized, p);
    });
    expect(accs[0]).toBe(0);
    expect(pyRound2((100 * accs.reduce((a, b) => a + b)) / 3)).toBe(53.33);
  });
  it('VizWiz compares GT raw: pred "yes" vs 10×"Yes" is 0, and contractions get a curly apostrophe', () => {
    expect(vizwizAccuracy(Array(10).fill('Yes'), 'yes')).toBe(0);
    expect(vizwizAccuracy(Array(10).fill('yes'), 'Yes.')).toBe(1);
    expect(vizwizNormalize('dont')).toBe('don\u2019t');
    expect(vizwizAccuracy(Array(10).fill("don't"), 'dont')).toBe(0);
  });
  it('TextVQA asserts exactly 10 answers', () => {
    expect(() => textvqaAccuracy(['a'], 'a')).toThrow(/exactly 10/);
  });
  it('rounds like Python round(x, 2): exact binary ties go to even', () => {
    expect(pyRound2(0.125)).toBe(0.12);
    expect(pyRound2(0.375)).toBe(0.38);
    expect(pyRound2(2.675)).toBe(2.67); // binary value is below the tie
    expect(pyRound2(53.333333)).toBe(53.33);
  });
});
