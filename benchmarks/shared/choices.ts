// Multiple-choice pieces shared by MMBench, SEED-Bench and ScienceQA-IMG: option formatting,
// the letter-extraction rules of the official scorers (each reproduced with its quirks), circular
// evaluation. Written once so the three adapters cannot drift apart.
import { PY_SPACE, pyLower, pySplit } from './python.ts';

export const LETTERS = ['A', 'B', 'C', 'D', 'E'] as const;

/** "A. first\nB. second" — the option block every LLaVA MC prompt uses. */
export function formatOptions(options: string[]): string {
  return options.map((o, i) => `${String.fromCharCode(65 + i)}. ${o}`).join('\n');
}

// The token patterns of can_infer_option, in the order the original tries them: [prefix, suffix].
const OPTION_PATTERNS: Array<[string, string]> = [
  ['', '.'],
  ['', ','],
  ['', ':'],
  ['', ')'],
  ['', ').'],
  ['(', ')'],
  ['(', ').'],
  [':', ''],
  [':', ','],
  [':', '.'],
  [':', ')'],
  [':', ').'],
];

/**
 * MMBench's can_infer_option (open-compass/opencompass @6ca2be6 tools/eval_mmbench.py): looks for a
 * lone option letter among the whitespace tokens. Quirks kept: letters A–E are tried whatever the
 * number of options; a bare "A" in a reply of more than 3 tokens may be the article, so the bare-letter
 * rule is abandoned (the patterns "A." etc. still apply); each rule needs exactly one letter.
 */
export function canInferOption(answer: string): string | null {
  if (answer.includes('Failed to obtain answer via API')) return null;
  const tokens = new Set(pySplit(answer));
  const count = (pre: string, suf: string) => LETTERS.filter((c) => tokens.has(pre + c + suf)).length;
  if (count('', '') === 1) {
    const articleTrap = tokens.has('A') && pySplit(answer).length > 3;
    if (!articleTrap) return LETTERS.find((c) => tokens.has(c))!;
  }
  for (const [pre, suf] of OPTION_PATTERNS) {
    if (count(pre, suf) === 1) return LETTERS.find((c) => tokens.has(pre + c + suf))!;
  }
  return null;
}

/**
 * MMBench's can_infer_text: exactly one option text (lower-cased) is a substring of the lower-cased
 * reply. `options` maps letter → text for every non-NaN option A–D (the scorer's build_choices).
 */
export function canInferText(answer: string, options: Record<string, string>): string | null {
  const lower = pyLower(answer);
  const hits = Object.keys(options).filter((k) => lower.includes(pyLower(String(options[k]))));
  return hits.length === 1 ? hits[0] : null;
}

/**
 * MMBench's can_infer without the GPT fallback: option rule, then text rule. Where the original would
 * ask gpt-3.5 (and finally pick at random), eve-eval returns null and the row counts as a failed
 * extraction, scored wrong — VLMEvalKit's `exact_matching` behaviour; deterministic and judge-free.
 */
export function mmbenchExtract(answer: string, options: Record<string, string>): string | null {
  return canInferOption(answer) ?? canInferText(answer, options);
}

/** VLMEvalKit's answers that refuse the question: read as 'Z' (no option, scored wrong). */
const VLMEVALKIT_REFUSALS = [
  "Sorry, I can't help with images of people yet.",
  "I can't process this file.",
  "I'm sorry, but without the image provided",
  'Cannot determine the answer',
];
/** VLMEvalKit's _VERBOSE_ANSWER_RE: "The correct answer is **B**", case-insensitive, Python's \s. */
const VLMEVALKIT_VERBOSE = new RegExp(`(?:correct${PY_SPACE}+)?answer${PY_SPACE}+is${PY_SPACE}+\\**([ABCD])\\**`, 'iu');

/**
 * VLMEvalKit's can_infer (open-compass/VLMEvalKit @e8e78f0 vlmeval/utils/matching_util.py), its default
 * (non-verbose) path. Option rule: the characters .()[],:;!*#{} become spaces; exactly one option letter among
 * the tokens is the answer when it is among the last five tokens ("**B**" reads B, where opencompass's rules
 * read nothing); a lone "Z" token, or a refusal phrase, reads 'Z'; else "answer is B" anywhere. Text rule: a
 * reply at most twice as long as all option texts together that contains exactly one of them (lower-cased).
 * `options` maps letter → text for the options present, in letter order (build_choices).
 */
export function vlmevalkitCanInfer(answer: string, options: Record<string, string>): string | null {
  return vlmevalkitOption(answer, options) ?? vlmevalkitText(answer, options);
}

function vlmevalkitOption(answer: string, options: Record<string, string>): string | null {
  if (answer.includes('Failed to obtain answer via API')) return null;
  if (VLMEVALKIT_REFUSALS.some((r) => answer.includes(r))) return 'Z';
  let spaced = answer;
  for (const c of '.()[],:;!*#{}') spaced = spaced.replaceAll(c, ' ');
  const tokens = pySplit(spaced);
  const present = new Set(tokens);
  const letters = Object.keys(options);
  const count = letters.filter((c) => present.has(c)).length;
  if (count === 1) {
    const letter = letters.find((c) => present.has(c))!;
    if (tokens.indexOf(letter) > tokens.length - 5) return letter;
  } else if (count === 0 && present.has('Z')) return 'Z';
  const m = VLMEVALKIT_VERBOSE.exec(answer);
  const verbose = m ? m[1].toUpperCase() : undefined;
  return verbose !== undefined && verbose in options ? verbose : null;
}

function vlmevalkitText(answer: string, options: Record<string, string>): string | null {
  const len = (s: string) => Array.from(s).length; // Python's len: code points
  const budget = 2 * Object.values(options).reduce((n, v) => n + len(String(v)), 0);
  if (len(pyLower(answer)) > budget) return null;
  return canInferText(answer, options);
}

/**
 * LLaVA's eval_science_qa.py letter rule: the reply is itself a letter A–E; or "X. ..." with X in A–E
 * and exactly ". " at positions 1–2; or exactly one match of the regex `The answer is ([A-Z]).` — whose
 * unescaped dot needs one more character (any but newline), so "The answer is B" at the very end
 * fails. Anything else is "FAILED".
 */
export function scienceQaExtract(text: string): string {
  if ((LETTERS as readonly string[]).includes(text)) return text;
  if (text.length >= 3 && (LETTERS as readonly string[]).includes(text[0]) && text.slice(1, 3) === '. ') return text[0];
  const found = [...text.matchAll(/The answer is ([A-Z])[^\n]/g)];
  return found.length === 1 ? found[0][1] : 'FAILED';
}

export interface CircularCopy {
  gold: string;
  /** Extracted letter, or null when nothing could be extracted or the prediction is missing. */
  predicted: string | null;
}

/**
 * Circular evaluation: a base question is a hit only when every rotated copy is answered correctly.
 * (The original stops at the first wrong copy; without a GPT matcher the outcome is the same.)
 */
export function circularHit(copies: CircularCopy[]): boolean {
  return copies.length > 0 && copies.every((c) => c.predicted !== null && c.predicted === c.gold);
}
