// VLMEvalKit's GQA_TestDev_Balanced.tsv: index, question, answer (the official answer), image (base64, or the
// index of the row holding it). The balanced testdev questions, without GQA's question ids, types, semantic
// programs or global groups.
import type { LoadOptions, Sample } from '../../core/benchmark.ts';
import { pySplit } from '../shared/python.ts';
import { readVlmevalkitRows } from '../shared/tsv.ts';

/**
 * Samples in file order, id = the row's index (also meta.vlmevalkitIndex, for result sheets). Accuracy is
 * eval.py's exact match as from the questions JSON; of the breakdowns only the question-word count is computable
 * (it is the question's length), so binary/open, structural, semantic, steps and distribution are absent.
 */
export async function* loadGqaTsv(file: string, split: string, prompt: (q: string) => string, options: LoadOptions): AsyncGenerator<Sample> {
  let n = 0;
  for await (const { index, get, image } of readVlmevalkitRows(file, 'GQA_TestDev_Balanced', ['question', 'answer'], options.images !== false)) {
    if (options.limit !== undefined && n >= options.limit) return;
    n++;
    const question = get('question');
    yield {
      id: index,
      benchmark: 'gqa',
      split,
      image: image === undefined ? undefined : { kind: 'base64', data: image },
      prompt: prompt(question),
      answer: get('answer'),
      maxNewTokens: 128,
      meta: {
        imageId: null,
        isBalanced: true,
        structural: null,
        semantic: null,
        steps: null,
        words: pySplit(question).length,
        group: null,
        vlmevalkitIndex: index,
      },
    };
  }
}
