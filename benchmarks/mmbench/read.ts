// MMBench TSV reader, streamed with csv-parse: a 1 GB TSV (base64 images inline) is read row by row.
// Cell semantics follow what pandas.read_table gives LLaVA's model_vqa_mmbench.py and the scorer.
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { InputError } from '../../core/errors.ts';
import { pyLower } from '../shared/python.ts';

/** Strings pandas.read_table turns into NaN by default (its `na_values`); an empty cell is one of them. */
const PANDAS_NA = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
  '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
]);

/** pd.isna on a cell as read by pandas: what the scorer's build_choices drops. */
export function pandasIsNa(v: string | undefined): boolean {
  return v === undefined || PANDAS_NA.has(v);
}

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

/** Rows of an MMBench TSV in file order. `images: false` drops the base64 cell as soon as it is read. */
export async function* readMMBenchTsv(file: string, images = true): AsyncGenerator<MMBenchRow> {
  const parser = createReadStream(file).pipe(
    parse({ delimiter: '\t', relax_quotes: true, relax_column_count: true, bom: true, info: true, skip_empty_lines: true }),
  );
  let header: string[] | undefined;
  let col: Record<string, number> = {};
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!header) {
        header = record;
        col = Object.fromEntries(header.map((h, i) => [h, i]));
        for (const c of REQUIRED) if (!(c in col)) throw new InputError(file, line, `MMBench TSV header lacks column "${c}" (has: ${header.join(', ')})`);
        continue;
      }
      if (record.length !== header.length) {
        throw new InputError(file, line, `row has ${record.length} columns, the header has ${header.length}`);
      }
      const get = (name: string): string | undefined => (name in col ? record[col[name]] : undefined);
      const rawIndex = get('index')!;
      const index = Number(rawIndex);
      if (!Number.isInteger(index) || index < 0) throw new InputError(file, line, `index "${rawIndex}" is not a non-negative integer`);
      const opt = (k: 'A' | 'B' | 'C' | 'D') => (pandasIsNa(get(k)) ? undefined : get(k));
      const str = (name: string) => (pandasIsNa(get(name)) ? null : get(name)!);
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
        image: images && !pandasIsNa(get('image')) ? get('image') : undefined,
      };
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    const e = err as { code?: string; lines?: number; message?: string };
    if (e.code?.startsWith('CSV_')) throw new InputError(file, e.lines, e.message ?? String(err));
    if (e.code === 'ENOENT') throw new InputError(file, undefined, 'file not found');
    throw err;
  }
}
