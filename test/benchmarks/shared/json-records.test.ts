// scanJsonRecords against JSON.parse (V8's parser as the reference): whenever the scan accepts a document,
// JSON.parse accepts it too and the fields it hands over are exactly the ones read from JSON.parse's result,
// whatever the piece size cuts through (escapes, non-ASCII, numbers, whitespace, key order, duplicate keys,
// unknown nested fields). Broken documents (truncated anywhere, control characters, bad escapes and numbers,
// trailing commas, garbage after the end) and documents of another shape make it give up (false), never
// hand over values JSON.parse would not give.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonlBatches } from '../../../benchmarks/shared/data-files.ts';
import { scanJsonLines, scanJsonRecords, type FieldSpec } from '../../../benchmarks/shared/json-records.ts';
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

  it("carries 'scalar' fields, strings and numbers, through the columns", async () => {
    const f = file('{"annotations": [{"question_id": 7, "k": "a\\u00e9b"}, {"k": -2.5e3}, {"question_id": 8}]}');
    const out: unknown[][] = [];
    const ok = await scanJsonRecordsOffThread(f, 'annotations', { question_id: 'number', k: 'scalar' }, (v) => out.push([...v]), { minBytes: 0 });
    expect(ok).toBe(true);
    expect(out).toEqual([
      [7, 'a\u00e9b'],
      [undefined, -2500],
      [8, undefined],
    ]);
  });
});

// The WebAssembly scan's own edges, against the same reference: random documents of every kind of value,
// whitespace and escape (keys too), scanned in pieces of every size; the intern table, the lists and the
// batches of records grown past their first sizes; nesting at the depth limit; scans that interleave.

/** Whether JSON.parse gives `text`, and what the scan must hand over then (null: the scan must give up). */
function reference(text: string | Buffer): unknown[][] | null {
  let doc: any;
  try {
    doc = JSON.parse(typeof text === 'string' ? text.replace(/^\ufeff/, '') : text.toString('utf8').replace(/^\ufeff/, ''));
  } catch {
    return null;
  }
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(doc) || !Array.isArray(doc.annotations)) return null;
  const out: unknown[][] = [];
  for (const a of doc.annotations) {
    if (!isObject(a)) return null;
    const has = (k: string) => Object.hasOwn(a, k);
    if (has('question_id') && typeof a.question_id !== 'number') return null;
    if (has('question_type') && typeof a.question_type !== 'string') return null;
    if (has('question') && typeof a.question !== 'string') return null;
    if (has('answers') && !(Array.isArray(a.answers) && a.answers.every((x) => isObject(x) && typeof x.answer === 'string'))) return null;
    out.push([a.question_id, (a.answers as { answer: string }[] | undefined)?.map((x) => x.answer), a.question_type, a.question]);
  }
  return out;
}

const TRICKY_STRINGS = [
  ...STRINGS,
  'x'.repeat(63),
  'y'.repeat(64),
  'z'.repeat(65),
  `${'long '.repeat(40)}end`,
  '0123456789abcde', // 15, 16 and 17 bytes: a string's end at the 16-byte loads' edges
  '0123456789abcdef',
  '0123456789abcdefg',
  'del \u007f',
  'tab\there',
  '/slash/',
  '\u2028\u2029',
  '\udbff\udfff',
  '\udc00 lone low',
  'ÿ',
  'a'.repeat(70) + 'é',
  'back \b, form \f, return \r', // each short escape
];
const NUMBERS = [
  '0',
  '-0',
  '7',
  '-12',
  '123456789012345',
  '-999999999999999',
  '1234567890123456',
  '9007199254740993',
  '-12345678901234567890',
  '1.5',
  '-0.0',
  '0.1',
  '1e3',
  '1E+3',
  '2e-7',
  '-1.25E-7',
  '123.456e-2',
  '5e-324',
  '2.5e-400',
  '1.7976931348623157e308',
  '1e400',
  '-1e400',
  '100000000000000000000000',
];

/** JSON text of string s, each character written plainly or escaped at random (as JSON allows). */
function quote(r: () => number, s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const u = (n: number) => `\\u${n.toString(16).padStart(4, '0')[r() < 0.5 ? 'toUpperCase' : 'toLowerCase']()}`;
    const short: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    if (c >= 0xd800 && c < 0xe000)
      out += u(c); // a lone surrogate has no UTF-8
    else if (c < 0x20 || ch === '"' || ch === '\\') out += short[ch] && r() < 0.7 ? short[ch] : u(c);
    else if (ch === '/' && r() < 0.3) out += '\\/';
    else if (r() < 0.04) out += c > 0xffff ? u(0xd800 + ((c - 0x10000) >> 10)) + u(0xdc00 + ((c - 0x10000) & 0x3ff)) : u(c);
    else out += ch;
  }
  return `${out}"`;
}

