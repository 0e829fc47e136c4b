// scanJsonRecords against JSON.parse (V8's parser as the reference): whenever the scan accepts a document,
// JSON.parse accepts it too and the fields it hands over are exactly the ones read from JSON.parse's result,
// whatever the piece size cuts through (escapes, non-ASCII, numbers, whitespace, key order, duplicate keys,
// unknown nested fields). Broken documents (truncated anywhere, control characters, bad escapes and numbers,
// trailing commas, garbage after the end) and documents of another shape make it give up (false), never
// hand over values JSON.parse would not give.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanJsonRecords, type FieldSpec } from '../../../benchmarks/shared/json-records.ts';
import { scanJsonRecordsOffThread } from '../../../benchmarks/shared/json-records-thread.ts';

const dir = mkdtempSync(join(tmpdir(), 'eve-json-records-'));
let n = 0;
function file(text: string | Buffer): string {
  const f = join(dir, `doc${n++}.json`);
  writeFileSync(f, text);
  return f;
}

const FIELDS: Record<string, FieldSpec> = { question_id: 'number', answers: { arrayOf: 'answer' }, question_type: 'string', question: 'text' };

async function scan(f: string, chunkBytes?: number): Promise<unknown[][] | false> {
  const out: unknown[][] = [];
  const ok = await scanJsonRecords(f, 'annotations', FIELDS, (v) => out.push([...v]), chunkBytes ? { chunkBytes } : {});
  return ok ? out : false;
}

