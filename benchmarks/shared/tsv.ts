// The one TSV reader for the VLMEvalKit-style files (MMBench, MME, POPE, SEEDBench_IMG, ... with a
// base64 `image` column), streamed over raw bytes. Why not csv-parse: it walks every byte of every cell
// in JavaScript, and the base64 cells are 99% of a 1 GB file. Here a row's end and each tab are found with
// Buffer.indexOf (memchr), and cells the caller does not want decoded (`skip`) are never turned into
// strings: only their byte span in the file is kept, so a scoring-only read costs about one memchr pass.
// Quoting follows what pandas.read_table reads (a cell that starts with `"` is quoted, `""` is a quote).
import { open } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';
import { pyStringList } from './python.ts';

export interface TsvSpan {
  /** Byte offsets in the file, [start, end): the cell's text without quotes. */
  start: number;
  end: number;
}

export interface TsvRow {
  /** 1-based line of the row's first byte, for error messages. */
  line: number;
  /** Decoded cells in header order; undefined for skipped columns (their span is in `spans`). */
  cells: (string | undefined)[];
  /** Byte spans of the skipped columns' cells (and of `spans` columns), by column position. */
  spans: Map<number, TsvSpan>;
}

export interface TsvOptions {
  /** Columns whose cells are not decoded (e.g. `image` for scoring-only reads). */
  skip?: (column: string) => boolean;
  /** Columns whose byte spans are kept even when decoded (to read a cell again later, by reference). */
  spans?: (column: string) => boolean;
  /** First read size; the buffer grows when one row is larger. */
  chunkBytes?: number;
}

const TAB = 9;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * The header, then rows in file order. A missing file, a row whose column count differs from the header's,
 * or an unterminated quote is an InputError naming file and line. Blank lines are skipped, a BOM dropped.
 */
