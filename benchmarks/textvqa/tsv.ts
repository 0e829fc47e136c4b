// VLMEvalKit's TextVQA_VAL.tsv: index, question, answer (a Python list of the 10 annotator answers, as
// VLMEvalKit's scorer evals it), image. It has no Rosetta OCR tokens, and LLaVA-1.5's TextVQA prompt carries
// them, so runs from it are refused; scoring (a VLMEvalKit result sheet, joined on index) reads it without images.
import type { LoadOptions, Sample } from '../../core/benchmark.ts';
import { NotSupportedError } from '../../core/errors.ts';
import { readVlmevalkitRows } from '../shared/tsv.ts';

export async function* loadTextvqaTsv(file: string, suffix: string, options: LoadOptions): AsyncGenerator<Sample> {
  if (options.images !== false) {
    throw new NotSupportedError(
      `${file}: a run from VLMEvalKit's TextVQA_VAL.tsv (it has no OCR tokens, and LLaVA-1.5's prompt carries them: "Reference OCR token: ..."; add LLaVA's llava_textvqa_val_v051_ocr.jsonl to run, or score a VLMEvalKit result sheet against the TSV)`,
    );
  }
  let n = 0;
  for await (const { index, get, list } of readVlmevalkitRows(file, 'TextVQA_VAL', ['question', 'answer'], false)) {
    if (options.limit !== undefined && n >= options.limit) return;
    const answer = list('answer');
    n++;
    yield {
      id: index,
      benchmark: 'textvqa',
      split: 'val',
      image: undefined,
      // Not LLaVA's prompt (no OCR tokens): samples from the TSV are for scoring only.
      prompt: get('question') + suffix,
      answer,
      maxNewTokens: 128,
      meta: { vlmevalkitIndex: index },
    };
  }
}
