// What every benchmark's writeSynthetic (core/synthetic.ts) needs besides its own layout: the set's items of one
// benchmark, checked (digit ids, unique); their ids as the format's numeric ids (refused where two would be the
// same number); the items grouped by image; the item images copied in under the format's names, re-encoded only
// when the name's extension says another encoding; and the sample id → item id map, with no sample id twice.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import type { SyntheticItem, SyntheticSet } from '../../core/synthetic.ts';
import { writeBytes } from './fixture-files.ts';

export type ItemOf<B extends SyntheticItem['benchmark']> = Extract<SyntheticItem, { benchmark: B }>;

/** The set's items, all of `benchmark`, with digit-string ids that are unique; throws naming the first bad item. */
export function itemsOf<B extends SyntheticItem['benchmark']>(set: SyntheticSet, benchmark: B): ItemOf<B>[] {
  const seen = new Set<string>();
  set.items.forEach((it, i) => {
    const where = `${benchmark} synthetic set: item ${i} (id ${JSON.stringify(it.id)})`;
    if (it.benchmark !== benchmark) throw new UserError(`${where} is a ${it.benchmark} item`);
    if (typeof it.id !== 'string' || !/^\d+$/.test(it.id)) throw new UserError(`${where}: ids are digit strings`);
    if (seen.has(it.id)) throw new UserError(`${where}: id repeated`);
    seen.add(it.id);
    if (typeof it.question !== 'string' || typeof it.image !== 'string') throw new UserError(`${where}: needs "question" and "image"`);
  });
  return set.items as ItemOf<B>[];
}

/**
 * Item id → the id as a number (the format's question_id / index). Ids that would read back as another item's
 * ("7" and "007") or lose digits as a JSON number (beyond 2^53, or beyond the format's `max`) are refused.
 */
export function numericIds(benchmark: string, items: readonly { id: string }[], max = Number.MAX_SAFE_INTEGER): Map<string, number> {
  const out = new Map<string, number>();
  const back = new Map<number, string>();
  for (const { id } of items) {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n > max)
      throw new UserError(`${benchmark} synthetic set: item id ${id} is not an integer the format keeps (at most ${max})`);
    const other = back.get(n);
    if (other !== undefined) throw new UserError(`${benchmark} synthetic set: item ids ${other} and ${id} are the same number`);
    back.set(n, id);
    out.set(id, n);
  }
  return out;
}

/** Sample id (as load() yields it) → item id; a sample id seen twice is a set the format cannot hold. */
export class SampleIds {
  readonly map = new Map<string, string>();
  constructor(private readonly benchmark: string) {}
  add(sampleId: string, itemId: string): void {
    const before = this.map.get(sampleId);
    if (before !== undefined) throw new UserError(`${this.benchmark} synthetic set: items ${before} and ${itemId} would both be sample "${sampleId}"`);
    this.map.set(sampleId, itemId);
  }
}

/**
 * Items grouped by image file, groups in order of first appearance, items in set order within a group. The first
 * item of a group gives the image its id where a format has one (stable as long as that item is; items sharing an
 * image then share the id, as COCO's questions share an image_id).
 */
export function byImage<T extends { image: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(item.image);
    if (list) list.push(item);
    else out.set(item.image, [item]);
  }
  return out;
}

/** The item's image file: a plain name inside the set's image folder. */
export function sourceImage(set: SyntheticSet, item: SyntheticItem): string {
  const name = item.image;
  if (name === '' || name !== path.basename(name) || name === '.' || name === '..') {
    throw new UserError(`${item.benchmark} synthetic item ${item.id}: image "${name}" is not a file name in the set's image folder`);
  }
  return path.join(set.imageDir, name);
}

export type ImageFormat = 'png' | 'jpeg';

/** The file extension a format's names use for an encoding. */
export const EXTENSION = { png: '.png', jpeg: '.jpg' } as const;

/** The encoding bytes hold, read from their first bytes (not a name). */
function formatOfBytes(b: Buffer): ImageFormat | null {
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  return null;
}

/** The encoding a file name's extension says, if any. */
function formatOfName(file: string): ImageFormat | null {
  if (/\.jpe?g$/i.test(file)) return 'jpeg';
  if (/\.png$/i.test(file)) return 'png';
  return null;
}

/** The encoding an image file holds, read from its bytes (not its name). */
export async function imageFormat(file: string): Promise<ImageFormat> {
  const have = formatOfBytes(await readFile(file));
  if (have === null) throw new UserError(`${file}: not a PNG or JPEG file`);
  return have;
}

/**
 * Writes the set's item images under the format's names. The bytes are copied as they are when their encoding
 * (read from the bytes) is the one `dest`'s extension names (or it names none); otherwise re-encoded with sharp
 * (JPEG quality 95, or PNG) from the RGB pixels core/image.ts decodes, so the extension is always true. Each
 * destination is written once; an image written before in the same encoding is copied from its first file rather
 * than encoded again (items sharing an image share its bytes, in one file or one per item).
 */
export class ImageCopies {
  private readonly done = new Set<string>();
  private readonly first = new Map<string, string>();
  constructor(private readonly set: SyntheticSet) {}
  async copy(item: SyntheticItem, dest: string): Promise<void> {
    if (this.done.has(dest)) return;
    this.done.add(dest);
    const src = sourceImage(this.set, item);
    const bytes = await readFile(src);
    const have = formatOfBytes(bytes);
    if (have === null) throw new UserError(`${src}: not a PNG or JPEG file`);
    const want = formatOfName(dest) ?? have;
    const key = `${want}\u0000${item.image}`;
    const earlier = this.first.get(key);
    if (earlier !== undefined) return writeBytes(dest, await readFile(earlier));
    this.first.set(key, dest);
    if (want === have) return writeBytes(dest, bytes);
    await writeBytes(dest, await reencode(bytes, src, want));
  }
}

/**
 * Re-encoded from the pixels a model gets from the original (PIL's convert('RGB'): alpha dropped, not composited),
 * so the new file shows what the old one showed. Loaded here, as in fixture-files.ts: nothing but the writers
 * needs sharp.
 */
async function reencode(bytes: Buffer, src: string, want: ImageFormat): Promise<Buffer> {
  const [{ default: sharp }, { decodeImage }] = await Promise.all([import('sharp'), import('../../core/image.ts')]);
  const rgb = await decodeImage(bytes, src);
  const img = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
  return (want === 'jpeg' ? img.jpeg({ quality: 95 }) : img.png()).toBuffer();
}

/** VQA-style items carry exactly 10 annotator answers (TextVQA's evaluator asserts it; VQAv2 and VizWiz have 10). */
export function tenAnswers(benchmark: string, item: { id: string; answers?: unknown }): string[] {
  const a = item.answers;
  if (!Array.isArray(a) || a.length !== 10 || a.some((x) => typeof x !== 'string')) {
    throw new UserError(`${benchmark} synthetic set: item ${item.id} needs "answers": 10 strings`);
  }
  return a as string[];
}

/** The letter an MC answer names and its option position; an answer outside the options is refused. */
export function answerIndex(item: { benchmark: string; id: string; answer: string; options: string[] }): number {
  const i = item.answer.length === 1 ? item.answer.charCodeAt(0) - 65 : -1;
  if (i < 0 || i >= item.options.length) {
    throw new UserError(`${item.benchmark} synthetic item ${item.id}: answer "${item.answer}" is not one of the ${item.options.length} option letters`);
  }
  return i;
}
