// How MMBench answers become letters. Rules first, always: opencompass's eval_mmbench.py can_infer (the
// default, what eve-eval has always scored with) or VLMEvalKit's can_infer (it also reads "**B**" and "The
// answer is B", ignores a letter early in a long reply, and reads 'Z' for refusals). Optionally, for the rows no rule reads, an LLM choice extractor as
// VLMEvalKit runs it: its matching prompt, up to three tries, each reply read with VLMEvalKit's rules. Where
// VLMEvalKit then picks a letter at random, eve-eval leaves the row unread (scored wrong) and counts it.
import { mmbenchExtract, vlmevalkitCanInfer } from '../shared/choices.ts';

export type MMBenchRules = 'opencompass' | 'vlmevalkit';
export const MMBENCH_RULE_SETS: readonly MMBenchRules[] = ['opencompass', 'vlmevalkit'];

export const MMBENCH_RULE_SOURCES: Record<MMBenchRules, string> = {
  opencompass: 'open-compass/opencompass@6ca2be6 tools/eval_mmbench.py can_infer (no GPT)',
  vlmevalkit: 'open-compass/VLMEvalKit@e8e78f0 vlmeval/utils/matching_util.py can_infer',
};

/** The letter a rule set reads in `text`, or null. `options`: letter → text of the options present. */
export function mmbenchRuleLetter(rules: MMBenchRules, text: string, options: Record<string, string>): string | null {
  return rules === 'vlmevalkit' ? vlmevalkitCanInfer(text, options) : mmbenchExtract(text, options);
}

/** VLMEvalKit's choice extractor (vlmeval/dataset/utils/multiple_choice.py extract_answer_from_item). */
export const MMBENCH_EXTRACTOR = {
  source: 'open-compass/VLMEvalKit@e8e78f0 vlmeval/dataset/utils/multiple_choice.py extract_answer_from_item + build_prompt',
  officialModel: 'gpt-3.5-turbo-0125',
  tries: 3,
  temperature: 0,
} as const;

/** VLMEvalKit's matching prompt (build_prompt with build_option_str), English variant. */
export function mmbenchChoicePrompt(question: string, options: Record<string, string>, prediction: string): string {
  const optionText = `There are several options: \n${Object.entries(options)
    .map(([k, v]) => `${k}. ${v}\n`)
    .join('')}`;
  return (
    'You are an AI assistant who will help me to match an answer with several options of a single-choice question. ' +
    'You are provided with a question, several options, and an answer, and you need to find which option is most similar to the answer. ' +
    'If the meaning of all options are significantly different from the answer, output Z. ' +
    'Your should output a single uppercase character in A, B, C, D (if they are valid options), and Z. \n' +
    'Example 1: \nQuestion: What is the main object in image?\nOptions: A. teddy bear B. rabbit C. cat D. dog\nAnswer: a cute teddy bear\nYour output: A\n' +
    'Example 2: \nQuestion: What is the main object in image?\nOptions: A. teddy bear B. rabbit C. cat D. dog\nAnswer: Spider\nYour output: Z\n' +
    `Example 3: \nQuestion: ${question}?\nOptions: ${optionText}\nAnswer: ${prediction}\nYour output: `
  );
}
