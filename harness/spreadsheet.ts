// Reading the first sheet of an .xlsx workbook (or a TSV) as header + rows of text, enough for answer
// sheets: the MMBench upload eve-eval writes (inline strings) and VLMEvalKit's result sheets (pandas with
// xlsxwriter: a shared-strings table). The zip is read with export/checkpoint/zip.ts's directory reader;
// the XML parts are machine-written, so a small tag scanner is enough (no formulas, styles or dates).
import { readTsv } from '../benchmarks/shared/tsv.ts';
import { InputError } from '../core/errors.ts';
import { closeFile, openForRead } from '../export/checkpoint/fileio.ts';
import { readZipDirectory, readZipEntry } from '../export/checkpoint/zip.ts';

export interface SheetRow {
  /** 1-based spreadsheet row (or TSV line), for error messages. */
  line: number;
  cells: Map<string, string>;
}

export interface Sheet {
  header: string[];
  rows: SheetRow[];
}

/** XML text to string: the five entities, numeric references, and OOXML's _xHHHH_ escapes (openpyxl writes \r as _x000D_). */
function xmlText(s: string): string {
  return s
    .replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
      e === 'lt'
        ? '<'
        : e === 'gt'
          ? '>'
          : e === 'quot'
            ? '"'
            : e === 'apos'
              ? "'"
              : e === 'amp'
                ? '&'
                : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
    )
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The text of every <t> inside an element (a shared string or inline string may be split in rich-text runs). */
function runsText(xml: string): string {
  let out = '';
  for (const m of xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>|<t(?:\s[^>]*)?\/>/g)) out += m[1] === undefined ? '' : xmlText(m[1]);
  return out;
}

function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

export function readXlsx(file: string): Sheet {
  const f = openForRead(file);
  let parts: Map<string, string>;
  try {
    const entries = readZipDirectory(f);
    parts = new Map(entries.filter((e) => e.name.endsWith('.xml') || e.name.endsWith('.rels')).map((e) => [e.name, readZipEntry(f, e).toString('utf8')]));
  } finally {
    closeFile(f);
  }
  // The first sheet of the workbook, through its relationship id; sheet1.xml when the workbook says nothing.
  let sheetPath = 'xl/worksheets/sheet1.xml';
  const workbook = parts.get('xl/workbook.xml');
  const rels = parts.get('xl/_rels/workbook.xml.rels');
  const firstSheet = workbook && /<sheet\s[^>]*>/.exec(workbook)?.[0];
  const rid = firstSheet && (attr(firstSheet, 'r:id') ?? attr(firstSheet, 'id'));
  if (rid && rels) {
    const rel = [...rels.matchAll(/<Relationship\s[^>]*>/g)].map((m) => m[0]).find((r) => attr(r, 'Id') === rid);
    const target = rel && attr(rel, 'Target');
    if (target) sheetPath = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
  }
  const sheet = parts.get(sheetPath);
  if (sheet === undefined) throw new InputError(file, undefined, `not an .xlsx workbook (no ${sheetPath})`);
  const shared = [...(parts.get('xl/sharedStrings.xml') ?? '').matchAll(/<si>([\s\S]*?)<\/si>|<si\/>/g)].map((m) => runsText(m[1] ?? ''));

  const grid: Array<{ line: number; values: string[] }> = [];
  for (const rm of sheet.matchAll(/<row(\s[^>]*)?>([\s\S]*?)<\/row>/g)) {
    const line = Number(attr(rm[1] ?? '', 'r') ?? grid.length + 1);
    const values: string[] = [];
    let next = 0;
    for (const cm of rm[2].matchAll(/<c(\s[^>]*?)?(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const tag = cm[1] ?? '';
      const ref = attr(tag, 'r');
      const col = ref ? columnIndex(ref) : next;
      next = col + 1;
      const body = cm[2] ?? '';
      const type = attr(tag, 't');
      const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
      let text: string | undefined;
      if (type === 's') {
        const i = Number(v);
        if (!Number.isInteger(i) || i < 0 || i >= shared.length) throw new InputError(file, `row ${line}`, `shared string ${v} does not exist`);
        text = shared[i];
      } else if (type === 'inlineStr') text = runsText(body);
      else if (v !== undefined) text = xmlText(v);
      if (text !== undefined) values[col] = text;
    }
    grid.push({ line, values });
  }
  if (!grid.length) throw new InputError(file, undefined, 'the first sheet is empty');
  const header = Array.from(grid[0].values, (h) => h ?? '');
  return {
    header,
    rows: grid.slice(1).map(({ line, values }) => ({
      line,
      cells: new Map(header.flatMap((h, i) => (values[i] === undefined ? [] : [[h, values[i]] as [string, string]]))),
    })),
  };
}

/** A TSV answer sheet (VLMEvalKit writes every cell quoted), read with the shared TSV reader; image cells skipped. */
export async function readTsvSheet(file: string): Promise<Sheet> {
  let header: string[] = [];
  const rows: SheetRow[] = [];
  for await (const item of readTsv(file, { skip: (c) => c === 'image' })) {
    if ('header' in item) header = item.header;
    else
      rows.push({ line: item.line, cells: new Map(header.flatMap((h, i) => (item.cells[i] === undefined ? [] : [[h, item.cells[i]!] as [string, string]]))) });
  }
  return { header, rows };
}
