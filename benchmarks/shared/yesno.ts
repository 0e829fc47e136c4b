// Yes/no extraction, written once for the two benchmarks that need it. The two official rules differ
// on purpose-built edge cases ("NO", "None", "Nope", "Sure, yes"), so both are kept, each exactly as its
// scorer behaves (docs/scoring.md §5 and §6), never "improved". test/fuzz checks both against the official code.
import { pyLower, pyPrefix } from './python.ts';

export type YesNo = 'yes' | 'no';

/**
 * POPE's rule (AoiDragon/POPE evaluate.py, LLaVA eval_pope.py): keep the text before the first '.',
 * delete every ',', split on single spaces; the words 'No', 'not' or 'no' make it "no", anything
 * else is "yes". Default-yes: "NO", "Nope", "None" and "" are all "yes"; "No\nthere is" (newline,
 * no space) is "yes" too, because only single spaces separate words.
 */
export function popeYesNo(text: string): YesNo {
  const firstSentence = text.includes('.') ? text.split('.')[0] : text;
  const words = firstSentence.replaceAll(',', '').split(' ');
  return words.includes('No') || words.includes('not') || words.includes('no') ? 'no' : 'yes';
}

export type MmeLabel = YesNo | 'other';

/**
 * MME's rule (eval_tool/calculation.py parse_pred_ans, applied to response.lower()): exactly "yes" or
 * "no"; else "yes" found in the first 4 characters; else "no" in the first 4 characters; else "other"
 * (counted wrong). So "not sure" and "none" are "no", "Yes." is "yes", "Sure, yes" is "other".
 * Python's lower() and s[:4] on code points: "😀yes" is "yes" (the emoji is one character there), and
 * "İyes" is "other" ("İ".lower() is two characters).
 */
export function mmeYesNo(response: string): MmeLabel {
  const pred = pyLower(response);
  if (pred === 'yes' || pred === 'no') return pred;
  const prefix = pyPrefix(pred, 4);
  if (prefix.includes('yes')) return 'yes';
  if (prefix.includes('no')) return 'no';
  return 'other';
}
