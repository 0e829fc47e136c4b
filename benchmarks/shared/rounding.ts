// The one rounding function behind every printed metric, matching the official printer of each benchmark:
//   - 'python': round(x, n), '{:.nf}'.format(x), '%.nf' % x on a Python float: the exact binary value
//     rounded to n decimals, exact ties to even (vqaEval.py, VizWiz, TextVQA, GQA, ScienceQA, LLaVA's
//     eval_science_qa.py and SEED converter, POPE's '%.3f'). JS toFixed differs on exact ties: 68.125
//     (= 545/8) prints 68.12 in Python and 68.13 with toFixed.
//   - 'numpy': round() / np.round on a numpy float64 (MM-Vet's evaluator): rint(x·10^n) / 10^n, ties to even on
//     the scaled float, so 31.15 (×10 = 311.5 exactly) gives 31.2 where Python's round(31.15, 1) gives 31.1.
// Checked against the interpreter by test/fuzz (rules py.format.*, py.round.*, np.round.*).
import { pyFloatRepr } from './python.ts';

export type Printer = 'python' | 'numpy';

const view = new DataView(new ArrayBuffer(8));

/** |x| = mant · 2^exp exactly, for a finite double. */
function decompose(ax: number): { mant: bigint; exp: number } {
  view.setFloat64(0, ax);
  const bits = view.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  const f = bits & ((1n << 52n) - 1n);
  return e === 0 ? { mant: f, exp: -1074 } : { mant: f | (1n << 52n), exp: e - 1075 };
}

/** Python's '%.{digits}f' % x: the exact value of the double rounded half to even; 'nan', 'inf', '-0.00' as Python. */
export function pyFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const neg = x < 0 || Object.is(x, -0);
  const { mant, exp } = decompose(Math.abs(x));
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (exp >= 0) {
    q = (mant << BigInt(exp)) * scale;
  } else {
    const num = mant * scale;
    const den = 1n << BigInt(-exp);
    q = num / den;
    const twice = 2n * (num - q * den);
    if (twice > den || (twice === den && (q & 1n) === 1n)) q += 1n;
  }
  let s = q.toString();
  if (digits > 0) {
    s = s.padStart(digits + 1, '0');
    s = `${s.slice(0, -digits)}.${s.slice(-digits)}`;
  }
  return (neg ? '-' : '') + s;
}

/** numpy's rint: nearest integer, exact halves to even, keeping the sign of zero. */
function rint(y: number): number {
  if (!Number.isFinite(y)) return y;
  const fl = Math.floor(y);
  const diff = y - fl;
  const r = diff < 0.5 ? fl : diff > 0.5 ? fl + 1 : fl % 2 === 0 ? fl : fl + 1;
  return r === 0 && (y < 0 || Object.is(y, -0)) ? -0 : r;
}

/** The value the official printer shows for x at `digits` decimals (null stays null). */
export function officialRound(x: number, digits: number, printer?: Printer): number;
export function officialRound(x: number | null, digits: number, printer?: Printer): number | null;
export function officialRound(x: number | null, digits: number, printer: Printer = 'python'): number | null {
  if (x === null || !Number.isFinite(x)) return x;
  if (printer === 'numpy') {
    const f = 10 ** digits;
    return rint(x * f) / f;
  }
  return Number(pyFixed(x, digits));
}

/** The text the official printer shows ('{:.2f}' etc.); 'numpy' prints the rounded float as Python's repr would. */
export function officialFixed(x: number | null, digits: number, printer: Printer = 'python'): string {
  if (x === null) return 'nan';
  return printer === 'python' ? pyFixed(x, digits) : pyFloatRepr(officialRound(x, digits, 'numpy'));
}
