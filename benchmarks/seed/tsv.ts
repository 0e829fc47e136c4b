// VLMEvalKit's SEEDBench_IMG.tsv as a SEED-Bench-1 source: the image questions only (no video rows), with
// the columns VLMEvalKit's multiple-choice scorer reads: index, question, A–D, answer (a letter), category
// (the dimension's name) and image (base64, or the index of the row holding it).
import type { LoadOptions, Sample } from '../../core/benchmark.ts';
import { InputError } from '../../core/errors.ts';
import { readVlmevalkitRows } from '../shared/tsv.ts';
import { QUESTION_TYPE, type SeedQuestion } from './read.ts';

/**
 * Samples in file order, id = the row's index (also meta.questionId and meta.vlmevalkitIndex, so result sheets
 * join). The TSV carries no question_type_id: the dimension is the TSV's category name, and its id is
 * SEED-Bench.json's id for that name, so breakdowns key the same as from SEED-Bench.json; a name SEED-Bench-1
 * does not have is an error on its line.
 */
export async function* loadSeedTsv(file: string, split: string, prompt: (q: SeedQuestion) => string, options: LoadOptions): AsyncGenerator<Sample> {
  let n = 0;
  const rows = readVlmevalkitRows(file, 'SEEDBench_IMG', ['question', 'A', 'B', 'C', 'D', 'answer', 'category'], options.images !== false);
  for await (const { line, index, get, image } of rows) {
    if (options.limit !== undefined && n >= options.limit) return;
    const dimension = get('category');
    const typeId = QUESTION_TYPE[dimension];
    if (typeId === undefined) throw new InputError(file, line, `unknown SEED-Bench dimension "${dimension}"`);
    const answer = get('answer').trim();
    if (!['A', 'B', 'C', 'D'].includes(answer)) throw new InputError(file, line, `answer must be a letter A-D, got "${answer}"`);
    const q: SeedQuestion = {
      question_id: index,
      question: get('question'),
      answer,
      choice_a: get('A'),
      choice_b: get('B'),
      choice_c: get('C'),
      choice_d: get('D'),
      data_id: index,
      data_type: 'image',
      question_type_id: typeId,
    };
    n++;
    yield {
      id: index,
      benchmark: 'seed',
      split,
      image: image === undefined ? undefined : { kind: 'base64', data: image },
      prompt: prompt(q),
      choices: [q.choice_a, q.choice_b, q.choice_c, q.choice_d],
      answer,
      maxNewTokens: 128,
      meta: { questionId: index, questionTypeId: typeId, dimension, dataType: 'image', fromLlavaFile: false, vlmevalkitIndex: index },
    };
  }
}
