// VLMEvalKit's VizWiz.tsv (the val split): index, question, answers (Python's repr() of the 10 annotator answers,
// the column VLMEvalKit's VizWiz scorer reads), image (base64, or the index of the row holding it).
import type { LoadOptions, Sample } from '../../core/benchmark.ts';
import { readVlmevalkitRows } from '../shared/tsv.ts';

/**
 * Val samples in file order, id = the row's index (also meta.vlmevalkitIndex, for result sheets). The TSV has no
 * answer_type or answerable, so the answer-type breakdown and the unanswerability metrics are absent (null meta,
 * which the scorer leaves out); the VQA accuracy is computed as from val.json.
 */
export async function* loadVizwizTsv(file: string, prompt: (question: string) => string, options: LoadOptions): AsyncGenerator<Sample> {
  let n = 0;
  for await (const { index, get, list, image } of readVlmevalkitRows(file, 'VizWiz', ['question', 'answers'], options.images !== false)) {
    if (options.limit !== undefined && n >= options.limit) return;
    n++;
    yield {
      id: index,
      benchmark: 'vizwiz',
      split: 'val',
      image: image === undefined ? undefined : { kind: 'base64', data: image },
      prompt: prompt(get('question')),
      answer: list('answers'),
      maxNewTokens: 128,
      meta: { image: get('image_path') || index, answer_type: null, answerable: null, vlmevalkitIndex: index },
    };
  }
}
