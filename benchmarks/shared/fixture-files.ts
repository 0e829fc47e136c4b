// The file writers every benchmark's writeFixture uses: generated images (no downloads), text and JSONL.
// Images are flat colours with an optional overlay, kept to a few KB each; the encoder options are
// explicit so the committed fixture files are reproduced byte for byte.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type Rgb = [number, number, number];

export interface FlatImage {
  width: number;
  height: number;
  rgb: Rgb;
  format: 'png' | 'jpeg';
  /** JPEG quality (sharp's default 80 when absent). */
  quality?: number;
  /** PNG zlib level (sharp's default 6 when absent). */
  compressionLevel?: number;
  /** An image (PNG or SVG bytes) drawn over the background, at left/top (0, 0 when absent). */
  overlay?: { input: Buffer; left?: number; top?: number };
}

/** The encoded bytes of a flat-colour image. */
export async function flatImage(spec: FlatImage): Promise<Buffer> {
  const { width, height, rgb } = spec;
  // Loaded here, not at the top: every adapter imports this file, and `list` or `score` never write images.
  const { default: sharp } = await import('sharp');
  let img = sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  if (spec.overlay) img = img.composite([spec.overlay]);
  const encoded =
    spec.format === 'png'
      ? img.png(spec.compressionLevel === undefined ? {} : { compressionLevel: spec.compressionLevel })
      : img.jpeg(spec.quality === undefined ? {} : { quality: spec.quality });
  return encoded.toBuffer();
}

/** Write a flat-colour image, creating its folder. */
export async function writeFlatImage(file: string, spec: FlatImage): Promise<void> {
  await writeBytes(file, await flatImage(spec));
}

// The VQA-family fixture images: the sizes and aspect ratios the preprocessing paths must handle.
export const FIXTURE_SIZES: ReadonlyArray<[number, number]> = [
  [640, 480], // COCO-like
  [1200, 400], // wide 3:1
  [400, 1200], // tall 1:3
  [200, 150], // small
  [1600, 1200], // large
  [500, 500], // square
];

const COLOURS: readonly Rgb[] = [
  [200, 40, 40],
  [40, 160, 60],
  [40, 70, 200],
  [230, 200, 40],
  [120, 120, 120],
  [250, 250, 250],
];

/** Image `index` of the VQA-family set (size and colours chosen by index, one block), JPEG or PNG by extension. */
export async function writeFixtureImage(file: string, index: number): Promise<void> {
  const [width, height] = FIXTURE_SIZES[index % FIXTURE_SIZES.length];
  const block = await flatImage({
    width: Math.round(width / 3),
    height: Math.round(height / 3),
    rgb: COLOURS[(index + 2) % COLOURS.length],
    format: 'png',
  });
  await writeFlatImage(file, {
    width,
    height,
    rgb: COLOURS[index % COLOURS.length],
    format: file.endsWith('.png') ? 'png' : 'jpeg',
    quality: 70,
    overlay: { input: block, left: Math.round(width / 4), top: Math.round(height / 4) },
  });
}

export async function writeBytes(file: string, data: string | Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, data);
}

/** Write a text file, creating its folder. */
export async function writeText(file: string, text: string): Promise<void> {
  await writeBytes(file, text);
}

/** JSON lines, one row per line, with the trailing newline. */
export function jsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
