// The TSV reader against Python's csv module (the quoting rules pandas.read_table shares), on hostile
// content: quoted cells with tabs, newlines and doubled quotes, CRLF, a BOM, blank lines, and buffer sizes
// small enough that every row straddles a read boundary.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { isBase64, readTsv, readTsvSpan, type TsvRow } from '../../../benchmarks/shared/tsv.ts';
import { InputError } from '../../../core/errors.ts';

const PY = '/usr/bin/python3';
const pySkip = spawnSync(PY, ['-c', 'import csv, json'], { encoding: 'utf8' }).status === 0 ? undefined : `no ${PY}`;
if (pySkip) console.log(`tsv.test: Python oracle skipped: ${pySkip}`);

const dir = mkdtempSync(join(tmpdir(), 'tsv-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** A TSV as pandas' to_csv(sep='\t') quotes it: QUOTE_MINIMAL, doubled quotes. */
function hostileTsv(rows: number, seed: number, eol = '\n'): string {
  const r = rng(seed);
  const pieces = ['plain', 'é ü 日本', '\t', '\n', '"', '""', ' ', 'nan', '', 'A', '\r\n', 'x"y'];
  const cell = () => Array.from({ length: Math.floor(r() * 4) }, () => pieces[Math.floor(r() * pieces.length)]).join('');
  const quote = (s: string) => (/[\t\n\r"]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['index\tquestion\timage\tanswer'];
  for (let i = 0; i < rows; i++) {
    const img = Buffer.from(Array.from({ length: 50 + Math.floor(r() * 3000) }, () => Math.floor(r() * 256))).toString('base64');
    lines.push([String(i), quote(cell()), img, quote(cell())].join('\t'));
    if (r() < 0.05) lines.push('');
  }
  return '\uFEFF' + lines.join(eol) + eol;
}

async function readAll(file: string, opts: Parameters<typeof readTsv>[1] = {}) {
  let header: string[] = [];
  const rows: TsvRow[] = [];
  for await (const item of readTsv(file, opts)) {
    if ('header' in item) header = item.header;
    else rows.push(item);
  }
  return { header, rows };
}

describe('readTsv', () => {
  it.skipIf(pySkip)('reads every cell as Python csv does, at any buffer size', async () => {
    const file = join(dir, 'hostile.tsv');
    writeFileSync(file, hostileTsv(300, 7));
    const py = spawnSync(
      PY,
      [
        '-c',
        'import csv,json,sys\nr=[row for row in csv.reader(open(sys.argv[1],encoding="utf-8-sig",newline=""),delimiter="\\t") if row]\nprint(json.dumps(r))',
        file,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    expect(py.status, py.stderr).toBe(0);
    const want: string[][] = JSON.parse(py.stdout);
    for (const chunkBytes of [64, 1000, 8 << 20]) {
      const { header, rows } = await readAll(file, { chunkBytes });
      expect([header, ...rows.map((r) => r.cells)]).toEqual(want);
    }
  });

  it('reads the same rows whatever the buffer size, row ends and blank lines falling on every chunk boundary', async () => {
    // A row start at the end of the valid bytes must not be judged from the stale bytes behind them.
    for (const eol of ['\n', '\r\n']) {
      const file = join(dir, `boundaries-${eol.length}.tsv`);
      const text = ['a\tb', 'x\ty', '', 'p\tq', '', '', 'long row\twith more text', 'z\tw', ''].join(eol).repeat(7);
      writeFileSync(file, text);
      // What the file holds, by construction: its non-blank lines split at tabs, the first the header.
      const want = text
        .split(eol)
        .filter((l) => l !== '')
        .map((l) => l.split('\t'));
      for (let chunkBytes = 4; chunkBytes <= 96; chunkBytes++) {
        const got = await readAll(file, { chunkBytes });
        expect([got.header, ...got.rows.map((r) => r.cells)], `chunkBytes ${chunkBytes}, ${JSON.stringify(eol)}`).toEqual(want);
      }
    }
  });

  it('skips image cells without decoding them, and reads them back by span', async () => {
    const file = join(dir, 'crlf.tsv');
    writeFileSync(file, hostileTsv(50, 3, '\r\n'));
    const full = await readAll(file, { chunkBytes: 256 });
    const lean = await readAll(file, { chunkBytes: 256, skip: (c) => c === 'image' });
    expect(lean.rows.length).toBe(full.rows.length);
    for (let i = 0; i < full.rows.length; i++) {
      expect(lean.rows[i].cells[2]).toBeUndefined();
      expect(lean.rows[i].cells[1]).toBe(full.rows[i].cells[1]);
      expect(await readTsvSpan(file, lean.rows[i].spans.get(2)!)).toBe(full.rows[i].cells[2]);
      expect(isBase64(full.rows[i].cells[2]!)).toBe(true);
    }
  });

  it('names file and line for a short row and for an unterminated quote', async () => {
    const short = join(dir, 'short.tsv');
    writeFileSync(short, 'index\tquestion\timage\n0\tq\tAAAA\n1\tq\n');
    await expect(readAll(short)).rejects.toThrow(/short\.tsv:3: row has 2 columns, the header has 3/);
    const open = join(dir, 'open.tsv');
    writeFileSync(open, 'index\tquestion\n0\t"never closed\n');
    await expect(readAll(open)).rejects.toBeInstanceOf(InputError);
    await expect(readAll(join(dir, 'absent.tsv'))).rejects.toThrow(/absent\.tsv: file not found/);
  });

  it('tells broken base64 from good', () => {
    expect(isBase64(Buffer.from('hello!').toString('base64'))).toBe(true);
    expect(isBase64('aGVsbG8*IQ==')).toBe(false);
    expect(isBase64('aGVsbG8hI')).toBe(false);
  });
});