/** A random document: mostly of the scanned shape, sometimes not (`giveUp` then, besides what JSON.parse says). */
function randomDocument(r: () => number): { text: string; giveUp: boolean } {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const sp = () => pick(['', '', '', ' ', '\n', '\t', '\r\n  ']);
  const str = () => quote(r, pick(TRICKY_STRINGS));
  // A key: sometimes one escaped character, which the scan must decode before comparing.
  const key = (k: string) => (r() < 0.15 ? quote(() => 0.01, k) : quote(() => 0.5, k));
  const obj = (members: [string, string][]) => `{${sp()}${members.map(([k, v]) => `${key(k)}${sp()}:${sp()}${v}`).join(`${sp()},${sp()}`)}${sp()}}`;
  const any = (depth: number): string => {
    const x = r();
    if (depth > 4 || x < 0.3) return str();
    if (x < 0.5) return pick(NUMBERS);
    if (x < 0.6) return pick(['true', 'false', 'null']);
    if (x < 0.8) return `[${sp()}${Array.from({ length: Math.floor(r() * 4) }, () => any(depth + 1)).join(`${sp()},${sp()}`)}${sp()}]`;
    return obj(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [pick(['a', 'answer', 'question_id', `k${i}`, '\ud800', '']), any(depth + 1)]));
  };
  let giveUp = false;
  // JSON.parse keeps the last of duplicate keys; the scan gives up on any of another type than asked.
  const fits = (field: string, v: string) => {
    const x = JSON.parse(v);
    if (field === 'question_id') return typeof x === 'number';
    if (field === 'answers')
      return Array.isArray(x) && x.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e) && typeof e.answer === 'string');
    return typeof x === 'string';
  };
  const checkDuplicates = (members: [string, string][], fields: string[]) => {
    for (const f of fields) {
      const values = members.filter(([k]) => k === f).map(([, v]) => v);
      if (values.slice(0, -1).some((v) => !fits(f, v))) giveUp = true;
    }
  };
  const wrong = (right: () => string) => {
    if (r() > 0.01) return right();
    return any(0); // maybe of another type: then JSON.parse's result says the scan must give up
  };
  const answer = () => {
    const members: [string, string][] = [
      ['answer_confidence', str()],
      ['answer_id', pick(NUMBERS)],
    ];
    if (r() < 0.95) members.push(['answer', wrong(str)]);
    if (r() < 0.1) members.push(['answer', str()]); // a second one: JSON.parse keeps the last
    if (r() < 0.2) members.push(['extra', any(1)]);
    members.sort(() => r() - 0.5);
    checkDuplicates(members, ['answer']);
    return r() < 0.005 ? any(0) : obj(members);
  };
  const record = () => {
    const members: [string, string][] = [];
    if (r() < 0.9) members.push(['question_id', wrong(() => pick(NUMBERS))]);
    if (r() < 0.9) members.push(['answers', wrong(() => `[${sp()}${Array.from({ length: Math.floor(r() * 5) }, answer).join(`${sp()},${sp()}`)}${sp()}]`)]);
    if (r() < 0.9) members.push(['question_type', wrong(str)]);
    if (r() < 0.9) members.push(['question', wrong(str)]);
    if (r() < 0.3) members.push(['image_id', any(0)]);
    if (r() < 0.1) members.push([pick(['question_id', 'question_type', 'question']), r() < 0.5 ? str() : pick(NUMBERS)]);
    members.sort(() => r() - 0.5);
    checkDuplicates(members, ['question_id', 'answers', 'question_type', 'question']);
    return r() < 0.005 ? any(0) : obj(members);
  };
  const top: [string, string][] = [
    ['info', any(0)],
    ['annotations', r() < 0.01 ? any(0) : `[${sp()}${Array.from({ length: Math.floor(r() * 8) }, record).join(`${sp()},${sp()}`)}${sp()}]`],
    ['data_type', any(0)],
  ];
  if (r() < 0.02) {
    top.push(['annotations', '[]']); // the array twice
    giveUp = true;
  }
  if (r() < 0.02) top.splice(1, 1);
  const bom = r() < 0.1 ? '\ufeff' : '';
  const tail = pick(['', '', '\n', ' \r\n\t', ...(r() < 0.02 ? ['x', '{}', '\u0000', ','] : [])]);
  return { text: `${bom}${sp()}${obj(top.sort(() => r() - 0.5))}${tail}`, giveUp };
}

