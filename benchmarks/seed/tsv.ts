// VLMEvalKit's SEEDBench_IMG.tsv as a SEED-Bench-1 source: the image questions only (no video rows), with
// the columns VLMEvalKit's multiple-choice scorer reads: index, question, A–D, answer (a letter), category
// (the dimension's name) and image (base64, or the index of the row holding it).
import type { LoadOptions, Sample } from '../../core/benchmark.ts';
import { InputError } from '../../core/errors.ts';
import { ImageReferences, pandasIsNa, readTsv } from '../shared/tsv.ts';
import { QUESTION_TYPE, type SeedQuestion } from './read.ts';

const COLUMNS = ['index', 'question', 'A', 'B', 'C', 'D', 'answer', 'category'];

/**
 * Samples in file order, id = the row's index (also meta.questionId and meta.vlmevalkitIndex, so result sheets
 * join). The TSV carries no question_type_id: the dimension is the TSV's category name, and its id is
 * SEED-Bench.json's id for that name, so breakdowns key the same as from SEED-Bench.json; a name SEED-Bench-1
 * does not have is an error on its line.
 */
export async function* loadSeedTsv(file: string, split: string, prompt: (q: SeedQuestion) => string, options: LoadOptions): AsyncGenerator<Sample> {
  const images = options.images !== false;
  const refs = new ImageReferences(file);
  let col: Record<string, number> = {};
  let n = 0;
  for await (const item of readTsv(file, { skip: (c) => !images && c === 'image', spans: (c) => images && c === 'image' })) {
    if ('header' in item) {
      col = Object.fromEntries(item.header.map((h, i) => [h, i]));
      for (const c of [...COLUMNS, ...(images ? ['image'] : [])]) {
        if (!(c in col)) throw new InputError(file, 1, `VLMEvalKit SEEDBench_IMG TSV header lacks column "${c}" (has: ${item.header.join(', ')})`);
      }
      continue;
    }
    if (options.limit !== undefined && n >= options.limit) return;
    const { line, cells } = item;
    const get = (c: string) => cells[col[c]] ?? '';
    const index = get('index');
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
    const cell = images ? cells[col.image] : undefined;
    if (images && (cell === undefined || pandasIsNa(cell))) throw new InputError(file, line, `row ${index} has no image`);
    const b64 = cell === undefined ? undefined : await refs.resolve(index, cell, item.spans.get(col.image), line);
    n++;
    yield {
      id: index,
      benchmark: 'seed',
      split,
      image: b64 === undefined ? undefined : { kind: 'base64', data: b64 },
      prompt: prompt(q),
      choices: [q.choice_a, q.choice_b, q.choice_c, q.choice_d],
      answer,
      maxNewTokens: 128,
      meta: { questionId: index, questionTypeId: typeId, dimension, dataType: 'image', fromLlavaFile: false, vlmevalkitIndex: index },
    };
  }
}
