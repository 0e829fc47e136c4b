// What every writeSynthetic needs besides its own layout: the set's items of one benchmark, their ids as the
// format's numeric ids, and their image files copied (or, where a format fixes the encoding, re-encoded
// losslessly) to the names the format uses.
import { copyFile, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SyntheticItem, SyntheticSet } from '../../core/synthetic.ts';
import { writeBytes } from './fixture-files.ts';

export type ItemOf<B extends SyntheticItem['benchmark']> = Extract<SyntheticItem, { benchmark: B }>;

/** The set's items, checked to be this benchmark's and to have unique digit-string ids. */
export function itemsOf<B extends SyntheticItem['benchmark']>(set: SyntheticSet, benchmark: B): ItemOf<B>[] {
  const seen = new Set<string>();
  for (const item of set.items) {
    if (item.benchmark !== benchmark) throw new Error(`${benchmark} synthetic set: item ${item.id} is a ${item.benchmark} item`);
    if (!/^\d+$/.test(item.id)) throw new Error(`${benchmark} synthetic set: item id "${item.id}" is not a digit string`);
    if (seen.has(item.id)) throw new Error(`${benchmark} synthetic set: item id ${item.id} appears twice`);
    seen.add(item.id);
  }
  return set.items as ItemOf<B>[];
}

/**
 * An item id as a number (the format's question_id / index). Ids that would read back as another item's
 * ("7" and "007") or lose digits as a JSON number are refused.
 */
export function numericIds(benchmark: string, items: readonly { id: string }[], max = Number.MAX_SAFE_INTEGER): Map<string, number> {
  const out = new Map<string, number>();
  const back = new Map<number, string>();
  for (const { id } of items) {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n > max) throw new Error(`${benchmark} synthetic set: item id ${id} is not an integer the format keeps (at most ${max})`);
    const other = back.get(n);
    if (other !== undefined) throw new Error(`${benchmark} synthetic set: item ids ${other} and ${id} are the same number`);
    back.set(n, id);
    out.set(id, n);
  }
  return out;
}

/** The item's image file: a plain name inside the set's image folder. */
export function sourceImage(set: SyntheticSet, item: SyntheticItem): string {
  const name = item.image;
  if (name === '' || name !== path.basename(name) || name === '.' || name === '..') {
    throw new Error(`${item.benchmark} synthetic item ${item.id}: image "${name}" is not a file name in the set's image folder`);
  }
  return path.join(set.imageDir, name);
}

/** The encoding a file holds, read from its first bytes (not its name). */
export async function imageFormat(file: string): Promise<'png' | 'jpeg'> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await fh.read(head, 0, 8, 0);
    if (bytesRead >= 8 && head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
    if (bytesRead >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  } finally {
    await fh.close();
  }
  throw new Error(`${file}: neither PNG nor JPEG`);
}

/** The file extension a format's names use for an encoding. */
export const EXTENSION = { png: '.png', jpeg: '.jpg' } as const;

/** Copy an image file, creating the folder. */
export async function copyImage(src: string, dest: string): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true });
  await copyFile(src, dest);
}

/** Write `src` as a PNG at `dest`: copied when it is one, else decoded and re-encoded (lossless). */
export async function writeAsPng(src: string, dest: string): Promise<void> {
  if ((await imageFormat(src)) === 'png') return copyImage(src, dest);
  const { default: sharp } = await import('sharp');
  await writeBytes(
    dest,
    await sharp(await readFile(src))
      .png()
      .toBuffer(),
  );
}

/** Items grouped by image file, groups in order of first appearance, items in set order within a group. */
export function byImage<T extends { image: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(item.image);
    if (list) list.push(item);
    else out.set(item.image, [item]);
  }
  return out;
}

/** The letter an MC answer names and its option position; an answer outside the options is refused. */
export function answerIndex(item: { benchmark: string; id: string; answer: string; options: string[] }): number {
  const i = item.answer.length === 1 ? item.answer.charCodeAt(0) - 65 : -1;
  if (i < 0 || i >= item.options.length) {
    throw new Error(`${item.benchmark} synthetic item ${item.id}: answer "${item.answer}" is not one of the ${item.options.length} option letters`);
  }
  return i;
}