describe('scanJsonRecords in WebAssembly', () => {
  it('random documents: the values JSON.parse gives, or giving up where the shape is not the scanned one', async () => {
    let accepted = 0;
    for (let seed = 100; seed < 600; seed++) {
      const r = lcg(seed);
      const { text, giveUp } = randomDocument(r);
      const ref = reference(text);
      const want = giveUp || ref === null ? false : ref;
      if (want) accepted++;
      const f = file(text);
      for (const chunk of [16 + Math.floor(r() * 48), 64 + Math.floor(r() * 900), undefined])
        expect(
          await scan(f, chunk),
          `seed ${seed}, chunk ${chunk}, giveUp ${giveUp}, ref ${JSON.stringify(ref)?.slice(0, 300)}: ${JSON.stringify(text)}`,
        ).toEqual(want);
    }
    expect(accepted).toBeGreaterThan(225);
  });

  it('documents with one byte changed: when the scan accepts one, JSON.parse gives the same values', async () => {
    const BYTES = Buffer.from('"\\,:{}[] 0-+e.uatfnl/\u0000\u001f\u007f');
    let accepted = 0;
    for (let seed = 1000; seed < 1100; seed++) {
      const r = lcg(seed);
      const good = Buffer.from(randomDocument(r).text);
      for (let m = 0; m < 20; m++) {
        // Half the time at a bracket, where a comma too many or too few is likeliest to slip through.
        const closers = [...good.keys()].filter((i) => ']},'.includes(String.fromCharCode(good[i])));
        const at = r() < 0.5 ? closers[Math.floor(r() * closers.length)] : Math.floor(r() * good.length);
        const b = BYTES[Math.floor(r() * BYTES.length)];
        const x = r(); // replace, delete or insert a byte
        const bad = Buffer.concat([
          good.subarray(0, at),
          ...(x < 0.4 ? [Buffer.from([b]), good.subarray(at + 1)] : x < 0.7 ? [good.subarray(at + 1)] : [Buffer.from([b]), good.subarray(at)]),
        ]);
        const got = await scan(file(bad), 16 + Math.floor(r() * 100));
        if (got === false) continue;
        accepted++;
        expect(got, `seed ${seed}, change ${m}: ${JSON.stringify(bad.toString())}`).toEqual(reference(bad));
      }
    }
    expect(accepted).toBeGreaterThan(200);
  });

  it('cuts at every byte: pieces of every size from 16 to 120', async () => {
    const r = lcg(5);
    const recs = Array.from({ length: 6 }, (_, i) => {
      const answers = TRICKY_STRINGS.slice(i * 5, i * 5 + 5).map((s) => `{"answer": ${quote(r, s)}, "answer_id": ${NUMBERS[i]}}`);
      return `{"question_id": ${NUMBERS[i * 3 + 2]}, "answers": [${answers.join(',')}], "question_type": ${quote(r, TRICKY_STRINGS[i])}, "n": [true, false, null, {"\\u0061": -0.5e-3}], "question": ${quote(r, TRICKY_STRINGS[20 + i])}}`;
    });
    const text = `\ufeff { "info" : { "a" : [ 1 , "\\u00e9\\n" ] } , "annotations" :\r\n[ ${recs.join(' ,\n')} ] , "z" : null }\n`;
    const want = reference(text);
    expect(want).not.toBeNull();
    const f = file(text);
    for (let chunk = 16; chunk <= 120; chunk++) expect(await scan(f, chunk), `chunk ${chunk}`).toEqual(want);
  });

  it('numbers to the last bit: big integers, exponents, -0, out of range', async () => {
    const recs = [...NUMBERS, '-0e0', '0e-0', '1.0', '18446744073709551616', '0.30000000000000004', '4.9406564584124654e-324'].map(
      (n) => `{"question_id": ${n}}`,
    );
    const text = `{"annotations": [${recs.join(',')}]}`;
    const got = (await scan(file(text), 32)) as unknown[][];
    const want = reference(text)!;
    expect(got).toEqual(want);
    // toEqual tells -0 from 0; say it outright too.
    expect(Object.is(got[1][0], -0)).toBe(true);
    expect(got.map((v) => v[0])).toContain(Infinity);
  });

  it('keys with escapes are compared decoded; other broken bytes as JSON.parse decodes them', async () => {
    const text =
      '{"\\u0061nnotations": [{"\\u0071uestion_id": 1, "question\\u005Ftype": "t", "answers": [{"\\u0061nswer": "a", "answer": "b"}, {"answ\\u0065r": "c"}],' +
      ' "\\ud800": 1, "question_id\\u0000": 2, "\\ud834\\udd1e": 3, "question": "q"}], "x\\"y": 1}';
    expect(await scan(file(text), 16)).toEqual([[1, ['b', 'c'], 't', 'q']]);
    // Bytes that are not UTF-8, in a text, an answer, a key: each decoded as JSON.parse decodes the file.
    const raw = Buffer.concat([
      Buffer.from('{"annotations": [{"question": "a'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('", "answers": [{"answer": "'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('"}], "k'),
      Buffer.from([0x80]),
      Buffer.from('": 1}]}'),
    ]);
    const f = file(raw);
    for (const chunk of [16, 19, 1024]) expect(await scan(f, chunk)).toEqual(reference(raw));
  });

  it('grows what it holds: many distinct strings, a long list, records past one batch', async () => {
    const r = lcg(9);
    const words = Array.from({ length: 30000 }, (_, i) => `w${(i * 7919) % 30000}${'-'.repeat(i % 70)}`);
    const recs = Array.from({ length: 3000 }, (_, i) => ({
      question_id: i,
      answers: Array.from({ length: 10 }, () => ({ answer: words[Math.floor(r() * words.length)] })),
      question_type: words[i],
    }));
    recs[1500].answers = Array.from({ length: 40000 }, (_, i) => ({ answer: words[i % words.length] }));
    const text = JSON.stringify({ annotations: recs });
    const want = reference(text);
    const f = file(text);
    for (const chunk of [4096, undefined]) expect(await scan(f, chunk)).toEqual(want);
  });

  it('nests skipped values up to 513 containers deep, then gives up; never overflows', async () => {
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const doc = (info: string, extra: string) =>
      `{"info": ${info}, "annotations": [{"question_id": 1, "x": ${extra}, "answers": [{"answer": "a", "y": ${extra}}]}]}`;
    expect(await scan(file(doc(nested(513), nested(513))), 64)).toEqual([[1, ['a'], undefined, undefined]]);
    for (const text of [doc(nested(514), '1'), doc('1', nested(514)), doc(`${'{"a":'.repeat(600)}1${'}'.repeat(600)}`, '1'), doc(nested(200000), '1')])
      expect(await scan(file(text), 4096)).toBe(false);
  });

  it('gives up on a NUL or other bytes after the document, and on a record of another shape', async () => {
    const good = document(3, 4);
    for (const text of [
      `${good}\u0000`,
      `${good} \u0000`,
      good.replace('"license": null', '"license": "a\u0000b"'),
      '{"annotations": [null]}',
      '{"annotations": [[]]}',
      '{"annotations": [{"answers": [[]]}]}',
      '{"annotations": [{"answers": {}}]}',
      '{"annotations": [{"question": 1}]}',
      '{}',
      '{"annotations": []',
    ])
      expect(await scan(file(text), 16)).toBe(false);
    expect(await scan(file('{"annotations": []}'))).toEqual([]);
    expect(await scan(file('{"annotations":[{}]}'))).toEqual([[undefined, undefined, undefined, undefined]]);
  });

  it('scans that interleave on one thread, or that fail, leave the others right', async () => {
    const texts = [document(21, 200), document(22, 50), document(23, 120)];
    const files = texts.map(file);
    const got = await Promise.all(files.map((f, i) => scan(f, 64 + i * 13)));
    expect(got).toEqual(texts.map((t) => expected(t.replace(/^\ufeff/, ''))));
    await expect(
      scanJsonRecords(files[0], 'annotations', FIELDS, () => {
        throw new Error('from onRecord');
      }),
    ).rejects.toThrow('from onRecord');
    expect(await scan(files[1], 16)).toEqual(expected(texts[1].replace(/^\ufeff/, '')));
  });

  it('gives up on names its bytes cannot tell apart', async () => {
    const f = file('{"annotations": [{"a": 1}]}');
    expect(await scanJsonRecords(f, 'annotations', { '\ud800': 'number' }, () => {})).toBe(false);
    expect(await scanJsonRecords(f, 'annotations\ufffd', { a: 'number' }, () => {})).toBe(false);
    const got: unknown[] = [];
    expect(await scanJsonRecords(f, 'annotations', { a: 'number' }, (v) => got.push(v[0]))).toBe(true);
    expect(got).toEqual([1]);
  });
});

// scanJsonLines against readJsonlBatches (data-files.ts: the general reader of JSON Lines, the fallback) and
// the fields read from its JSON.parse'd objects: the same records with the same line numbers, whatever the
// pieces cut through (line breaks \n, \r\n and a lone \r, BOM, blank lines, escapes, non-ASCII, numbers,
// duplicate and absent keys); and giving up wherever that reader fails or reads a line as anything but an
// object of the asked types, or skips a blank line of whitespace JSON does not have.

const LINE_FIELDS: Record<string, FieldSpec> = { question_id: 'scalar', text: 'text', answers: { arrayOf: 'answer' }, type: 'string', score: 'number' };

async function scanLines(f: string, chunkBytes?: number, fields = LINE_FIELDS): Promise<[number, unknown[]][] | false> {
  const out: [number, unknown[]][] = [];
  const ok = await scanJsonLines(f, fields, (v, line) => out.push([line, [...v]]), chunkBytes ? { chunkBytes } : {});
  return ok ? out : false;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The values of `fields` in a JSON.parse'd object; null when one is of another type than asked. */
function fieldValues(o: Record<string, unknown>, fields: Record<string, FieldSpec>): unknown[] | null {
  const out: unknown[] = [];
  for (const [k, spec] of Object.entries(fields)) {
    const v = o[k];
    if (!Object.hasOwn(o, k)) out.push(undefined);
    else if (typeof spec === 'object') {
      if (!Array.isArray(v) || !v.every((x) => isObject(x) && typeof x[spec.arrayOf] === 'string')) return null;
      out.push(v.map((x) => x[spec.arrayOf]));
    } else if (spec === 'number' ? typeof v === 'number' : spec === 'scalar' ? typeof v === 'number' || typeof v === 'string' : typeof v === 'string')
      out.push(v);
    else return null;
  }
  return out;
}

/** What scanJsonLines must hand over for file f: what readJsonlBatches reads of it, or null (it must give up). */
async function linesReference(f: string, fields = LINE_FIELDS): Promise<[number, unknown[]][] | null> {
  const out: [number, unknown[]][] = [];
  try {
    for await (const batch of readJsonlBatches(f))
      for (const { value, line } of batch) {
        const v = isObject(value) ? fieldValues(value, fields) : null;
        if (!v) return null;
        out.push([line, v]);
      }
  } catch {
    return null;
  }
  // Blank lines that trim() calls blank and JSON does not (\v, U+00A0, a BOM after the first line...).
  const lines = readFileSync(f, 'utf8')
    .replace(/^\ufeff/, '')
    .split(/\r\n|\n|\r/);
  if (lines.some((l) => l.trim() === '' && /[^ \t]/.test(l))) return null;
  return out;
}

/** A random JSON Lines file: mostly objects of the scanned shape; `giveUp` where the scan must give up besides what the reference says. */
function randomLines(r: () => number): { text: string; giveUp: boolean } {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const sp = () => pick(['', '', '', ' ', '\t', '  ']);
  const str = () => quote(r, pick(TRICKY_STRINGS));
  const key = (k: string) => (r() < 0.15 ? quote(() => 0.01, k) : quote(() => 0.5, k));
  const obj = (members: [string, string][]) => `{${sp()}${members.map(([k, v]) => `${key(k)}${sp()}:${sp()}${v}`).join(`${sp()},${sp()}`)}${sp()}}`;
  const any = (depth: number): string => {
    const x = r();
    if (depth > 3 || x < 0.3) return str();
    if (x < 0.5) return pick(NUMBERS);
    if (x < 0.6) return pick(['true', 'false', 'null']);
    if (x < 0.8) return `[${sp()}${Array.from({ length: Math.floor(r() * 4) }, () => any(depth + 1)).join(`${sp()},${sp()}`)}${sp()}]`;
    return obj(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [pick(['a', 'answer', 'text', `k${i}`, '']), any(depth + 1)]));
  };
  let giveUp = false;
  const scalar = () => (r() < 0.5 ? str() : pick(NUMBERS));
  const wrong = (right: () => string) => (r() < 0.008 ? any(0) : right());
  const fits = (field: string, v: string) => fieldValues({ [field]: JSON.parse(v) }, { [field]: LINE_FIELDS[field] }) !== null;
  const record = () => {
    const members: [string, string][] = [];
    const answers = () =>
      `[${Array.from({ length: Math.floor(r() * 3) }, () => obj([['answer', wrong(str)], ...(r() < 0.3 ? [['n', any(1)] as [string, string]] : [])])).join(',')}]`;
    if (r() < 0.9) members.push(['question_id', wrong(scalar)]);
    if (r() < 0.8) members.push(['text', wrong(str)]);
    if (r() < 0.3) members.push(['answers', wrong(answers)]);
    if (r() < 0.5) members.push(['type', wrong(str)]);
    if (r() < 0.5) members.push(['score', wrong(() => pick(NUMBERS))]);
    if (r() < 0.4) members.push(['metadata', any(0)]);
    if (r() < 0.1) members.push([pick(['question_id', 'text', 'score']), r() < 0.5 ? str() : pick(NUMBERS)]); // duplicate: the last one counts
    members.sort(() => r() - 0.5);
    // The scan gives up at a field of another type even where a later duplicate replaces it.
    for (const f of Object.keys(LINE_FIELDS)) {
      const values = members.filter(([k]) => k === f).map(([, v]) => v);
      if (values.slice(0, -1).some((v) => !fits(f, v))) giveUp = true;
    }
    return obj(members);
  };
  const line = () => {
    const x = r();
    if (x < 0.08) return '';
    if (x < 0.13) return pick([' ', '\t', ' \t ']);
    if (x < 0.133) return pick(['\u000b', '\u000c', '\u00a0', '\ufeff', ' \u2028']); // blank to trim(), not to JSON
    if (x < 0.136) return pick(['[]', '"x"', '12', 'null', 'true', '[{}]']); // not an object
    if (x < 0.139) return `${record()} ${record()}`; // two on one line
    if (x < 0.142) return record().replace(/,/, ',\n'); // one over two lines (when it has a comma)
    return `${sp()}${record()}${sp()}`;
  };
  const lines = Array.from({ length: Math.floor(r() * 25) }, line);
  const breaks = () => pick(['\n', '\n', '\n', '\r\n', '\r\n', '\r']);
  const bom = r() < 0.15 ? '\ufeff' : '';
  const text = bom + lines.map((l, i) => (i < lines.length - 1 || r() < 0.6 ? l + breaks() : l)).join('');
  return { text, giveUp };
}

describe('scanJsonLines', () => {
  it('random files: what readJsonlBatches reads and JSON.parse gives, with line numbers, or giving up', async () => {
    let accepted = 0;
    for (let seed = 2000; seed < 2400; seed++) {
      const r = lcg(seed * 2654435761); // (seeds far apart: an LCG's first draws from seeds in a row are close)
      const { text, giveUp } = randomLines(r);
      const f = file(text);
      const ref = await linesReference(f);
      const want = giveUp || ref === null ? false : ref;
      if (want && want.length > 3) accepted++;
      for (const chunk of [16 + Math.floor(r() * 48), 64 + Math.floor(r() * 900), undefined])
        expect(await scanLines(f, chunk), `seed ${seed}, chunk ${chunk}, giveUp ${giveUp}: ${JSON.stringify(text)}`).toEqual(want);
    }
    expect(accepted).toBeGreaterThan(120);
  });

  it('cuts at every byte: pieces of every size from 16 to 120', async () => {
    const r = lcg(6);
    const rec = (i: number) =>
      `{"question_id": ${i % 2 ? NUMBERS[i] : quote(r, TRICKY_STRINGS[i])}, "text":${quote(r, TRICKY_STRINGS[i + 12])},"metadata":{"\\u0061":[1,"}\\"{"]},` +
      `"answers": [{"answer": ${quote(r, TRICKY_STRINGS[i + 3])}}], "score": ${NUMBERS[i + 5]}, "type": "t${i % 3}"}`;
    const text = `\ufeff \t${rec(0)}\r\n\n${rec(1)}\r${rec(2)} \r\n \t\r\n\r\r${rec(3)}\t\n${rec(4)}\n${rec(5)}\r\n${rec(6)}\r\n${rec(7)}\r${rec(8)}\n\n${rec(9)}`;
    const f = file(text);
    const want = await linesReference(f);
    expect(want?.map(([line]) => line)).toEqual([1, 3, 4, 8, 9, 10, 11, 12, 13, 15]);
    for (let chunk = 16; chunk <= 120; chunk++) expect(await scanLines(f, chunk), `chunk ${chunk}`).toEqual(want);
    const crlf = file(`${text}\r\n`);
    for (let chunk = 16; chunk <= 120; chunk++) expect(await scanLines(crlf, chunk), `chunk ${chunk}, with \\r\\n at the end`).toEqual(want);
  });

  it('files with one byte changed, and every truncation: the reference values, or giving up where it fails', async () => {
    const BYTES = Buffer.from('"\\,:{}[] \t\n\r0-+e.uatfnl/\u0000\u000b\u001f\u007f');
    let accepted = 0;
    let refused = 0;
    for (let seed = 3000; seed < 3100; seed++) {
      const r = lcg(seed * 2654435761);
      let good: Buffer;
      for (;;) {
        const { text, giveUp } = randomLines(r);
        good = Buffer.from(text);
        if (!giveUp && good.length >= 20) break;
      }
      const cases: Buffer[] = [];
      for (let cut = 0; cut < good.length; cut += 1 + Math.floor(r() * 60)) cases.push(good.subarray(0, cut));
      for (let m = 0; m < 20; m++) {
        const breaks = [...good.keys()].filter((i) => '\r\n}{,'.includes(String.fromCharCode(good[i])));
        const at = r() < 0.5 ? breaks[Math.floor(r() * breaks.length)] : Math.floor(r() * good.length);
        const b = r() < 0.05 ? 0xef : BYTES[Math.floor(r() * BYTES.length)];
        const x = r(); // replace, delete or insert a byte
        cases.push(
          Buffer.concat([
            good.subarray(0, at),
            ...(x < 0.4 ? [Buffer.from([b]), good.subarray(at + 1)] : x < 0.7 ? [good.subarray(at + 1)] : [Buffer.from([b]), good.subarray(at)]),
          ]),
        );
      }
      for (const bytes of cases) {
        const f = file(bytes);
        const ref = await linesReference(f);
        const got = await scanLines(f, 16 + Math.floor(r() * 100));
        if (got === false) refused++;
        else accepted++;
        // (Stricter than the contract: a change could make a duplicate key's first value of another type, where
        // the scan may give up though the reference reads the line; these files have none.)
        expect(got, `seed ${seed}: ${JSON.stringify(bytes.toString())}`).toEqual(ref ?? false);
      }
    }
    expect(accepted).toBeGreaterThan(450);
    expect(refused).toBeGreaterThan(5000);
  });

  it('gives up on lines that are not one object, and on blanks JSON does not have', async () => {
    const good = '{"question_id": 1, "text": "a"}\n';
    for (const bad of [
      '[]',
      '"x"',
      '1',
      'null',
      '{} {}',
      '{}{}',
      '{},',
      '{"text": "a",\n "question_id": 1}',
      '{"text": "a"\r}',
      '{"text": "a\\',
      '\u000b',
      '\u000c',
      '\u00a0',
      '\ufeff',
      '\ufeff{}',
      '\u0000',
      ' \u0000',
      '{}\u0000',
      '{"text": 1}',
      '{"question_id": true}',
      '{"question_id": null}',
      '{"question_id": [1]}',
      '{"question_id": {}}',
      '{"score": "1"}',
      '{"answers": [{"answer": null}]}',
      '{"text": "tab\there"}',
      '{"text": "a"',
      '{"text": "a"} x',
    ]) {
      for (const text of [`${good}${bad}\n${good}`, `${good}${bad}`, ...(bad.startsWith('\ufeff') ? [] : [`${bad}\r\n`])]) {
        expect(await linesReference(file(text)), JSON.stringify(text)).toBeNull();
        expect(await scanLines(file(text), 16), JSON.stringify(text)).toBe(false);
      }
    }
  });

  it('counts the lines it skips; an empty file, blanks only, a BOM only', async () => {
    const cases: [string, [number, unknown[]][]][] = [
      ['', []],
      ['\n\n \t\r\n\r', []],
      ['\ufeff', []],
      ['\ufeff\n', []],
      ['\ufeff{}', [[1, [undefined, undefined, undefined, undefined, undefined]]]],
      ['\r\r\n\n{"question_id": "q1"}\n\n', [[4, ['q1', undefined, undefined, undefined, undefined]]]],
      ['\n{"question_id": 7}  \t', [[2, [7, undefined, undefined, undefined, undefined]]]],
      ['{"question_id": 7}\r', [[1, [7, undefined, undefined, undefined, undefined]]]],
    ];
    for (const [text, want] of cases) {
      const f = file(text);
      expect(await linesReference(f), JSON.stringify(text)).toEqual(want);
      for (const chunk of [16, undefined]) expect(await scanLines(f, chunk), JSON.stringify(text)).toEqual(want);
    }
    await expect(scanLines(join(dir, 'absent.jsonl'))).rejects.toThrow(/absent\.jsonl: file not found/);
  });

  it('long lines, many of them: records past one batch, lines past the piece size', async () => {
    const r = lcg(12);
    const lines = Array.from({ length: 5000 }, (_, i) =>
      i % 1000 === 7
        ? JSON.stringify({ question_id: `q${i}`, text: 'long '.repeat(3000) + quote(r, 'é\n'), type: 'x'.repeat(i % 80) })
        : i % 3
          ? JSON.stringify({ question_id: i, text: TRICKY_STRINGS[i % TRICKY_STRINGS.length], type: `t${i % 50}`, score: i / 7 })
          : '',
    );
    const f = file(lines.join('\n'));
    const want = await linesReference(f);
    expect(want?.length).toBe(3334);
    for (const chunk of [1000, undefined]) expect(await scanLines(f, chunk)).toEqual(want);
  });
});

describe('texts with escapes decoded in C', () => {
  it('broken UTF-8 beside escapes comes out as decoding the file, then JSON.parse, gives it', async () => {
    const pieces = [[0xe2, 0x82], '\\u00e9', [0xff], '\\n', [0xc3], '\\ud83d\\ude00', [0x80, 0x80], '\\u0041', [0xf0, 0x9f, 0x98], '\\u0080x', [0xed, 0xa0]];
    const value = Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
    const variants = [value, Buffer.concat([Buffer.from('\\t'), value]), Buffer.concat([value, Buffer.from('\\ud800')])];
    const fields: Record<string, FieldSpec> = { text: 'text', id: 'scalar' };
    const line = (v: Buffer) => Buffer.concat([Buffer.from('{"text": "'), v, Buffer.from('", "id": "'), v, Buffer.from('"}')]);
    const lines = file(Buffer.concat(variants.flatMap((v) => [line(v), Buffer.from('\n')])));
    const doc = file(Buffer.concat([Buffer.from('{"annotations": ['), ...variants.flatMap((v, i) => [Buffer.from(i ? ',' : ''), line(v)]), Buffer.from(']}')]));
    const want = await linesReference(lines, fields);
    expect(want).toHaveLength(3);
    expect(want![0][1][0]).toContain('\ufffd');
    for (const chunk of [16, 29, undefined]) {
      expect(await scanLines(lines, chunk, fields)).toEqual(want);
      const got: unknown[][] = [];
      expect(await scanJsonRecords(doc, 'annotations', fields, (v) => got.push([...v]), { chunkBytes: chunk })).toBe(true);
      expect(got).toEqual(want!.map(([, v]) => v));
    }
  });
});

describe("the 'scalar' field", () => {
  const SCALARS = [
    '"7"',
    '7',
    '-0',
    '1.5e300',
    '1e400',
    '12345678901234567890',
    '""',
    '"\\u00e9t\\u00e9"',
    '"q\\n1"',
    '"héhé"',
    '"\\ud800"',
    `"${'z'.repeat(70)}"`,
  ];
  const WRONG = ['true', 'false', 'null', '[]', '["7"]', '{}', '{"a": 7}'];

  it('a string (as text) or a number, in a document and in JSON Lines; anything else gives up', async () => {
    const fields: Record<string, FieldSpec> = { id: 'scalar', n: 'number' };
    const recs = [...SCALARS.map((s, i) => `{"id": ${s}, "n": ${i}}`), '{"n": -1}', '{"id": "dup", "id": 3}'];
    const want = recs.map((s) => fieldValues(JSON.parse(s), fields));
    expect(want.map((v) => typeof v?.[0])).toContain('string');
    expect(want.map((v) => typeof v?.[0])).toContain('number');
    const doc = file(`{"annotations": [${recs.join(', ')}]}`);
    const lines = file(recs.join('\n'));
    for (const chunk of [16, 23, undefined]) {
      const got: unknown[][] = [];
      expect(await scanJsonRecords(doc, 'annotations', fields, (v) => got.push([...v]), { chunkBytes: chunk })).toBe(true);
      expect(got).toEqual(want);
      expect(await scanLines(lines, chunk, fields)).toEqual(want.map((v, i) => [i + 1, v]));
    }
    for (const w of WRONG) {
      expect(await scanJsonRecords(file(`{"annotations": [{"id": 1}, {"id": ${w}}]}`), 'annotations', fields, () => {})).toBe(false);
      expect(await scanLines(file(`{"id": 1}\n{"id": ${w}}\n`), undefined, fields)).toBe(false);
    }
  });
});

// The committed scan.wasm is what benchmarks/shared/json-records/build.sh makes of scan.c (clang's output is
// the same bytes wherever the checkout lies), so the binary that runs is the source that is read.
const clang = ['/usr/bin/clang-14', '/usr/lib/llvm-14/bin/wasm-ld'].every(existsSync);
if (!clang) console.log('note: clang-14 and lld-14 not found (apt install clang-14 lld-14); skipping the scan.wasm rebuild check');
describe.skipIf(!clang)('json-records/scan.wasm', () => {
  it('is what build.sh builds from scan.c', () => {
    const out = mkdtempSync(join(tmpdir(), 'eve-json-records-wasm-'));
    try {
      const built = join(out, 'scan.wasm');
      execFileSync('bash', [new URL('../../../benchmarks/shared/json-records/build.sh', import.meta.url).pathname, built]);
      expect(readFileSync(built).equals(readFileSync(new URL('../../../benchmarks/shared/json-records/scan.wasm', import.meta.url)))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
