// A few fields of every record of one large array in a JSON document (VQAv2's 158 MB "annotations": per
// question only question_id, answers[].answer, question_type, answer_type), scanned over raw bytes without
// building the records: no JSON.parse of the array, no object per record or per answer, no string for a field
// nobody reads, and the short strings that repeat (answers, types) interned. The whole document is still
// checked against JSON's grammar (structure, numbers, literals, escapes, no raw control characters in
// strings), so what the scan accepts JSON.parse accepts, and gives the same values. Anything it does not
// expect (a record that is not an object, a field of another type than asked, a duplicate array key, broken
// JSON) makes it give up and answer false: the caller then reads the file the general way (json-array-stream.ts),
// which gives the same values or the same error. Read in pieces (8 MB), so memory stays bounded.
import { open } from 'node:fs/promises';
import { unreadable } from './data-files.ts';

/**
 * What to take from each record: 'string' (interned: short strings that repeat), 'text' (a string, not
 * interned), 'number', or `{ arrayOf: name }`: an array of objects, each one's string field `name` (interned).
 * A field that is absent gives undefined; one of another type makes the scan give up.
 */
export type FieldSpec = 'string' | 'text' | 'number' | { arrayOf: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;

/** Thrown when the bytes in hand end inside what is being parsed (read more, parse it again). */
const NEED = Symbol('need more bytes');
/** Thrown on anything the scan does not take (the caller reads the file the general way). */
const GIVE_UP = Symbol('give up');

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const isHex = (b: number) => isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
// The characters JSON allows after a backslash: " \ / b f n r t u.
const SIMPLE_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];
const INTERN_SLOTS = 1 << 16;

/**
 * Scan `file`, a JSON object whose top-level field `arrayKey` is an array of objects; `onRecord` gets, per
 * record in file order, the values of `fields` in their order (the array is reused: copy what you keep).
 * Resolves true when the whole file was scanned, false when the scan gave up (nothing is known then, and
 * `onRecord` may have been called for some records: start again the general way).
 */
