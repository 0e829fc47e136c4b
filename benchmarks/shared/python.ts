// Python behaviours the official scorers rely on, written once: str.split()/strip() with no argument,
// round(x, 2), and json.dumps' default spacing. The scorers' printed figures depend on these details.

// Python 3's str.isspace set (checked against CPython over the whole BMP), which is not JS's \s:
// Python also counts \x1c-\x1f and \x85, and does not count \uFEFF.
const PY_WS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPLIT = new RegExp(`[${PY_WS}]+`);
const PY_STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');

/** Python's str.split() with no argument: runs of whitespace, no empty items. */
export function pySplit(s: string): string[] {
  return s.split(PY_SPLIT).filter((t) => t.length > 0);
}

/** Python's str.strip() with no argument. */
export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}

/**
 * Python's round(x, 2) / '{:.2f}' on a double: correctly rounded from the exact binary value, ties to even.
 * JS toFixed rounds exact ties up; at 2 decimals an exact binary tie is x·8 odd (…125, …375, …625, …875).
 */
export function pyRound2(x: number): number {
  if (!Number.isFinite(x)) return x;
  const isTie = Number.isInteger(x * 8) && !Number.isInteger(x * 4);
  if (!isTie) return Number(x.toFixed(2));
  const down = Math.floor(x * 100) / 100;
  const up = Math.ceil(x * 100) / 100;
  return Math.round(down * 100) % 2 === 0 ? down : up;
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
