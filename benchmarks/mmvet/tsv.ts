// VLMEvalKit's MMVet.tsv: index, image (base64, or the index of the row holding it), question (mm-vet.json's
// question), answer (mm-vet.json's answer, <AND>/<OR> kept), category (the capabilities joined with ",", which
// VLMEvalKit's MMVet_acc splits again). The TSV's index is 1-based over mm-vet.json's order: row `index` n is
// MM-Vet's `v1_<n-1>`. Evidence, in VLMEvalKit's own history: commit ca3c9b52 ("Adding MMVet") committed the
// images its loader decoded from the TSV, each named `<index>.jpg`, 1.jpg … 218.jpg, and the result sheet
// instructblip_7b_MMVet.xlsx with index 1 = "What is x in the equation?" / "-1<AND>-5" (mm-vet.json's v1_0) and
// index 2 = "What is d in the last equation?" (v1_1); the images shared by two questions are the pairs
// (2,3), (4,5), (6,7), (10,11), … there, which are mm-vet.json's (v1_1, v1_2), (v1_3, v1_4), (v1_5, v1_6),
// (v1_9, v1_10), …. Samples therefore carry the official ids, so grade files, submissions and the judge work
// exactly as from mm-vet.json; the index travels as meta.vlmevalkitIndex for VLMEvalKit result sheets.
import type { LoadOptions, Sample } from '../../core/benchmark.ts';
import { InputError } from '../../core/errors.ts';
import { readVlmevalkitRows } from '../shared/tsv.ts';

/** MM-Vet's official id of a VLMEvalKit MMVet.tsv index (1-based), or null when the index is not a positive integer. */
export function officialIdOfIndex(index: string): string | null {
  if (!/^[1-9]\d*$/.test(index.trim())) return null;
  return `v1_${Number(index) - 1}`;
}

export async function* loadMmvetTsv(file: string, split: string, options: LoadOptions): AsyncGenerator<Sample> {
  let n = 0;
  const seen = new Map<string, number>();
  for await (const { line, index, get, image } of readVlmevalkitRows(file, 'MMVet', ['question', 'answer', 'category'], options.images !== false)) {
    if (options.limit !== undefined && n >= options.limit) return;
    const id = officialIdOfIndex(index);
    if (id === null)
      throw new InputError(
        file,
        line,
        `index "${index}" is not a positive integer (VLMEvalKit's MMVet.tsv numbers its rows 1 … 218: index n is MM-Vet's v1_<n-1>)`,
      );
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new InputError(file, line, `index ${index} appears twice (first on line ${earlier})`);
    seen.set(id, line);
    const capability = get('category')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const question = get('question');
    n++;
    yield {
      id,
      benchmark: 'mmvet',
      split,
      image: image === undefined ? undefined : { kind: 'base64', data: image },
      // No suffix, as from LLaVA's file: the raw MM-Vet question (docs/protocol.md §1.2).
      prompt: question,
      answer: { answer: get('answer'), capability, question },
      maxNewTokens: 1024,
      meta: { llavaId: id.slice('v1_'.length), capability: capability.join(','), vlmevalkitIndex: index },
    };
  }
}
