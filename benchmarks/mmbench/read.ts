// MMBench TSV reader on benchmarks/shared/tsv.ts: a 1 GB TSV (base64 images inline) is streamed row by row,
// and a scoring-only read never decodes the image cells. Cell semantics follow what pandas.read_table gives
// LLaVA's model_vqa_mmbench.py and the scorer.
import { InputError } from '../../core/errors.ts';
import { pyLower } from '../shared/python.ts';
import { ImageReferences, pandasIsNa, readTsv } from '../shared/tsv.ts';

export { pandasIsNa };

/** model_vqa_mmbench.py's is_none: NaN, or the strings "nan"/"none" in any case. */
export function llavaIsNone(v: string | undefined): boolean {
  if (pandasIsNa(v)) return true;
  const lower = pyLower(v!); // Python's str.lower(), as the script calls it
  return lower === 'nan' || lower === 'none';
}

export interface MMBenchRow {
  line: number;
  index: number;
  question: string;
  hint: string | undefined; // undefined when NaN
  /** A–D cells as pandas sees them: undefined when NaN. */
  cells: Record<'A' | 'B' | 'C' | 'D', string | undefined>;
  answer: string | undefined;
  category: string | null;
  l2category: string | null;
  split: string | null;
  source: string | null;
  image: string | undefined;
}

const REQUIRED = ['index', 'question', 'A', 'B'] as const;

/**
 * Rows of an MMBench TSV in file order. `images: false` never decodes the base64 cell; with images, a
 * VLMEvalKit image reference (shared/tsv.ts ImageReferences) is resolved.
 */
export async function* readMMBenchTsv(file: string, images = true): AsyncGenerator<MMBenchRow> {
  let col: Record<string, number> = {};
  const refs = new ImageReferences(file); // VLMEvalKit's MMBench TSVs point circular copies at one image
  for await (const item of readTsv(file, { skip: (c) => !images && c === 'image', spans: (c) => images && c === 'image' })) {
    if ('header' in item) {
      col = Object.fromEntries(item.header.map((h, i) => [h, i]));
      for (const c of REQUIRED) if (!(c in col)) throw new InputError(file, 1, `MMBench TSV header lacks column "${c}" (has: ${item.header.join(', ')})`);
      continue;
    }
    const { line, cells } = item;
    const get = (name: string): string | undefined => (name in col ? cells[col[name]] : undefined);
    const rawIndex = get('index')!;
    const index = Number(rawIndex);
    if (!Number.isInteger(index) || index < 0) throw new InputError(file, line, `index "${rawIndex}" is not a non-negative integer`);
    const opt = (k: 'A' | 'B' | 'C' | 'D') => (pandasIsNa(get(k)) ? undefined : get(k));
    const str = (name: string) => (pandasIsNa(get(name)) ? null : get(name)!);
    const cell = images && !pandasIsNa(get('image')) ? get('image') : undefined;
    const image = cell === undefined ? undefined : await refs.resolve(rawIndex, cell, item.spans.get(col.image), line);
    yield {
      line,
      index,
      question: get('question')!,
      hint: pandasIsNa(get('hint')) ? undefined : get('hint'),
      cells: { A: opt('A'), B: opt('B'), C: opt('C'), D: opt('D') },
      answer: pandasIsNa(get('answer')) ? undefined : get('answer'),
      category: str('category'),
      l2category: str('l2-category') ?? str('l2_category'),
      split: str('split'),
      source: str('source'),
      image,
    };
  }
}