/** What the scan must give, read from JSON.parse's result (null: the document is not of the scanned shape). */
function expected(text: string): unknown[][] | null {
  const doc = JSON.parse(text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Array.isArray(doc.annotations)) return null;
  return doc.annotations.map((a: any) => [
    a.question_id,
    a.answers === undefined ? undefined : a.answers.map((x: any) => x.answer),
    a.question_type,
    a.question,
  ]);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const STRINGS = [
  'yes',
  'no',
  '2',
  'with "quote"',
  'back\\slash\\',
  'br]ack{et}[',
  'naïve café ☕ 𝔘',
  '\\"',
  'comma, here',
  '\n\t',
  '',
  '\u0000\u001f',
  '\ud800',
];

/** One record's text: its keys in a random order, sometimes one given twice (JSON.parse keeps the last). */
function record(r: () => number, i: number): string {
  const s = () => STRINGS[Math.floor(r() * STRINGS.length)];
  const rec: Record<string, unknown> = {
    question_type: s(),
    multiple_choice_answer: s(),
    answers: Array.from({ length: Math.floor(r() * 4) }, (_, j) => ({
      answer: s(),
      answer_confidence: s(),
      answer_id: j,
      extra: [null, true, false, { a: [-0.5e3] }],
    })),
    image_id: Math.floor(r() * 1e6),
    question: `${s()} ${i}?`,
    question_id: [i, -i, 0, 1.5, 2e3, -1.25e-7, 123456789012345680][i % 7],
  };
  if (r() < 0.2) delete rec.answers;
  if (r() < 0.1) delete rec.question_type;
  const keys = Object.keys(rec).sort(() => r() - 0.5);
  const parts = keys.map((k) => `${JSON.stringify(k)}: ${JSON.stringify(rec[k])}`);
  if (r() < 0.1) parts.push(`"question_id": ${i + 1000}`);
  return `{${parts.join(r() < 0.5 ? ', ' : ',\n  ')}}`;
}

function document(seed: number, count: number): string {
  const r = lcg(seed);
  const recs = Array.from({ length: count }, (_, i) => record(r, i));
  return `\ufeff{"info": {"annotations": "not this one", "x": [1, {"y": "]"}]}, "license": null,\n "annotations": [\n${recs.join(',\n')}\n], "data_type": "mscoco", "n": -1.5E+2}\n`;
}

describe('scanJsonRecords', () => {
  it('hands over exactly what JSON.parse gives, whatever the piece size', async () => {
    for (const seed of [1, 2, 3]) {
      const text = document(seed, 300);
      const want = expected(text.replace(/^\ufeff/, ''));
      const f = file(text);
      for (const chunk of [16, 97, 1024, 1 << 20]) expect(await scan(f, chunk), `seed ${seed}, chunk ${chunk}`).toEqual(want);
    }
  });

  it('interns repeated short strings: one string per distinct value', async () => {
    const f = file(JSON.stringify({ annotations: Array.from({ length: 50 }, (_, i) => ({ question_id: i, answers: [{ answer: 'yes' }, { answer: 'no' }] })) }));
    const got = (await scan(f, 64)) as unknown[][];
    expect(got.length).toBe(50);
    expect(got.every((v) => (v[1] as string[]).join() === 'yes,no')).toBe(true);
  });

  it('gives up on every truncation and on broken JSON; accepts only what JSON.parse accepts', async () => {
    const good = document(7, 6);
    const cases: string[] = [];
    for (let cut = 0; cut < good.length - 1; cut += 3) cases.push(good.slice(0, cut));
    cases.push(
      good.replace('"yes"', '"y\tes"'), // a raw control character in a string
      good.replace('"license": null', '"license": nul'),
      good.replace('"license": null', '"license": 01'),
      good.replace('"license": null', '"license": 1.'),
      good.replace('"license": null', '"license": -'),
      good.replace('"license": null', '"license": "\\x"'),
      good.replace('"license": null', '"license": "\\u12g4"'),
      good.replace('"license": null', '"license": [1,]'),
      good.replace('"license": null', '"license": {"a" 1}'),
      good.replace('\n], "data_type"', ',\n], "data_type"'), // a trailing comma in the array
      `${good}x`,
      `${good}{}`,
      good.replace('"annotations": [', '"annotations": {"a": ['), // not an array
      good.replace('"data_type": "mscoco"', '"annotations": []'), // the array twice: JSON.parse keeps the last
      '{"annotations": [1, 2]}', // records that are not objects
      '{"annotations": [{"question_id": "7"}]}', // a field of another type
      '{"annotations": [{"answers": [{"answer": 3}]}]}',
      '{"annotations": [{"answers": [{"answer_id": 1}]}]}',
      '{"other": []}',
      '[]',
      '',
    );
    for (const text of cases) {
      let valid = true;
      try {
        JSON.parse(text.replace(/^\ufeff/, ''));
      } catch {
        valid = false;
      }
      const got = await scan(file(text), 32);
      expect(got, `${valid ? 'valid' : 'invalid'}: …${JSON.stringify(text.slice(-40))}`).toBe(false);
    }
    expect(await scan(file(good))).toEqual(expected(good.replace(/^\ufeff/, '')));
  });

  it('names a missing file', async () => {
    await expect(scan(join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: file not found/);
  });
});

// The same scan on a worker thread (what VQAv2 val's annotations take): what comes back through the columns
// is what JSON.parse gives, and it gives up and fails as the scan on this thread does.
describe('scanJsonRecordsOffThread', () => {
  const offThread = async (f: string): Promise<unknown[][] | false> => {
    const out: unknown[][] = [];
    const ok = await scanJsonRecordsOffThread(f, 'annotations', FIELDS, (v) => out.push([...v]), { minBytes: 0 });
    return ok ? out : false;
  };

  it('hands over exactly what JSON.parse gives: numbers, interned strings, texts, arrays, absent fields', async () => {
    const text = document(11, 400);
    const want = expected(text.replace(/^\ufeff/, ''))!;
    expect(want.some((v) => v[1] === undefined) && want.some((v) => v[2] === undefined)).toBe(true);
    expect(await offThread(file(text))).toEqual(want);
  });

  it('gives up where the scan gives up, and names a missing file', async () => {
    const good = document(7, 6);
    for (const text of [good.slice(0, good.length - 5), good.replace('"license": null', '"license": 01'), '{"annotations": [{"question_id": "7"}]}'])
      expect(await offThread(file(text))).toBe(false);
    await expect(offThread(join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: file not found/);
  });
});
