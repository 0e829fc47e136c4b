// The ONE implementation of the VQA answer normalizers (docs/scoring.md §0), shared by VQAv2, VizWiz and
// TextVQA. Three entry points, one per official scorer:
//   - evalAIProcess: the MMF/EvalAI answer processor LLaVA/EVE apply to every prediction before upload,
//     and TextVQA's evaluator applies to GT and prediction alike (§0.2);
//   - officialNormalize: steps 3-4 of GT-Vision-Lab's vqaEval.py (§0.1), applied by the caller only when
//     the 10 GT answers are not unanimous (see vqa-accuracy.ts);
//   - vizwizNormalize: the vizwiz.org scorer's copy, whose contraction table uses curly apostrophes (§3).
// Every quirk of the Python originals is kept on purpose; tests pin them with hand-computed cases, and
// test/fuzz checks every function here against the official Python code on 100,000+ hostile strings.
// Python semantics, not JS's: `\d` is any Unicode decimal digit, lower() and split() are Python's
// (python.ts), and tables keyed by answer words are Maps: a plain object would answer "constructor".
import { PY_DIGIT, pyLower, pySplit, pyStrip } from './python.ts';

// Punctuation marks in the order the Python loop visits them (order matters: replacements chain).
const PUNCT = [';', '/', '[', ']', '"', '{', '}', '(', ')', '=', '+', '\\', '_', '-', '>', '<', '@', '`', ',', '?', '!'];

// Number words and articles (vqaEval.py `manualMap`, `articles`). A Map: looked up with answer words.
const DIGIT_MAP: ReadonlyMap<string, string> = new Map([
  ['none', '0'],
  ['zero', '0'],
  ['one', '1'],
  ['two', '2'],
  ['three', '3'],
  ['four', '4'],
  ['five', '5'],
  ['six', '6'],
  ['seven', '7'],
  ['eight', '8'],
  ['nine', '9'],
  ['ten', '10'],
]);
const ARTICLES = new Set(['a', 'an', 'the']);

// The contractions table of vqaEval.py / MMF, as data: "key value" pairs. Its oddities are kept:
// keys with capitals (Im, Ive, Id've, I'dve) never match after lower(); "somebody'd" maps to "somebodyd".
const CONTRACTION_PAIRS = `
aint ain't|arent aren't|cant can't|couldve could've|couldnt couldn't|couldn'tve couldn't've|couldnt've couldn't've|
didnt didn't|doesnt doesn't|dont don't|hadnt hadn't|hadnt've hadn't've|hadn'tve hadn't've|hasnt hasn't|
havent haven't|hed he'd|hed've he'd've|he'dve he'd've|hes he's|howd how'd|howll how'll|hows how's|
Id've I'd've|I'dve I'd've|Im I'm|Ive I've|isnt isn't|itd it'd|itd've it'd've|it'dve it'd've|itll it'll|
let's let's|maam ma'am|mightnt mightn't|mightnt've mightn't've|mightn'tve mightn't've|mightve might've|
mustnt mustn't|mustve must've|neednt needn't|notve not've|oclock o'clock|oughtnt oughtn't|
ow's'at 'ow's'at|'ows'at 'ow's'at|'ow'sat 'ow's'at|shant shan't|shed've she'd've|she'dve she'd've|
she's she's|shouldve should've|shouldnt shouldn't|shouldnt've shouldn't've|shouldn'tve shouldn't've|
somebody'd somebodyd|somebodyd've somebody'd've|somebody'dve somebody'd've|somebodyll somebody'll|
somebodys somebody's|someoned someone'd|someoned've someone'd've|someone'dve someone'd've|
someonell someone'll|someones someone's|somethingd something'd|somethingd've something'd've|
something'dve something'd've|somethingll something'll|thats that's|thered there'd|thered've there'd've|
there'dve there'd've|therere there're|theres there's|theyd they'd|theyd've they'd've|they'dve they'd've|
theyll they'll|theyre they're|theyve they've|twas 'twas|wasnt wasn't|wed've we'd've|we'dve we'd've|
weve we've|werent weren't|whatll what'll|whatre what're|whats what's|whatve what've|whens when's|
whered where'd|wheres where's|whereve where've|whod who'd|whod've who'd've|who'dve who'd've|wholl who'll|
whos who's|whove who've|whyll why'll|whyre why're|whys why's|wont won't|wouldve would've|wouldnt wouldn't|
wouldnt've wouldn't've|wouldn'tve wouldn't've|yall y'all|yall'll y'all'll|y'allll y'all'll|
yall'd've y'all'd've|y'alld've y'all'd've|y'all'dve y'all'd've|youd you'd|youd've you'd've|
you'dve you'd've|youll you'll|youre you're|youve you've`;

