// Reads test/fuzz/vectors.jsonl.gz (written by make_vectors.py from the official scorers' code) and checks
// eve-eval's implementation of each rule against every vector. Shared by fuzz.test.ts and the per-divergence
// tests (which read the recorded official scenario outputs).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const VECTORS_FILE = fileURLToPath(new URL('./vectors.jsonl.gz', import.meta.url));

export interface Source {
  repo: string;
  path: string;
  commit: string;
  sha256: string;
}

export interface Header {
  format: string;
  python: string;
  unidata_version: string;
  numpy: string;
  seed: number;
  sources: Record<string, Source>;
  rule_source: Record<string, string | null>;
  columns: string[];
  textvqa_suffix: string;
  choice_sets: Record<string, string>[];
  counts: Record<string, number>;
  scenarios: Record<string, any>;
}

export interface Vectors {
  header: Header;
  strings: string[];
  /** Decoded expected outputs per string rule, aligned with `strings`. */
  stringRules: Map<string, unknown[]>;
  grades: string[];
  gradeOut: unknown[];
  numbers: number[];
  numberRules: Map<string, unknown[]>;
}

let cached: Vectors | undefined;

const SURROGATE = /[\ud800-\udfff]/;

/** [k, p, q, mid] → first p code points of r + mid + last q code points of r (see make_vectors.py). */
function applyDiff(r: string, p: number, q: number, mid: string): string {
  if (!SURROGATE.test(r)) return r.slice(0, p) + mid + r.slice(r.length - q);
  const cps = Array.from(r);
  return cps.slice(0, p).join('') + mid + cps.slice(cps.length - q).join('');
}

export function loadVectors(file = VECTORS_FILE): Vectors {
  if (cached && file === VECTORS_FILE) return cached;
  const lines = gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const header = JSON.parse(lines[0]) as Header;
  if (header.format !== 'eve-eval-fuzz@1') throw new Error(`${file}: unknown format ${header.format}`);
  const v: Vectors = { header, strings: [], stringRules: new Map(), grades: [], gradeOut: [], numbers: [], numberRules: new Map() };
  let section: 'strings' | 'grades' | 'numbers' = 'strings';
  for (const line of lines.slice(1)) {
    const o = JSON.parse(line);
    if (Array.isArray(o.strings)) {
      v.strings = o.strings;
      section = 'strings';
    } else if (Array.isArray(o.grades)) {
      v.grades = o.grades;
      section = 'grades';
    } else if (Array.isArray(o.numbers)) {
      v.numbers = o.numbers;
      section = 'numbers';
    } else if (typeof o.rule === 'string') {
      if (section === 'grades') v.gradeOut = o.out;
      else if (section === 'numbers') v.numberRules.set(o.rule, o.out);
      else v.stringRules.set(o.rule, decode(o.out, v, header.columns));
    }
  }
  if (file === VECTORS_FILE) cached = v;
  return v;
}

function decode(out: unknown[], v: Vectors, columns: string[]): unknown[] {
  return out.map((e, i) => {
    if (!Array.isArray(e)) return e;
    const [k, p, q, mid] = e as [number, number?, number?, string?];
    const r = (k === -1 ? v.strings[i] : v.stringRules.get(columns[k])![i]) as string;
    return p === undefined ? r : applyDiff(r, p, q!, mid!);
  });
}

export interface RuleResult {
  rule: string;
  vectors: number;
  mismatches: number;
  examples: Array<{ input: unknown; expected: unknown; got: unknown }>;
}

/** Object.is for numbers (-0 and 0 differ), deep equality for the rest. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function check(rule: string, inputs: readonly unknown[], expected: readonly unknown[], fn: (x: any, i: number) => unknown): RuleResult {
  const res: RuleResult = { rule, vectors: inputs.length, mismatches: 0, examples: [] };
  if (expected.length !== inputs.length) throw new Error(`${rule}: ${expected.length} outputs for ${inputs.length} inputs`);
  for (let i = 0; i < inputs.length; i++) {
    const got = fn(inputs[i], i);
    if (!same(got, expected[i])) {
      res.mismatches++;
      if (res.examples.length < 5) res.examples.push({ input: inputs[i], expected: expected[i], got });
    }
  }
  return res;
}
