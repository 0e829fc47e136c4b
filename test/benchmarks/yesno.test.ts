import { describe, expect, it } from 'vitest';
import { mmeYesNo, popeYesNo } from '../../benchmarks/shared/yesno.ts';

describe('POPE yes/no rule (eval_pope.py)', () => {
  it.each([
    ['Yes', 'yes'],
    ['No', 'no'],
    ['no', 'no'],
    ['There is not a car.', 'no'],
    ['No, there is no bottle.', 'no'],
    ['Yes. No cat here.', 'yes'], // only the text before the first '.' counts
    ['NO', 'yes'], // default-yes: upper-case NO is not one of the three words
    ['Nope', 'yes'],
    ['None', 'yes'],
    ['', 'yes'],
    ['No\nthere is none', 'yes'], // split on single spaces only: "No\nthere" is one word
    ['no,', 'no'], // commas dropped before splitting
    ['cannot', 'yes'],
  ])('%j → %s', (text, want) => {
    expect(popeYesNo(text)).toBe(want);
  });
});

describe('MME yes/no rule (calculation.py parse_pred_ans)', () => {
  it.each([
    ['Yes', 'yes'],
    ['NO', 'no'],
    ['Yes.', 'yes'],
    ['not sure', 'no'], // "no" inside the first four characters
    ['none', 'no'],
    ['nope', 'no'],
    ['Sure, yes', 'other'], // "yes" only after the first four characters
    ['y', 'other'],
    ['The answer is yes', 'other'],
    [' yes', 'yes'],
    ['yesterday', 'yes'],
  ])('%j → %s', (text, want) => {
    expect(mmeYesNo(text)).toBe(want);
  });
});
