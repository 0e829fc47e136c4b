// Decode an image file to 8-bit RGB exactly as PIL's `Image.open(f).convert('RGB')` sees it, using sharp.
//
// The reference code (EVE, LLaVA, HF Fuyu) opens images with PIL and converts to RGB; it never applies
// the EXIF orientation, so neither do we (sharp only rotates when asked to). Where sharp's default
// conversion differs from PIL's, we take sharp's raw samples and apply PIL's rule ourselves
// (checked against Pillow 9.4, the Debian python3-pil, in test/harness/image.test.ts):
//   - alpha (RGBA, LA, palette+tRNS) is dropped, not composited: convert('RGB') discards it;
//   - 16-bit RGB(A) and 16-bit grey+alpha PNGs keep the high byte (PIL's "RGB;16B"/"LA;16B" unpackers);
//   - 16-bit greyscale PNG opens in PIL as mode "I", and I → RGB *clips* at 255 (it does not scale);
//   - CMYK JPEG: PIL ignores the ICC profile and uses its naive cmyk2rgb; sharp would colour-manage;
//   - GIF: first frame only; transparent pixels get their palette colour (PIL keeps the index).
import sharp from 'sharp';
import { InputError } from './errors.ts';

// Each image is decoded once per model, so libvips's operation cache (by default up to 50 MB of pixels and 100
// operations, kept for the process's life) only adds to the peak memory of a run.
sharp.cache(false);
// One libvips thread per image: images are decoded several at a time (the runner's read-ahead, worker threads),
// and libvips's default of one thread per core per image started 12 threads on 2 cores, which competed with
// onnxruntime's and each took a malloc arena. With one: the preprocessing bench 2-8% faster in every setting,
// the default run 57-58 s against 62-67 s at load 3.5 (bench/preprocess.ts, README Performance).
sharp.concurrency(1);

/** 8-bit RGB pixels, row-major, 3 bytes per pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * PIL refuses images over 2 × Image.MAX_IMAGE_PIXELS (DecompressionBombError); so do we, and it also
 * bounds the memory one sample can take.
 */
export const MAX_PIXELS = 2 * 89_478_485;

function fail(source: string, detail: string): never {
  throw new InputError(source, undefined, detail);
}

/** PIL's MULDIV255: a*b/255 rounded, in integers. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

/** Pillow's cmyk2rgb (Convert.c): r = (255-k) - c·(255-k)/255, no colour management. */
function cmykToRgb(cmyk: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const nk = 255 - cmyk[i * 4 + 3];
    for (let c = 0; c < 3; c++) {
      const v = nk - mulDiv255(cmyk[i * 4 + c], nk);
      out[i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}

/** Keep the first three channels (or replicate a grey one), dropping alpha as convert('RGB') does. */
function toRgb(raw: Uint8Array, pixels: number, channels: number): Uint8Array {
  if (channels === 3) return raw;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    if (channels >= 3) {
      out[i * 3] = raw[i * channels];
      out[i * 3 + 1] = raw[i * channels + 1];
      out[i * 3 + 2] = raw[i * channels + 2];
    } else {
      const g = raw[i * channels];
      out[i * 3] = g;
      out[i * 3 + 1] = g;
      out[i * 3 + 2] = g;
    }
  }
  return out;
}

/**
 * The colour PIL gives a GIF's transparent pixels: the palette entry of the first frame's transparent
 * index (local colour table if the frame has one, else the global one). Undefined when the first frame
 * declares no transparency or the header cannot be walked.
 */
export function gifTransparentColour(buf: Uint8Array): [number, number, number] | undefined {
  if (buf.length < 13 || String.fromCharCode(buf[0], buf[1], buf[2]) !== 'GIF') return undefined;
  const flags = buf[10];
  let pos = 13;
  let globalTable: number | undefined;
  if (flags & 0x80) {
    globalTable = pos;
    pos += 3 * (1 << ((flags & 7) + 1));
  }
  let transIndex: number | undefined;
  while (pos < buf.length) {
    const block = buf[pos];
    if (block === 0x21) {
      // Extension: label, then sub-blocks. A Graphic Control Extension (0xF9) carries the transparency.
      const label = buf[pos + 1];
      if (label === 0xf9 && buf[pos + 2] >= 4 && buf[pos + 3] & 1) transIndex = buf[pos + 6];
      pos += 2;
      while (pos < buf.length && buf[pos] !== 0) pos += buf[pos] + 1;
      pos += 1;
    } else if (block === 0x2c) {
      if (transIndex === undefined) return undefined;
      const imgFlags = buf[pos + 9];
      const table = imgFlags & 0x80 ? pos + 10 : globalTable;
      if (table === undefined) return undefined;
      const at = table + 3 * transIndex;
      if (at + 2 >= buf.length) return undefined;
      return [buf[at], buf[at + 1], buf[at + 2]];
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** Decode `buf` (read from `source`, named in errors) to 8-bit RGB as PIL's convert('RGB') does. */
export async function decodeImage(buf: Uint8Array, source: string): Promise<RgbImage> {
  if (buf.length === 0) fail(source, 'empty image file (0 bytes)');
  // failOn 'truncated': a truncated file is an error, as PIL's default LOAD_TRUNCATED_IMAGES=False makes it.
  const opts = { failOn: 'truncated' as const, limitInputPixels: MAX_PIXELS, pages: 1, page: 0 };
  try {
    const meta = await sharp(buf, opts).metadata();
    const width = meta.width ?? 0;
    const height = meta.height ?? 0;
    if (width < 1 || height < 1) fail(source, `image has no pixels (${width}×${height})`);
    const pixels = width * height;
    let data: Uint8Array;
    if (meta.space === 'cmyk') {
      // Raw CMYK samples without ICC conversion (Adobe-inverted files are un-inverted by the decoder, as PIL's "CMYK;I").
      const raw = await sharp(buf, opts).pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer();
      data = cmykToRgb(raw, pixels);
    } else if (meta.space === 'grey16' && meta.channels === 1) {
      const raw = await sharp(buf, opts).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer();
      const u16 = new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2);
      data = new Uint8Array(pixels * 3);
      for (let i = 0; i < pixels; i++) {
        const v = u16[i] > 255 ? 255 : u16[i];
        data[i * 3] = v;
        data[i * 3 + 1] = v;
        data[i * 3 + 2] = v;
      }
    } else {
      const { data: raw, info } = await sharp(buf, opts).raw().toBuffer({ resolveWithObject: true });
      if (info.width !== width || info.height !== height) fail(source, 'decoder returned an unexpected size');
      data = toRgb(raw, pixels, info.channels);
      if (meta.format === 'gif' && info.channels === 4) {
        const colour = gifTransparentColour(buf);
        if (colour) {
          for (let i = 0; i < pixels; i++) {
            if (raw[i * 4 + 3] === 0) data.set(colour, i * 3);
          }
        }
      }
    }
    return { width, height, data };
  } catch (err) {
    if (err instanceof InputError) throw err;
    const msg = (err as Error).message.split('\n')[0];
    fail(source, `cannot decode image: ${msg}`);
  }
}
