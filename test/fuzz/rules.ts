// Which eve-eval function answers each rule of the fuzz vectors. `Impl` is the set of functions under test,
// so the same table can be pointed at another version of the code (e.g. to count mismatches before a fix).
import type { Vectors } from './vectors.ts';

export interface Impl {
  stripLineBreaks(s: string): string;
  processPunctuation(s: string): string;
  processDigitArticle(s: string, contractions?: ReadonlyMap<string, string>): string;
  VIZWIZ_CONTRACTIONS: ReadonlyMap<string, string>;
  vizwizNormalize(s: string): string;
  evalAIProcess(s: string): string;
  convertAnswer(s: string): string;
  recoverQuestion(prompt: string): string | null;
  popeYesNo(s: string): string;
  mmeYesNo(s: string): string;
  canInferOption(s: string): string | null;
  mmbenchExtract(s: string, options: Record<string, string>): string | null;
  scienceQaExtract(s: string): string;
  gradeGroup(grade: unknown): string | null;
  pyFixed(x: number, digits: number): string;
  officialRound(x: number, digits: number, printer?: 'python' | 'numpy'): number;
}

export type Rule = { inputs: 'strings' | 'grades' | 'numbers'; fn: (x: any, i: number) => unknown };

export function rules(impl: Impl, v: Vectors): Record<string, Rule> {
  const sets = v.header.choice_sets;
  const suffix = v.header.textvqa_suffix;
  const str = (fn: (s: string, i: number) => unknown): Rule => ({ inputs: 'strings', fn });
  return {
    'vqa.strip': str(impl.stripLineBreaks),
    'gqa.convert': str(impl.convertAnswer),
    'vqa.processPunctuation': str(impl.processPunctuation),
    // The vizwiz.org scorer's processPunctuation is the same code; eve-eval has one function for both.
    'vizwiz.processPunctuation': str(impl.processPunctuation),
    'vqa.processDigitArticle': str((s) => impl.processDigitArticle(s)),
    'vizwiz.processDigitArticle': str((s) => impl.processDigitArticle(s, impl.VIZWIZ_CONTRACTIONS)),
    evalai: str(impl.evalAIProcess),
    'vizwiz.normalize': str(impl.vizwizNormalize),
    // What eve-eval scores for VizWiz val: the EvalAI-processed upload, normalized again by the vizwiz scorer.
    'vizwiz.upload': str((s) => impl.vizwizNormalize(impl.evalAIProcess(s))),
    'textvqa.prompt_processor': str((s, i) => impl.recoverQuestion(i % 2 ? s : s + suffix)),
    'pope.yesno': str(impl.popeYesNo),
    'mme.parse_pred_ans': str(impl.mmeYesNo),
    'mmbench.can_infer_option': str((s) => impl.canInferOption(s) ?? false),
    'mmbench.can_infer': str((s, i) => impl.mmbenchExtract(s, { ...sets[i % sets.length] }) ?? false),
    'sqa.letter': str(impl.scienceQaExtract),
    'sqa.grade': { inputs: 'grades', fn: impl.gradeGroup },
    'py.format.2f': { inputs: 'numbers', fn: (x) => impl.pyFixed(x, 2) },
    'py.format.3f': { inputs: 'numbers', fn: (x) => impl.pyFixed(x, 3) },
    'py.round.2': { inputs: 'numbers', fn: (x) => impl.officialRound(x, 2) },
    'np.round.1': { inputs: 'numbers', fn: (x) => impl.officialRound(x, 1, 'numpy') },
  };
}

export function expectedFor(v: Vectors, rule: string, inputs: Rule['inputs']): readonly unknown[] {
  if (inputs === 'grades') return v.gradeOut;
  const m = inputs === 'numbers' ? v.numberRules : v.stringRules;
  const out = m.get(rule);
  if (!out) throw new Error(`no vectors for rule ${rule}`);
  return out;
}
