// readJsonArrayField against JSON.parse (a third-party parser: V8's): the same elements in the same order
// and the same rest of the document, whatever the piece and batch sizes cut through; malformed documents
// refused with the file named, as readJson refuses them.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonArrayField } from '../../../benchmarks/shared/json-array-stream.ts';
import { InputError } from '../../../core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'eve-json-array-'));
let n = 0;
function file(text: string): string {
  const f = join(dir, `doc${n++}.json`);
  writeFileSync(f, text);
  return f;
}

async function read(f: string, key: string, sizes: { batchBytes?: number; readBytes?: number }) {
  const items: unknown[] = [];
  const batches: number[] = [];
  const r = await readJsonArrayField(
    f,
    key,
    (xs) => {
      batches.push(xs.length);
      items.push(...xs);
    },
    sizes,
  );
  return { ...r, items, batches };
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Elements with the characters that trip scanners: quotes, backslashes, brackets in strings, non-ASCII. */
function element(r: () => number, i: number): unknown {
  const strs = ['plain', 'with "quote"', 'back\\slash\\', 'br]ack{et}[', 'naïve café ☕ 𝔘', '\\"', 'comma, here', '\n\t', ''];
  const s = () => strs[Math.floor(r() * strs.length)];
  return {
    question_id: i,
    answers: Array.from({ length: 1 + Math.floor(r() * 4) }, (_, j) => ({ answer: s(), answer_id: j })),
    nested: [[s()], {}],
    n: r() < 0.5 ? null : -1.5e-3,
  };
}

describe('readJsonArrayField', () => {
  const r = lcg(3);
  const doc = {
    info: { description: 'a "field" named annotations: [not this]', annotations: 'nested, not top level' },
    license: ['x', { y: '[' }],
    annotations: Array.from({ length: 500 }, (_, i) => element(r, i)),
    data_type: 'mscoco',
  };
  const text = JSON.stringify(doc, null, 1);

  for (const sizes of [{ batchBytes: 1, readBytes: 7 }, { batchBytes: 100, readBytes: 64 }, { batchBytes: 5000, readBytes: 4096 }, {}]) {
    it(`gives JSON.parse's elements and rest (batch ${sizes.batchBytes ?? 'default'}, pieces of ${sizes.readBytes ?? 'default'} bytes)`, async () => {
      const got = await read(file(text), 'annotations', sizes);
      expect(got.found).toBe(true);
      expect(got.items).toEqual(doc.annotations);
      expect(got.rest).toEqual({ ...doc, annotations: [] });
      if (sizes.batchBytes === 1) expect(got.batches.every((b) => b === 1)).toBe(true);
    });
  }

  it('reads a BOM, an empty array and a compact document', async () => {
    expect(await read(file('\uFEFF{"a":[]}'), 'a', { readBytes: 2 })).toMatchObject({ found: true, items: [], rest: { a: [] } });
    expect(await read(file('{"b":1,"a":[1,[2],"3"]}'), 'a', {})).toMatchObject({ found: true, items: [1, [2], '3'], rest: { b: 1, a: [] } });
  });

  it('answers found: false when the field is absent, not an array, or not at the top level', async () => {
    expect((await read(file('{"x":{"a":[1]}}'), 'a', {})).found).toBe(false);
    expect((await read(file('{"a":"[1]"}'), 'a', {})).found).toBe(false);
    expect((await read(file('[{"a":[1]}]'), 'a', {})).found).toBe(false);
    expect((await read(file('{"ab":[1],"b":[2]}'), 'a', {})).found).toBe(false);
  });

  for (const [what, bad] of [
    ['a trailing comma', '{"a":[1,2,]}'],
    ['a trailing comma after a batch', '{"a":[1,2,3,4,5,6,]}'],
    ['a doubled comma', '{"a":[1,,2]}'],
    ['a bad element', '{"a":[1,{"x":}]}'],
    ['a bad skeleton', '{"a":[1],"b":}'],
    ['a truncated file', '{"a":[1,2'],
    ['an empty file', ''],
  ] as const) {
    it(`refuses ${what} with an InputError naming the file`, async () => {
      const f = file(bad);
      const err = await read(f, 'a', { batchBytes: 2, readBytes: 3 }).catch((e) => e);
      expect(err).toBeInstanceOf(InputError);
      expect(String(err.message)).toContain(f);
      expect(() => JSON.parse(bad)).toThrow();
    });
  }
});
