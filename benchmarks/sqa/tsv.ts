// VLMEvalKit's ScienceQA_TEST.tsv as a ScienceQA source: the test split's image questions (the IMG headline's
// questions), columns index, question, hint, A–E (NaN past the last option), answer (a letter), image.
import type { LoadOptions, Sample } from '../../core/benchmark.ts';
import { InputError } from '../../core/errors.ts';
import { LETTERS } from '../shared/choices.ts';
import { readVlmevalkitRows } from '../shared/tsv.ts';

/**
 * Samples in file order, id = the row's index (also meta.vlmevalkitIndex, for result sheets). The prompt is the
 * human turn LLaVA's CQM-A file holds, rebuilt: "Context: {hint}\n" when the hint is not empty, the question,
 * then "A. …" per option; `prompt` adds model_vqa_science.py's suffix. The TSV has no subject, grade or topic,
 * so the official breakdown is absent and Accuracy/Total are over the image questions.
 */
export async function* loadSqaTsv(file: string, split: string, prompt: (human: string) => string, options: LoadOptions): AsyncGenerator<Sample> {
  let n = 0;
  const rows = readVlmevalkitRows(file, 'ScienceQA_TEST', ['question', 'hint', 'A', 'B', 'answer'], options.images !== false);
  for await (const { line, index, get, na, image } of rows) {
    if (options.limit !== undefined && n >= options.limit) return;
    const choices: string[] = [];
    for (const L of LETTERS.slice(0, 5)) {
      if (na(L)) break;
      choices.push(get(L));
    }
    if (choices.length < 2) throw new InputError(file, line, `row ${index} has fewer than two options (A, B)`);
    const answer = get('answer').trim();
    if (!(LETTERS.slice(0, choices.length) as readonly string[]).includes(answer))
      throw new InputError(file, line, `answer "${answer}" is not one of the row's option letters`);
    const hint = na('hint') ? '' : get('hint');
    const human = `${hint ? `Context: ${hint}\n` : ''}${get('question')}\n${choices.map((c, j) => `${LETTERS[j]}. ${c}`).join('\n')}`;
    n++;
    yield {
      id: index,
      benchmark: 'sqa',
      split,
      image: image === undefined ? undefined : { kind: 'base64', data: image },
      prompt: prompt(human),
      choices,
      answer,
      maxNewTokens: 1024,
      meta: { hasImage: true, nChoices: choices.length, subject: null, grade: null, topic: null, hasHint: null, problemImage: null, vlmevalkitIndex: index },
    };
  }
}
