// The answer instructions LLaVA-1.5 and EVE append to benchmark questions (their eval scripts' prompts),
// written once: the prompt check for foreign answer files and the fixture writers compare against these.

/** VQAv2, GQA, TextVQA, VizWiz, POPE and MME: appended after a newline. */
export const SHORT_ANSWER = 'Answer the question using a single word or phrase.';

/** VizWiz: before SHORT_ANSWER, each after a newline. */
export const UNANSWERABLE = "When the provided information is insufficient, respond with 'Unanswerable'.";

/** MMBench, SEED-Bench and ScienceQA (`--single-pred-prompt`): appended after a newline. */
export const OPTION_LETTER = "Answer with the option's letter from the given choices directly.";

export const INSTRUCTIONS: readonly string[] = [SHORT_ANSWER, UNANSWERABLE, OPTION_LETTER];