function parsePairs(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of text.replace(/\n/g, '').split('|')) {
    const [key, value] = pair.trim().split(' ');
    map.set(key, value);
  }
  return map;
}

export const CONTRACTIONS: ReadonlyMap<string, string> = parsePairs(CONTRACTION_PAIRS);

// The vizwiz.org scorer's table: the apostrophe is the curly ’ except in the entries the original left
// ASCII (its first five values, two keys and three values), so "dont" becomes "don’t" and never matches
// an ASCII GT "don't" (GT is compared raw there).
const VIZWIZ_ASCII_VALUES = new Set(['aint', 'arent', 'cant', 'couldve', 'couldnt', 'weve', 'wheres', 'whove']);
const VIZWIZ_ASCII_KEYS = new Set(["couldn'tve", "hadn'tve"]);
export const VIZWIZ_CONTRACTIONS: ReadonlyMap<string, string> = new Map(
  [...CONTRACTIONS].map(([k, v]) => [VIZWIZ_ASCII_KEYS.has(k) ? k : k.replace(/'/g, '\u2019'), VIZWIZ_ASCII_VALUES.has(k) ? v : v.replace(/'/g, '\u2019')]),
);

// `(\d)(\,)(\d)` with Python's Unicode \d: "٣,٥" counts as a number with a comma.
const DIGIT_COMMA_DIGIT = new RegExp(`${PY_DIGIT},${PY_DIGIT}`, 'u');
// `(?!<=\d)(\.)(?!\d)`: the "look-behind" is a typo (a look-ahead for the text "<=" + digit, which a
// "." can never start), so every period NOT followed by a digit matches; a Unicode digit counts, so
// "1.５" keeps its period. Python calls sub("", text, re.UNICODE): the 3rd positional argument is count,
// so at most 32 are removed.
const PERIOD = new RegExp(`\\.(?!${PY_DIGIT})`, 'gu');
const PERIOD_COUNT = 32;

/** processPunctuation of vqaEval.py / MMF (§0.1 step 3), quirks included. */
export function processPunctuation(inText: string): string {
  let out = inText;
  // The digit-comma-digit test is on the original text and, when true, makes every mark be deleted.
  const commaNumber = DIGIT_COMMA_DIGIT.test(inText);
  for (const p of PUNCT) {
    if (!out.includes(p)) continue; // nothing to replace either way
    const remove = commaNumber || inText.includes(p + ' ') || inText.includes(' ' + p);
    out = out.replaceAll(p, remove ? '' : ' ');
  }
  if (out.includes('.')) {
    let n = 0;
    out = out.replace(PERIOD, (m) => (n++ < PERIOD_COUNT ? '' : m));
  }
  return out;
}

/** processDigitArticle (§0.1 step 4): lower, split, number words → digits, drop articles, contractions. */
export function processDigitArticle(inText: string, contractions: ReadonlyMap<string, string> = CONTRACTIONS): string {
  const out: string[] = [];
  for (const word of pySplit(pyLower(inText))) {
    const mapped = DIGIT_MAP.get(word) ?? word;
    if (!ARTICLES.has(mapped)) out.push(contractions.get(mapped) ?? mapped);
  }
  return out.join(' ');
}

/** vqaEval.py step 1, applied to every GT answer and prediction. */
export function stripLineBreaks(s: string): string {
  return pyStrip(s.replace(/\n/g, ' ').replace(/\t/g, ' '));
}

/** vqaEval.py steps 3+4 (the caller decides whether they apply: only for non-unanimous GT). */
export function officialNormalize(s: string): string {
  return processDigitArticle(processPunctuation(s));
}

/** The vizwiz.org scorer's prediction normalization (always applied to the prediction; GT stays raw). */
export function vizwizNormalize(s: string): string {
  return processDigitArticle(processPunctuation(stripLineBreaks(s)), VIZWIZ_CONTRACTIONS);
}

/**
 * MMF / EvalAI answer processor (LLaVA m4c_evaluator.py EvalAIAnswerProcessor.__call__): lower, delete
 * every "," and "?", split possessives ("'s" → " 's"), strip, line breaks → spaces, punctuation, digits
 * and articles. Because commas are already gone, its digit-comma-digit branch never fires.
 */
export function evalAIProcess(s: string): string {
  let t = pyStrip(pyLower(s).replaceAll(',', '').replaceAll('?', '').replaceAll("'s", " 's"));
  t = pyStrip(t.replace(/\n/g, ' ').replace(/\t/g, ' '));
  return processDigitArticle(processPunctuation(t));
}

/** Wrap a normalizer with a cache: GT answers repeat a lot ("yes", "2"), so scoring stays fast. */
export function memoize(fn: (s: string) => string): (s: string) => string {
  const cache = new Map<string, string>();
  return (s: string) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = fn(s);
      if (cache.size < 1_000_000) cache.set(s, v);
    }
    return v;
  };
}
