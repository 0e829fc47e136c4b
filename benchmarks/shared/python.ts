// Python behaviours the official scorers rely on, written once: str.lower(), str.split()/strip() with no
// argument, the `re` class \d, code-point slicing, float repr and json.dumps' default spacing. The scorers'
// outputs depend on these details, so eve-eval carries CPython's own Unicode tables (py-unicode.ts, generated
// by test/fuzz/make_unicode_tables.py) instead of following Node's ICU, whose Unicode version differs
// (toLowerCase and /\d/u change with it). test/fuzz checks all of them against the interpreter's output.
import { PY_CASE_IGNORABLE_RANGES, PY_CASED_RANGES, PY_DIGIT_RANGES, PY_LOWER_MULTI, PY_LOWER_RUNS, PY_SPACE_RANGES } from './py-unicode.ts';

type Ranges = ReadonlyArray<readonly [number, number]>;

/** A regex character-class body (for the `u` flag) matching the code points in `ranges`. */
export function rangesClass(ranges: Ranges): string {
  const esc = (cp: number) => `\\u{${cp.toString(16)}}`;
  return ranges.map(([a, b]) => (a === b ? esc(a) : `${esc(a)}-${esc(b)}`)).join('');
}

function inRanges(ranges: Ranges, cp: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[mid][0]) hi = mid - 1;
    else if (cp > ranges[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * Python 3's `\d` on str: any Unicode decimal digit (Nd) of the interpreter's Unicode version, where JS's
 * `\d` is [0-9]. Use inside a regex with the `u` flag, e.g. new RegExp(`\\.(?!${PY_DIGIT})`, 'gu').
 */
export const PY_DIGIT = `[${rangesClass(PY_DIGIT_RANGES)}]`;

// Python's str.isspace set, which is not JS's \s: Python also counts \x1c-\x1f and \x85, not \uFEFF.
const PY_WS = rangesClass(PY_SPACE_RANGES);
/** Python 3's `\s` on str (the str.isspace set), for a regex with the `u` flag. */
export const PY_SPACE = `[${PY_WS}]`;
const PY_SPLIT = new RegExp(`[${PY_WS}]+`, 'u');
const PY_STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'gu');

/** Python's str.split() with no argument: runs of whitespace, no empty items. */
export function pySplit(s: string): string[] {
  return s.split(PY_SPLIT).filter((t) => t.length > 0);
}

const DIGIT_STARTS = PY_DIGIT_RANGES.map(([a]) => a);
/** The ASCII digit of a Unicode decimal digit (each Nd range holds whole runs of 0-9), or null. */
function decimalValue(cp: number): string | null {
  if (!inRanges(PY_DIGIT_RANGES, cp)) return null;
  let i = DIGIT_STARTS.length - 1;
  while (DIGIT_STARTS[i] > cp) i--;
  return String((cp - DIGIT_STARTS[i]) % 10);
}

const PY_FLOAT_DIGITS = '[0-9](?:_?[0-9])*';
const PY_FLOAT = new RegExp(
  `^[+-]?(?:(?:${PY_FLOAT_DIGITS}(?:\\.(?:${PY_FLOAT_DIGITS})?)?|\\.${PY_FLOAT_DIGITS})(?:[eE][+-]?${PY_FLOAT_DIGITS})?|inf(?:inity)?|nan)$`,
  'i',
);

/**
 * Python 3's float(str), or null where it raises ValueError: surrounding whitespace ignored, any Unicode
 * decimal digit read as its ASCII digit, single underscores between digits, "inf"/"infinity"/"nan" in any case.
 */
export function pyFloat(s: string): number | null {
  let ascii = '';
  for (const ch of pyStrip(s)) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) ascii += ch;
    else {
      const d = decimalValue(cp);
      if (d === null) return null; // CPython maps any other non-ASCII character to '?': invalid
      ascii += d;
    }
  }
  if (!PY_FLOAT.test(ascii)) return null;
  const t = ascii.replaceAll('_', '').toLowerCase();
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.replace(/^[+-]/, '');
  if (body === 'nan') return NaN;
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  return Number(t); // the same correctly rounded decimal-to-double conversion as CPython's
}

/** Python's str.strip() with no argument. */
export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}

const LOWER = new Map<number, string>();
for (const [start, count, step, delta] of PY_LOWER_RUNS) {
  for (let k = 0; k < count; k++) LOWER.set(start + k * step, String.fromCodePoint(start + k * step + delta));
}
for (const [cp, to] of PY_LOWER_MULTI) LOWER.set(cp, String.fromCodePoint(...to));
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Python 3's str.lower(): full lower-case mappings of CPython's Unicode database ('İ' → 'i̇'), and the
 * final-sigma rule exactly as CPython applies it (handle_capital_sigma), on code points. JS toLowerCase
 * agrees only for the characters both Unicode versions know; ASCII text takes the fast path.
 */