export async function* readTsv(file: string, options: TsvOptions = {}): AsyncGenerator<{ header: string[] } | TsvRow> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, undefined, code === 'ENOENT' ? 'file not found' : `cannot read (${code})`);
  }
  try {
    let buf = Buffer.allocUnsafe(options.chunkBytes ?? 8 << 20);
    let len = 0; // valid bytes in buf
    let base = 0; // file offset of buf[0]
    let eof = false;
    let line = 1;
    let header: string[] | undefined;
    let skipCols: boolean[] = [];
    let spanCols: boolean[] = [];
    let pos = 0;

    const fill = async (): Promise<void> => {
      // Keep the unparsed tail (from pos), then read more behind it; grow when the tail fills the buffer.
      if (pos > 0) {
        buf.copy(buf, 0, pos, len);
        base += pos;
        len -= pos;
        pos = 0;
      }
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, len, buf.length - len, base + len);
      if (bytesRead === 0) eof = true;
      len += bytesRead;
    };

    await fill();
    if (len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;

    for (;;) {
      // Parse one row starting at pos; on running out of bytes, read more and restart the row.
      const rowStartLine = line;
      const cells: (string | undefined)[] = [];
      const spans = new Map<number, TsvSpan>();
      let p = pos;
      let newlines = 0;
      let complete = false;
      if (p >= len && eof) break;
      // Only bytes before len are this file's (the rest of buf is stale): read more before looking at a row's start.
      if (!eof && (p >= len || (buf[p] === CR && p + 1 >= len))) {
        await fill();
        continue;
      }
      // Blank line (or the last newline of the file).
      if (buf[p] === LF || (buf[p] === CR && buf[p + 1] === LF)) {
        pos = buf[p] === LF ? p + 1 : p + 2;
        line++;
        continue;
      }
      let nl = buf.indexOf(LF, p);
      if (nl >= len) nl = -1;
      for (;;) {
        const c = cells.length;
        const skipped = header !== undefined && skipCols[c] === true;
        const spanned = skipped || (header !== undefined && spanCols[c] === true);
        if (buf[p] === QUOTE) {
          // Quoted cell: ends at a quote not followed by another; may hold tabs and newlines.
          let q = p + 1;
          let close = -1;
          for (;;) {
            const i = buf.indexOf(QUOTE, q);
            if (i === -1 || i >= len) break;
            if (i + 1 < len && buf[i + 1] === QUOTE) {
              q = i + 2;
              continue;
            }
            if (i + 1 >= len && !eof) break; // the next byte decides; read more
            close = i;
            break;
          }
          if (close === -1) {
            if (eof) throw new InputError(file, rowStartLine, 'unterminated quoted cell');
            break; // need more bytes
          }
          const raw = buf.toString('utf8', p + 1, close);
          for (let i = p + 1; i < close; i++) if (buf[i] === LF) newlines++;
          if (spanned) spans.set(c, { start: base + p + 1, end: base + close });
          cells.push(skipped ? undefined : raw.replaceAll('""', '"'));
          p = close + 1;
          if (nl !== -1 && nl < p) {
            nl = buf.indexOf(LF, p);
            if (nl >= len) nl = -1;
          }
        } else {
          const limit = nl === -1 ? (eof ? len : -1) : nl;
          if (limit === -1) break; // row not complete in the buffer
          let t = buf.indexOf(TAB, p);
          if (t === -1 || t > limit) t = limit;
          let end = t;
          if (t === limit && end > p && buf[end - 1] === CR) end--;
          if (spanned) spans.set(c, { start: base + p, end: base + end });
          cells.push(skipped ? undefined : buf.toString('utf8', p, end));
          p = t;
        }
        // After a cell: a tab (another cell), a newline or the end (the row is done).
        if (p < len && buf[p] === TAB) {
          p++;
          continue;
        }
        if (p < len && buf[p] === CR && buf[p + 1] === LF) p++;
        if (p < len && buf[p] === LF) {
          p++;
          newlines++;
          complete = true;
          break;
        }
        if (p >= len && eof) {
          complete = true;
          break;
        }
        if (p >= len) break; // need more bytes to see what follows
        throw new InputError(file, rowStartLine, `unexpected character after a quoted cell (column ${c + 1})`);
      }
      if (!complete) {
        if (eof) throw new InputError(file, rowStartLine, 'truncated row at the end of the file');
        await fill();
        continue;
      }
      pos = p;
      line += newlines;
      if (!header) {
        header = cells.map((h) => h ?? '');
        skipCols = header.map((h) => options.skip?.(h) ?? false);
        spanCols = header.map((h) => options.spans?.(h) ?? false);
        yield { header };
        continue;
      }
      if (cells.length !== header.length) {
        throw new InputError(file, rowStartLine, `row has ${cells.length} columns, the header has ${header.length}`);
      }
      yield { line: rowStartLine, cells, spans };
    }
  } finally {
    await fh.close();
  }
}

/** The text of a skipped cell, read back from the file by its span (e.g. the image a later row refers to). */
export async function readTsvSpan(file: string, span: TsvSpan): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const out = Buffer.allocUnsafe(span.end - span.start);
    await fh.read(out, 0, out.length, span.start);
    return out.toString('latin1');
  } finally {
    await fh.close();
  }
}

/** Strings pandas.read_table turns into NaN by default (its `na_values`); an empty cell is one of them. */
const PANDAS_NA = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

/** pd.isna on a cell as read by pandas. */
export function pandasIsNa(v: string | undefined): boolean {
  return v === undefined || PANDAS_NA.has(v);
}

/**
 * Standard base64 (what VLMEvalKit's encode_image_to_base64 writes): the check `data check` runs on image
 * cells. Node's decoder skips characters outside the alphabet and stops at inner padding, so a cell is
 * well-formed exactly when it decodes to the length its size promises; ~7x faster than a regular expression.
 */
export function isBase64(s: string): boolean {
  if (s.length % 4 !== 0) return false;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return Buffer.from(s, 'base64').length === (s.length / 4) * 3 - pad;
}

/**
 * VLMEvalKit's TSVs store an image once: a cell of at most 64 characters (the length VLMEvalKit's loader
 * tells them apart by) names the index of the row that holds the image. This resolves such cells by
 * reading the referenced row's cell again from the file by its span, so no image is held beyond its row.
 * Streaming readers call `resolve` row by row (the image column read with `spans` on); two-pass readers
 * `note` every row's span on a pass with the image column skipped, then ask `imageOf`.
 */
