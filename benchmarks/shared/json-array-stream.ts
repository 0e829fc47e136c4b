// One large array inside a JSON document (VQAv2's 160 MB "annotations", GQA-sized question files), read in
// bounded memory: the file is scanned in pieces, the array's elements are handed over in batches (each batch
// parsed by JSON.parse, so element values are exactly what JSON.parse gives), and everything outside the
// array is parsed at the end, so a malformed document is still refused. Parsing the whole text at once holds
// the text and every parsed object together (~1 GB for VQAv2 val) and spends seconds in the garbage collector.
import { open } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';
import { readJson, unreadable } from './data-files.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** The index of the quote closing the string opened at `open`, or -1 when it is not in `buf`. */
function closingQuote(buf: Buffer, open: number): number {
  let q = open;
  for (;;) {
    q = buf.indexOf(QUOTE, q + 1);
    if (q < 0) return -1;
    let slashes = 0;
    while (q - 1 - slashes > open && buf[q - 1 - slashes] === BACKSLASH) slashes++;
    if ((slashes & 1) === 0) return q;
  }
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Read `file`, a JSON object whose top-level field `key` is an array; `onItems` receives its elements in
 * file order, a batch of about `batchBytes` of text at a time. Resolves with the rest of the document (the
 * field itself replaced by []), or `found: false` when the document has no such top-level array. Malformed
 * JSON anywhere is an InputError naming the file and line, as readJson gives it.
 */
export async function readJsonArrayField(
  file: string,
  key: string,
  onItems: (items: unknown[]) => void,
  { batchBytes = 1 << 18, readBytes = 1 << 20 }: { batchBytes?: number; readBytes?: number } = {},
): Promise<{ found: boolean; rest: Record<string, unknown> }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw unreadable(file, err);
  }
  const wanted = Buffer.from(JSON.stringify(key).slice(1, -1));
  const skeleton: Buffer[] = [];
  let found = false;
  // Scanner state, kept across pieces of the file.
  let depth = 0; // skeleton nesting ({ and [)
  let topIsObject: boolean | undefined;
  let lastString = ''; // 'match' | 'other' | '': the depth-1 string just closed (a key when ':' follows)
  let afterColon = false; // a depth-1 key and ':' seen, its value not yet started
  let keyMatches = false;
  let inArray = false;
  let arrayDepth = 0;
  let flushed = false; // a batch of this array already parsed (so an empty last run means a trailing comma)
  let failed = false;
  try {
    const piece = Buffer.allocUnsafe(readBytes);
    // Bytes carried into the next piece: the array text not yet parsed, or a string cut by the piece's end.
    let carry: Buffer = Buffer.alloc(0);
    let resume = 0; // where scanning resumes in carry
    const bom = Buffer.alloc(3);
    await handle.read(bom, 0, 3, 0);
    let at = bom[0] === 0xef && bom[1] === 0xbb && bom[2] === 0xbf ? 3 : 0;
    for (;;) {
      const { bytesRead } = await handle.read(piece, 0, piece.length, at);
      if (bytesRead === 0) break;
      at += bytesRead;
      const buf = carry.length ? Buffer.concat([carry, piece.subarray(0, bytesRead)]) : piece.subarray(0, bytesRead);
      const n = buf.length;
      let pos = resume;
      let segStart = inArray ? 0 : -1;
      let skelStart = inArray ? -1 : 0;
      while (pos < n) {
        const b = buf[pos];
        if (b === QUOTE) {
          // Jump to the closing quote (native indexOf): string contents never need a byte-by-byte look.
          const end = closingQuote(buf, pos);
          if (end < 0) break; // continues in the next piece
          if (!inArray && depth === 1) {
            lastString = end - pos - 1 === wanted.length && buf.compare(wanted, 0, wanted.length, pos + 1, end) === 0 ? 'match' : 'other';
          }
          pos = end + 1;
          continue;
        }
        if (inArray) {
          if (b === 0x7b || b === 0x5b) arrayDepth++;
          else if (b === 0x7d || b === 0x5d) {
            if (arrayDepth === 0) {
              // The array's closing bracket: last batch, then back to the skeleton at this bracket.
              if (!parseBatch(buf, segStart, pos) && flushed) throw new SyntaxError('trailing comma');
              inArray = false;
              skeleton.push(Buffer.from('['));
              skelStart = pos;
              pos++;
              continue;
            }
            arrayDepth--;
          } else if (b === COMMA && arrayDepth === 0 && pos - segStart >= batchBytes) {
            if (!parseBatch(buf, segStart, pos)) throw new SyntaxError('empty element');
            segStart = pos + 1;
            flushed = true;
          }
          pos++;
          continue;
        }
        pos++;
        if (isSpace(b)) continue;
        if (afterColon) {
          afterColon = false;
          if (b === 0x5b && keyMatches && !found) {
            found = true;
            inArray = true;
            arrayDepth = 0;
            flushed = false;
            skeleton.push(Buffer.from(buf.subarray(skelStart, pos - 1)));
            segStart = pos;
            continue;
          }
        }
        if (b === COLON && depth === 1 && topIsObject && lastString !== '') {
          afterColon = true;
          keyMatches = lastString === 'match';
        } else if (b === 0x7b || b === 0x5b) {
          if (depth === 0) topIsObject ??= b === 0x7b;
          depth++;
        } else if (b === 0x7d || b === 0x5d) depth--;
        lastString = '';
      }
      // pos < n only when a string runs past this piece: it is scanned again, whole, with the next one.
      if (inArray) {
        carry = Buffer.from(buf.subarray(segStart));
        resume = pos - segStart;
      } else {
        skeleton.push(Buffer.from(buf.subarray(skelStart, pos)));
        carry = Buffer.from(buf.subarray(pos));
        resume = 0;
      }
    }
    if (inArray || carry.length) failed = true; // the file ends inside the array or inside a string
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    failed = true;
  } finally {
    await handle.close();
  }
  let rest: unknown;
  if (!failed) {
    try {
      rest = JSON.parse(Buffer.concat(skeleton).toString('utf8'));
    } catch {
      failed = true;
    }
  }
  if (failed) {
    // Malformed: let the whole-document reader name the line (memory does not matter on this path).
    await readJson(file);
    throw new InputError(file, undefined, 'malformed JSON');
  }
  const isRecord = typeof rest === 'object' && rest !== null && !Array.isArray(rest);
  return { found: found && isRecord, rest: isRecord ? (rest as Record<string, unknown>) : {} };

  /** Parse one run of whole elements; false when it holds none (an empty array, or a trailing comma). */
  function parseBatch(buf: Buffer, from: number, to: number): boolean {
    const text = buf.toString('utf8', from, to);
    if (text.trim() === '') return false;
    onItems(JSON.parse(`[${text}]`) as unknown[]);
    return true;
  }
}
