// Fixture images for the VQA-family benchmarks: flat colours with one block, in the sizes and aspect
// ratios the preprocessing paths must handle (small, large, wide 3:1, tall 1:3), kept to a few KB each.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export const FIXTURE_SIZES: ReadonlyArray<[number, number]> = [
  [640, 480], // COCO-like
  [1200, 400], // wide 3:1
  [400, 1200], // tall 1:3
  [200, 150], // small
  [1600, 1200], // large
  [500, 500], // square
];

const COLOURS: ReadonlyArray<[number, number, number]> = [
  [200, 40, 40], [40, 160, 60], [40, 70, 200], [230, 200, 40], [120, 120, 120], [250, 250, 250],
];

/** Write image `index` (size and colours chosen by index) to file, as JPEG or PNG by extension. */
export async function writeFixtureImage(file: string, index: number): Promise<void> {
  const [width, height] = FIXTURE_SIZES[index % FIXTURE_SIZES.length];
  const [r, g, b] = COLOURS[index % COLOURS.length];
  const [br, bg, bb] = COLOURS[(index + 2) % COLOURS.length];
  const block = await sharp({
    create: { width: Math.round(width / 3), height: Math.round(height / 3), channels: 3, background: { r: br, g: bg, b: bb } },
  })
    .png()
    .toBuffer();
  let img = sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).composite([
    { input: block, left: Math.round(width / 4), top: Math.round(height / 4) },
  ]);
  img = file.endsWith('.png') ? img.png() : img.jpeg({ quality: 70 });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, await img.toBuffer());
}

export async function writeText(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

export function jsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
