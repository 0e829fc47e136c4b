import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, readJsonl, readJsonlObjects, readTextLines, resolveInside } from '../../../benchmarks/shared/data-files.ts';
import { InputError, UserError } from '../../../core/errors.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'eve-data-files-'));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('resolveInside', () => {
  const root = path.join(dir, 'data');
  const folder = path.join(root, 'images');
  it('resolves a name inside the root', () => {
    expect(resolveInside(root, folder, 'a/b.jpg', 'q.jsonl', 3)).toBe(path.join(folder, 'a', 'b.jpg'));
    expect(resolveInside(root, folder, '../other/c.jpg', 'q.jsonl', 3)).toBe(path.join(root, 'other', 'c.jpg'));
    expect(resolveInside(root, folder, '..x.jpg', 'q.jsonl', 3)).toBe(path.join(folder, '..x.jpg')); // a name, not a climb
  });
  it('refuses climbing out, absolute paths, the root itself and empty names, naming file and line', () => {
    expect(() => resolveInside(root, folder, '../../etc/passwd', 'q.jsonl', 3)).toThrow('q.jsonl:3: image path "../../etc/passwd" escapes the data root');
    expect(() => resolveInside(root, folder, path.join(folder, 'x.jpg'), 'q.jsonl', 4)).toThrow(InputError);
    expect(() => resolveInside(root, folder, '..', 'q.jsonl', 5)).toThrow(/escapes the data root/);
    expect(() => resolveInside(root, root, '.', 'q.jsonl', 'id 7')).toThrow('q.jsonl (id 7): image path "." escapes the data root');
    expect(() => resolveInside(root, folder, '', 'q.jsonl', 6)).toThrow('q.jsonl:6: missing image file name');
    expect(() => resolveInside(path.join(dir, 'dat'), path.join(dir, 'data'), 'x.jpg', 'q.jsonl', 1)).toThrow(/escapes/); // prefix is not containment
  });
});

describe('readJsonl / readJsonlObjects', () => {
  it('skips blank lines and a BOM, and numbers lines from 1', async () => {
    const f = file('ok.jsonl', '\uFEFF{"a":1}\n\n[2]\n');
    expect(await all(readJsonl(f))).toEqual([
      { value: { a: 1 }, line: 1 },
      { value: [2], line: 3 },
    ]);
  });
  it('names file and line for a malformed line or a non-object', async () => {
    const bad = file('bad.jsonl', '{"a":1}\n{oops\n');
    await expect(all(readJsonl(bad))).rejects.toThrow(`${bad}:2: malformed JSON`);
    const arr = file('arr.jsonl', '{"a":1}\n[2]\n');
    await expect(all(readJsonlObjects(arr))).rejects.toThrow(`${arr}:2: expected a JSON object on this line`);
  });
  it('a missing file is a UserError', async () => {
    await expect(all(readJsonl(path.join(dir, 'nope.jsonl')))).rejects.toThrow(UserError);
  });
});

describe('readJson / readTextLines', () => {
  it('names the line of a JSON syntax error', async () => {
    const f = file('bad.json', '{\n"a": 1,\n}\n');
    await expect(readJson(f)).rejects.toThrow(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: malformed JSON`));
    await expect(readJson(path.join(dir, 'none.json'))).rejects.toThrow('none.json: file not found');
  });
  it('keeps the line numbers of non-blank lines', async () => {
    expect(await readTextLines(file('t.txt', 'a\tb\n\nc\td\n'))).toEqual([
      { value: 'a\tb', line: 1 },
      { value: 'c\td', line: 3 },
    ]);
  });
});
