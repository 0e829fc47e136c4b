// What every benchmark's writeSynthetic (core/synthetic.ts) needs besides its own layout: the set's items of
// one benchmark, checked (digit ids, unique); the item images copied in under the format's names, re-encoded
// only when the name's extension says another format; and the sample id → item id map, with no id twice.
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

/** The item id as the format's integer question id (a digit string beyond 2^53 cannot be one). */
export function numericId(benchmark: string, id: string): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n)) throw new UserError(`${benchmark} synthetic set: id ${id} is too large for a numeric question id`);
  return n;
}

/** VQA-style items carry exactly 10 annotator answers (TextVQA's evaluator asserts it; VQAv2 and VizWiz have 10). */
export function tenAnswers(benchmark: string, item: { id: string; answers?: unknown }): string[] {
  const a = item.answers;
  if (!Array.isArray(a) || a.length !== 10 || a.some((x) => typeof x !== 'string')) {
    throw new UserError(`${benchmark} synthetic set: item ${item.id} needs "answers": 10 strings`);
  }
  return a as string[];
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

type ImageFormat = 'jpeg' | 'png';

function formatOfBytes(b: Buffer): ImageFormat | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  return null;
}

function formatOfName(file: string): ImageFormat | null {
  if (/\.jpe?g$/i.test(file)) return 'jpeg';
  if (/\.png$/i.test(file)) return 'png';
  return null;
}

/** The extension an item image keeps where the format takes the file's own type (".png" or ".jpg"). */
export function imageExtension(image: string): '.png' | '.jpg' {
  const f = formatOfName(image);
  if (f === null) throw new UserError(`synthetic image ${image}: expected a .png, .jpg or .jpeg name`);
  return f === 'png' ? '.png' : '.jpg';
}

/**
 * Copy the set's image `image` to `dest`. The bytes are copied as they are when their type (read from the bytes)
 * is the one `dest`'s extension names; otherwise re-encoded with sharp (JPEG quality 95, or PNG) from the RGB
 * pixels core/image.ts decodes, so the extension is always true.
 */
export async function copySyntheticImage(set: SyntheticSet, image: string, dest: string): Promise<void> {
  const src = path.join(set.imageDir, image);
  const bytes = await readFile(src);
  const have = formatOfBytes(bytes);
  if (have === null) throw new UserError(`${src}: not a PNG or JPEG file`);
  const want = formatOfName(dest) ?? have;
  if (want === have) return writeBytes(dest, bytes);
  // Re-encoded from the pixels a model gets from the original (PIL's convert('RGB'): alpha dropped, not
  // composited), so the new file shows what the old one showed. Loaded here, as in fixture-files.ts: nothing
  // but the writers needs sharp.
  const [{ default: sharp }, { decodeImage }] = await Promise.all([import('sharp'), import('../../core/image.ts')]);
  const rgb = await decodeImage(bytes, src);
  const img = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
  await writeBytes(dest, await (want === 'jpeg' ? img.jpeg({ quality: 95 }) : img.png()).toBuffer());
}

/** Copies each distinct destination once (items sharing an image share its file). */
export class ImageCopies {
  private readonly done = new Set<string>();
  constructor(private readonly set: SyntheticSet) {}
  async copy(image: string, dest: string): Promise<void> {
    if (this.done.has(dest)) return;
    this.done.add(dest);
    await copySyntheticImage(this.set, image, dest);
  }
}

/**
 * Image → the id of the first item showing it: one image id per distinct image file, stable as long as that
 * item is (items sharing an image then share the id, as COCO's questions share an image_id).
 */
export function firstItemByImage(items: ReadonlyArray<{ id: string; image: string }>): Map<string, string> {
  const out = new Map<string, string>();
  for (const it of items) if (!out.has(it.image)) out.set(it.image, it.id);
  return out;
}