export class ImageReferences {
  private readonly images = new Map<string, TsvSpan>();
  private readonly references = new Map<string, TsvSpan>();
  constructor(private readonly file: string) {}

  private static isReference(span: TsvSpan): boolean {
    return span.end - span.start <= 64;
  }

  /** The base64 image of a row: its own cell, or the referenced row's. */
  async resolve(index: string, cell: string, span: TsvSpan | undefined, line: number): Promise<string> {
    if (cell.length > 64) {
      if (span) this.images.set(index, span);
      return cell;
    }
    return this.target(cell, line);
  }

  note(index: string, span: TsvSpan): void {
    (ImageReferences.isReference(span) ? this.references : this.images).set(index, span);
  }

  /** The image of a row seen by `note`. */
  async imageOf(index: string, line: number): Promise<string> {
    const own = this.images.get(index);
    if (own) return readTsvSpan(this.file, own);
    const ref = this.references.get(index);
    if (!ref) throw new InputError(this.file, line, `row ${index} has no image`);
    return this.target(await readTsvSpan(this.file, ref), line);
  }

  private async target(cell: string, line: number): Promise<string> {
    const span = this.images.get(cell);
    if (!span) throw new InputError(this.file, line, `image cell "${cell}" refers to index ${cell}, which no earlier row with an image has`);
    return readTsvSpan(this.file, span);
  }
}

/** One row of a VLMEvalKit dataset TSV, as `readVlmevalkitRows` gives it. */
export interface VlmevalkitRow {
  line: number;
  index: string;
  /** A column's cell ('' when the column is absent); `na` whether pandas reads it as NaN. */
  get(column: string): string;
  na(column: string): boolean;
  /** A cell holding Python's repr() of a list of str (VLMEvalKit's answer lists), or an InputError naming file and line. */
  list(column: string): string[];
  /** The row's base64 image (its own cell or the referenced row's), undefined when images are not read. */
  image: string | undefined;
}

/**
 * The rows of a VLMEvalKit dataset TSV (`name` for messages) with the `required` columns checked on the header,
 * streamed in file order; the image column is read only when `images` is on (then it is required, and a row
 * without one, a broken base64 cell or a dangling reference is an InputError naming file and line). The older
 * MMBench / MME / POPE readers leave broken cells to `data status`, which counts them all.
 */
export async function* readVlmevalkitRows(file: string, name: string, required: string[], images: boolean): AsyncGenerator<VlmevalkitRow> {
  const refs = new ImageReferences(file);
  let col: Record<string, number> = {};
  for await (const item of readTsv(file, { skip: (c) => !images && c === 'image', spans: (c) => images && c === 'image' })) {
    if ('header' in item) {
      col = Object.fromEntries(item.header.map((h, i) => [h, i]));
      for (const c of ['index', ...required, ...(images ? ['image'] : [])]) {
        if (!(c in col)) throw new InputError(file, 1, `VLMEvalKit ${name} TSV header lacks column "${c}" (has: ${item.header.join(', ')})`);
      }
      continue;
    }
    const { line, cells } = item;
    const get = (c: string) => (c in col ? (cells[col[c]] ?? '') : '');
    const index = get('index');
    let image: string | undefined;
    if (images) {
      const cell = cells[col.image];
      if (pandasIsNa(cell)) throw new InputError(file, line, `row ${index} has no image`);
      image = await refs.resolve(index, cell!, item.spans.get(col.image), line);
      // The row's error here, not a decoder failure later without file or line (`data status` reports it so too).
      if (!isBase64(image)) throw new InputError(file, line, 'image cell is not valid base64');
    }
    const list = (c: string) => {
      const v = pyStringList(get(c));
      if (v === null) throw new InputError(file, line, `${c} is not a Python list of strings: ${JSON.stringify(get(c).slice(0, 80))}`);
      return v;
    };
    yield { line, index, get, na: (c) => !(c in col) || pandasIsNa(cells[col[c]]), list, image };
  }
}