export async function scanJsonRecords(
  file: string,
  arrayKey: string,
  fields: Record<string, FieldSpec>,
  onRecord: (values: unknown[]) => void,
  { chunkBytes = 8 << 20 }: { chunkBytes?: number } = {},
): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw unreadable(file, err);
  }
  const names = Object.keys(fields).map((k) => Buffer.from(k));
  const specs = Object.values(fields);
  const subName = specs.map((s) => (typeof s === 'object' ? Buffer.from(s.arrayOf) : undefined));
  const wanted = Buffer.from(arrayKey);
  const values: unknown[] = new Array(names.length);
  const interned: (string | undefined)[] = new Array(INTERN_SLOTS).fill(undefined);

  let buf = Buffer.allocUnsafe(Math.max(16, chunkBytes));
  let len = 0;
  let base = 0; // file offset of buf[0]
  let eof = false;
  // The string just scanned: its content's span, and whether it holds escapes or non-ASCII bytes.
  let sStart = 0;
  let sEnd = 0;
  let sEscaped = false;
  let sHigh = false;

  const more = async (keepFrom: number): Promise<void> => {
    if (keepFrom > 0) {
      buf.copy(buf, 0, keepFrom, len);
      len -= keepFrom;
      base += keepFrom;
    }
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    const { bytesRead } = await handle.read(buf, len, buf.length - len, base + len);
    if (bytesRead === 0) eof = true;
    len += bytesRead;
  };

  const end = (): never => {
    throw eof ? GIVE_UP : NEED;
  };
  const ws = (p: number): number => {
    const b = buf;
    const n = len;
    while (p < n && isSpace(b[p])) p++;
    if (p >= n) end();
    return p;
  };

  /** The string opening at p (a quote): its span in sStart/sEnd; returns the index after the closing quote. */
  const str = (p: number): number => {
    const bytes = buf;
    const n = len;
    let i = p + 1;
    let escaped = false;
    let high = false;
    for (;;) {
      if (i >= n) end();
      const b = bytes[i];
      if (b === QUOTE) break;
      // One test for the ordinary bytes (printable ASCII but the backslash); the rest looked at below.
      if (b >= 0x20 && b < 0x80 && b !== BACKSLASH) {
        i++;
        continue;
      }
      if (b < 0x20) throw GIVE_UP;
      if (b === BACKSLASH) {
        escaped = true;
        if (i + 1 >= n) end();
        const c = bytes[i + 1];
        if (c === 0x75) {
          if (i + 5 >= n) end();
          for (let k = 2; k < 6; k++) if (!isHex(bytes[i + k])) throw GIVE_UP;
          i += 6;
        } else if (SIMPLE_ESCAPES.has(c)) i += 2;
        else throw GIVE_UP;
        continue;
      }
      high = true;
      i++;
    }
    sStart = p + 1;
    sEnd = i;
    sEscaped = escaped;
    sHigh = high;
    return i + 1;
  };

  /** The string just scanned, as JSON.parse gives it. */
  const text = (): string => {
    if (sEscaped) return JSON.parse(buf.toString('utf8', sStart - 1, sEnd + 1)) as string;
    return buf.toString(sHigh ? 'utf8' : 'latin1', sStart, sEnd);
  };
  /** The same, one string object per distinct short ASCII value. */
  const internedText = (): string => {
    const n = sEnd - sStart;
    if (sEscaped || sHigh || n > 64) return text();
    const bytes = buf;
    const from = sStart;
    let h = n;
    for (let i = from; i < from + n; i++) h = Math.imul(h ^ bytes[i], 16777619);
    const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
    const hit = interned[slot];
    if (hit !== undefined && hit.length === n) {
      let same = true;
      for (let i = 0; i < n; i++)
        if (hit.charCodeAt(i) !== bytes[from + i]) {
          same = false;
          break;
        }
      if (same) return hit;
    }
    const s = bytes.toString('latin1', from, from + n);
    interned[slot] = s; // a direct-mapped cache: a collision replaces the older string
    return s;
  };
  /** Whether the string just scanned is `name` (escaped keys are decoded first). */
  const is = (name: Buffer): boolean => {
    if (sEscaped) return text() === name.toString('utf8');
    const n = name.length;
    if (sEnd - sStart !== n) return false;
    const bytes = buf;
    const from = sStart;
    for (let i = 0; i < n; i++) if (bytes[from + i] !== name[i]) return false;
    return true;
  };

  /** A number at p (JSON's grammar); its value in numValue; returns the index after it. */
  let numValue = 0;
  const num = (p: number): number => {
    let i = p;
    let simple = true;
    if (buf[i] === MINUS) i++;
    if (i >= len) end();
    if (buf[i] === 0x30) i++;
    else if (buf[i] > 0x30 && buf[i] <= 0x39) while (i < len && isDigit(buf[i])) i++;
    else throw GIVE_UP;
    if (i < len && buf[i] === 0x2e) {
      simple = false;
      i++;
      const d = i;
      while (i < len && isDigit(buf[i])) i++;
      if (i === d) (i >= len ? end : fail)();
    }
    if (i < len && (buf[i] === 0x65 || buf[i] === 0x45)) {
      simple = false;
      i++;
      if (i < len && (buf[i] === 0x2b || buf[i] === MINUS)) i++;
      const d = i;
      while (i < len && isDigit(buf[i])) i++;
      if (i === d) (i >= len ? end : fail)();
    }
    if (i >= len) end(); // the number may go on in the next piece
    if (simple && i - p <= 15) {
      let v = 0;
      for (let k = buf[p] === MINUS ? p + 1 : p; k < i; k++) v = v * 10 + (buf[k] - 0x30);
      numValue = buf[p] === MINUS ? -v : v;
    } else numValue = Number(buf.toString('latin1', p, i));
    return i;
  };
  const fail = (): never => {
    throw GIVE_UP;
  };

  /** Skip the value at p, checking its grammar; returns the index after it. */
  const skip = (p: number, depth = 0): number => {
    if (depth > 512) throw GIVE_UP;
    const b = buf[p];
    if (b === QUOTE) return str(p);
    if (b === MINUS || isDigit(b)) return num(p);
    if (b === LBRACE || b === LBRACKET) {
      const close = b === LBRACE ? RBRACE : RBRACKET;
      let q = ws(p + 1);
      if (buf[q] === close) return q + 1;
      for (;;) {
        if (b === LBRACE) {
          if (buf[q] !== QUOTE) throw GIVE_UP;
          q = ws(str(q));
          if (buf[q] !== COLON) throw GIVE_UP;
          q = ws(q + 1);
        }
        q = ws(skip(q, depth + 1));
        if (buf[q] === close) return q + 1;
        if (buf[q] !== COMMA) throw GIVE_UP;
        q = ws(q + 1);
      }
    }
    for (const lit of LITERALS) {
      if (b !== lit[0]) continue;
      if (p + lit.length > len) end();
      for (let k = 1; k < lit.length; k++) if (buf[p + k] !== lit[k]) throw GIVE_UP;
      return p + lit.length;
    }
    throw GIVE_UP;
  };

  /** `[{..., name: "x", ...}, ...]` at p: the strings; returns the index after the array. */
  let list: string[] = [];
  const stringsOf = (p: number, name: Buffer): number => {
    if (buf[p] !== LBRACKET) throw GIVE_UP;
    list = [];
    let q = ws(p + 1);
    if (buf[q] === RBRACKET) return q + 1;
    for (;;) {
      if (buf[q] !== LBRACE) throw GIVE_UP;
      let got: string | undefined;
      q = ws(q + 1);
      if (buf[q] !== RBRACE) {
        for (;;) {
          if (buf[q] !== QUOTE) throw GIVE_UP;
          q = ws(str(q));
          const match = is(name);
          if (buf[q] !== COLON) throw GIVE_UP;
          q = ws(q + 1);
          if (match) {
            if (buf[q] !== QUOTE) throw GIVE_UP;
            q = str(q);
            got = internedText();
          } else q = skip(q);
          q = ws(q);
          if (buf[q] === RBRACE) break;
          if (buf[q] !== COMMA) throw GIVE_UP;
          q = ws(q + 1);
        }
      }
      if (got === undefined) throw GIVE_UP;
      list.push(got);
      q = ws(q + 1);
      if (buf[q] === RBRACKET) return q + 1;
      if (buf[q] !== COMMA) throw GIVE_UP;
      q = ws(q + 1);
    }
  };

  /** One record at p into `values`; returns the index after it. */
  const record = (p: number): number => {
    if (buf[p] !== LBRACE) throw GIVE_UP;
    values.fill(undefined);
    let q = ws(p + 1);
    if (buf[q] === RBRACE) return q + 1;
    for (;;) {
      if (buf[q] !== QUOTE) throw GIVE_UP;
      q = ws(str(q));
      let f = -1;
      for (let k = 0; k < names.length; k++)
        if (is(names[k])) {
          f = k;
          break;
        }
      if (buf[q] !== COLON) throw GIVE_UP;
      q = ws(q + 1);
      if (f < 0) q = skip(q);
      else {
        const spec = specs[f];
        if (spec === 'number') {
          if (buf[q] !== MINUS && !isDigit(buf[q])) throw GIVE_UP;
          q = num(q);
          values[f] = numValue;
        } else if (spec === 'string' || spec === 'text') {
          if (buf[q] !== QUOTE) throw GIVE_UP;
          q = str(q);
          values[f] = spec === 'string' ? internedText() : text();
        } else {
          q = stringsOf(q, subName[f]!);
          values[f] = list;
        }
      }
      q = ws(q);
      if (buf[q] === RBRACE) return q + 1;
      if (buf[q] !== COMMA) throw GIVE_UP;
      q = ws(q + 1);
    }
  };

  /** From the document's start to just inside the array; returns the index after its `[`. */
  const prefix = (): number => {
    let q = len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    q = ws(q);
    if (buf[q] !== LBRACE) throw GIVE_UP;
    q = ws(q + 1);
    for (;;) {
      if (buf[q] !== QUOTE) throw GIVE_UP;
      q = ws(str(q));
      const match = is(wanted);
      if (buf[q] !== COLON) throw GIVE_UP;
      q = ws(q + 1);
      if (match) {
        if (buf[q] !== LBRACKET) throw GIVE_UP;
        return q + 1;
      }
      q = ws(skip(q));
      if (buf[q] !== COMMA) throw GIVE_UP; // `}`: the document has no such array
      q = ws(q + 1);
    }
  };

  /** From after the array's `]` to the end of the file. */
  const suffix = (p: number): void => {
    let q = ws(p);
    for (;;) {
      if (buf[q] === RBRACE) {
        q++;
        while (q < len && isSpace(buf[q])) q++;
        if (q < len) throw GIVE_UP; // bytes after the document
        if (!eof) throw NEED;
        return;
      }
      if (buf[q] !== COMMA) throw GIVE_UP;
      q = ws(q + 1);
      if (buf[q] !== QUOTE) throw GIVE_UP;
      q = ws(str(q));
      if (is(wanted)) throw GIVE_UP; // a second array of that name: JSON.parse keeps the last
      if (buf[q] !== COLON) throw GIVE_UP;
      q = ws(skip(ws(q + 1)));
    }
  };

  try {
    await more(0);
    let p: number;
    for (;;) {
      try {
        p = prefix();
        break;
      } catch (e) {
        if (e !== NEED) throw e;
        await more(0);
      }
    }
    let first = true;
    for (;;) {
      try {
        let q = ws(p);
        if (buf[q] === RBRACKET) {
          p = q + 1;
          break;
        }
        if (!first) {
          if (buf[q] !== COMMA) throw GIVE_UP;
          q = ws(q + 1);
        }
        p = record(q);
        onRecord(values);
        first = false;
      } catch (e) {
        if (e !== NEED) throw e;
        await more(p);
        p = 0;
      }
    }
    for (;;) {
      try {
        suffix(p);
        break;
      } catch (e) {
        if (e !== NEED) throw e;
        await more(p);
        p = 0;
      }
    }
    return true;
  } catch (e) {
    if (e === GIVE_UP || e instanceof RangeError || e instanceof SyntaxError) return false;
    throw e;
  } finally {
    await handle.close();
  }
}