export function pyLower(s: string): string {
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  const cps = Array.from(s, (c) => c.codePointAt(0)!);
  let out = '';
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i];
    if (cp === 0x3a3) out += finalSigma(cps, i) ? '\u03c2' : '\u03c3';
    else out += LOWER.get(cp) ?? String.fromCodePoint(cp);
  }
  return out;
}

/** CPython's Final_Sigma test: a cased letter before (skipping case-ignorables) and none after. */
function finalSigma(cps: number[], i: number): boolean {
  let j = i - 1;
  while (j >= 0 && inRanges(PY_CASE_IGNORABLE_RANGES, cps[j])) j--;
  if (j < 0 || !inRanges(PY_CASED_RANGES, cps[j])) return false;
  for (j = i + 1; j < cps.length; j++) if (!inRanges(PY_CASE_IGNORABLE_RANGES, cps[j])) break;
  return j === cps.length || !inRanges(PY_CASED_RANGES, cps[j]);
}

/** Python's s[:n]: the first n code points (JS slice counts UTF-16 units, so an emoji would count twice). */
export function pyPrefix(s: string, n: number): string {
  if (s.length <= n) return s;
  let out = '';
  let k = 0;
  for (const c of s) {
    if (k++ >= n) break;
    out += c;
  }
  return out;
}

/** Python's repr() of a float (what print() shows): 185.0, 963.6134453781513, 1e-05, 1e+16, nan, inf. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // Shortest round-trip digits (JS and Python agree on them), laid out as Python's repr does:
  // positional when -4 <= exponent < 16, else d.ddde±XX.
  const [mant, e] = x.toExponential().split('e');
  const exp = Number(e);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let body: string;
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      body = `${int}.${frac || '0'}`;
    } else {
      body = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
  } else {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return (neg ? '-' : '') + body;
}

/** json.dumps with Python's defaults: ", " and ": " separators and non-ASCII escaped as \\uXXXX. */
export function pyJsonDumps(value: unknown): string {
  const json = JSON.stringify(value, null, 0);
  // Re-space separators outside strings, and escape non-ASCII inside them.
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === '\\') {
        out += c + json[++i];
        continue;
      }
      if (c === '"') inString = false;
      const code = c.charCodeAt(0);
      out += code > 0x7f ? '\\u' + code.toString(16).padStart(4, '0') : c;
    } else {
      if (c === '"') inString = true;
      out += c === ',' ? ', ' : c === ':' ? ': ' : c;
    }
  }
  return out;
}

const PY_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };
const PY_HEX: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * A Python list of str literals, as repr() writes one (what VLMEvalKit stores in an `answer` cell and its
 * scorers `eval`): ['a', "it's", 'x\\ty']. Quotes ' or ", the escapes repr writes (\\\\ \\' \\" \\n \\t \\r
 * \\xNN \\uNNNN \\UNNNNNNNN and the C ones). null for anything else, so a caller can name the cell.
 */
export function pyStringList(s: string): string[] | null {
  let i = 0;
  const ws = () => {
    while (i < s.length && ' \t\n\r'.includes(s[i])) i++;
  };
  ws();
  if (s[i++] !== '[') return null;
  const out: string[] = [];
  ws();
  if (s[i] === ']') {
    i++;
    ws();
    return i === s.length ? out : null;
  }
  for (;;) {
    const q = s[i++];
    if (q !== "'" && q !== '"') return null;
    let v = '';
    for (;;) {
      if (i >= s.length) return null;
      const c = s[i++];
      if (c === q) break;
      if (c === '\n') return null;
      if (c !== '\\') {
        v += c;
        continue;
      }
      const e = s[i++];
      if (e === undefined || (e >= '0' && e <= '7')) return null; // octal: never written by repr
      if (e in PY_HEX) {
        const hex = s.slice(i, i + PY_HEX[e]);
        if (hex.length !== PY_HEX[e] || !/^[0-9a-fA-F]+$/.test(hex)) return null;
        const cp = Number.parseInt(hex, 16);
        if (cp > 0x10ffff) return null;
        v += String.fromCodePoint(cp);
        i += hex.length;
      } else if (e in PY_ESCAPES) v += PY_ESCAPES[e];
      else v += `\\${e}`; // Python keeps an unknown escape as written
    }
    out.push(v);
    ws();
    const sep = s[i++];
    if (sep === ']') break;
    if (sep !== ',') return null;
    ws();
    if (s[i] === ']') {
      i++;
      break;
    }
  }
  ws();
  return i === s.length ? out : null;
}
