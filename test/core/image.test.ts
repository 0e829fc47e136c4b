import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, gifTransparentColour } from '../../core/image.ts';
import { InputError } from '../../core/errors.ts';

describe('decodeImage: simple cases and bad input', () => {
  it('decodes a PNG to RGB bytes, row-major', async () => {
    const raw = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 8, 7]);
    const png = await sharp(raw, { raw: { width: 2, height: 2, channels: 3 } })
      .png()
      .toBuffer();
    const img = await decodeImage(png, 'a.png');
    expect([img.width, img.height]).toEqual([2, 2]);
    expect(Array.from(img.data)).toEqual(Array.from(raw));
  });

  it('drops alpha without compositing (convert("RGB"))', async () => {
    const raw = Buffer.from([200, 100, 50, 0, 10, 20, 30, 128]);
    const png = await sharp(raw, { raw: { width: 2, height: 1, channels: 4 } })
      .png()
      .toBuffer();
    expect(Array.from((await decodeImage(png, 'a.png')).data)).toEqual([200, 100, 50, 10, 20, 30]);
  });

  it('replicates greyscale into three channels', async () => {
    const png = await sharp(Buffer.from([7, 250]), { raw: { width: 2, height: 1, channels: 1 } })
      .png()
      .toBuffer();
    expect(Array.from((await decodeImage(png, 'g.png')).data)).toEqual([7, 7, 7, 250, 250, 250]);
  });

  it('does not apply the EXIF orientation (the reference code does not)', async () => {
    const jpg = await sharp({ create: { width: 4, height: 2, channels: 3, background: '#808080' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(jpg).metadata()).orientation).toBe(6);
    const img = await decodeImage(jpg, 'r.jpg');
    expect([img.width, img.height]).toEqual([4, 2]);
  });

  it("decodes a 1×20000 image (whether a family accepts it is the family's call)", async () => {
    const png = await sharp({ create: { width: 1, height: 20000, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    const img = await decodeImage(png, 'thin.png');
    expect([img.width, img.height]).toEqual([1, 20000]);
  });

  it.each([
    ['empty.jpg', Buffer.alloc(0), /^empty\.jpg: empty image file/],
    ['junk.png', Buffer.from('not an image at all'), /^junk\.png: cannot decode image/],
  ])('%s → one-line InputError naming the file', async (name, buf, re) => {
    const err = await decodeImage(buf, name).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(re);
    expect(err.message).not.toContain('\n');
  });

  it.each(['jpeg', 'png'] as const)('a truncated %s → InputError naming the file', async (fmt) => {
    const noise = Buffer.from(Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251));
    const full = await sharp(noise, { raw: { width: 64, height: 64, channels: 3 } })
      .toFormat(fmt)
      .toBuffer();
    const err = await decodeImage(full.subarray(0, Math.floor(full.length / 2)), `half.${fmt}`).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(new RegExp(`^half\\.${fmt}: cannot decode image`));
  });

  it("reads the transparent colour of a GIF's first frame from its palette", () => {
    // GIF89a, 1×1, global table of 2 entries, Graphic Control Extension with transparent index 1.
    const gif = Uint8Array.from([
      ...Buffer.from('GIF89a'),
      1,
      0,
      1,
      0,
      0x80,
      0,
      0,
      10,
      20,
      30,
      40,
      50,
      60,
      0x21,
      0xf9,
      4,
      1,
      0,
      0,
      1,
      0,
      0x2c,
      0,
      0,
      0,
      0,
      1,
      0,
      1,
      0,
      0,
    ]);
    expect(gifTransparentColour(gif)).toEqual([40, 50, 60]);
    gif[22] = 0; // clear the transparency flag
    expect(gifTransparentColour(gif)).toBeUndefined();
  });
});

const PY = '/usr/bin/python3';
const hasPil =
  existsSync(PY) &&
  (() => {
    try {
      execFileSync(PY, ['-c', 'import PIL, numpy']);
      return true;
    } catch {
      return false;
    }
  })();
if (!hasPil) console.log('note: /usr/bin/python3 with PIL + numpy not found; skipping the PIL decode comparison');

// Every odd mode the issue names, written by PIL and decoded by PIL's convert('RGB') as the reference.
const MAKE = String.raw`
import sys, os, zlib, struct, numpy as np
from PIL import Image
d = sys.argv[1]
rng = np.random.default_rng(7)
a = rng.integers(0, 256, (13, 17, 3), dtype=np.uint8)
def png16(arr, fn, ct):
    h, w = arr.shape[:2]
    raw = b''.join(b'\x00' + arr[y].astype('>u2').tobytes() for y in range(h))
    ch = lambda t, x: struct.pack('>I', len(x)) + t + x + struct.pack('>I', zlib.crc32(t + x) & 0xffffffff)
    open(os.path.join(d, fn), 'wb').write(b'\x89PNG\r\n\x1a\n' + ch(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, ct, 0, 0, 0)) + ch(b'IDAT', zlib.compress(raw)) + ch(b'IEND', b''))
g16 = rng.integers(0, 65536, (13, 17), dtype=np.uint16); g16[0, :5] = [0, 1, 200, 255, 256]
r16 = rng.integers(0, 65536, (13, 17, 3), dtype=np.uint16)
png16(g16, 'grey16.png', 0); png16(r16, 'rgb16.png', 2)
png16(np.dstack([g16, g16[::-1]]), 'la16.png', 4); png16(np.dstack([r16, g16]), 'rgba16.png', 6)
Image.fromarray(a).save(os.path.join(d, 'rgb.jpg'), quality=90)
Image.fromarray(a).save(os.path.join(d, 'rgb.webp'), quality=80)
Image.fromarray(a[:, :, 0]).save(os.path.join(d, 'grey.jpg'))
Image.fromarray(np.dstack([a[:, :, 0], a[:, :, 1]]), 'LA').save(os.path.join(d, 'la.png'))
p = Image.fromarray(a).quantize(16)
p.save(os.path.join(d, 'pal.png')); p.save(os.path.join(d, 'pal-trns.png'), transparency=3)
p.save(os.path.join(d, 'pal-trns.gif'), transparency=3)
Image.fromarray(a).quantize(8).save(os.path.join(d, 'anim.gif'), save_all=True, append_images=[Image.fromarray(255 - a).quantize(8)])
Image.fromarray(a).convert('CMYK').save(os.path.join(d, 'cmyk.jpg'), quality=95)
ex = Image.Exif(); ex[0x0112] = 6
Image.fromarray(a).save(os.path.join(d, 'exif6.jpg'), exif=ex.tobytes())
for fn in sorted(os.listdir(d)):
    if not fn.endswith('.rgb'):
        open(os.path.join(d, fn + '.rgb'), 'wb').write(np.asarray(Image.open(os.path.join(d, fn)).convert('RGB')).tobytes())
`;

describe.skipIf(!hasPil)('decodeImage matches PIL convert("RGB") on every odd mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eve-eval-img-'));
  beforeAll(() => {
    execFileSync(PY, ['-c', MAKE, dir]);
  });
  it.each([
    'rgb.jpg',
    'rgb.webp',
    'grey.jpg',
    'la.png',
    'pal.png',
    'pal-trns.png',
    'pal-trns.gif',
    'anim.gif',
    'grey16.png',
    'rgb16.png',
    'la16.png',
    'rgba16.png',
    'cmyk.jpg',
    'exif6.jpg',
  ])('%s', async (name) => {
    const img = await decodeImage(readFileSync(join(dir, name)), name);
    const ref = readFileSync(join(dir, name + '.rgb'));
    expect([img.width, img.height]).toEqual([17, 13]);
    expect(Buffer.from(img.data).equals(ref)).toBe(true);
  });
  it("16-bit greyscale clips at 255 as PIL's I → RGB does (it does not scale)", async () => {
    const img = await decodeImage(readFileSync(join(dir, 'grey16.png')), 'grey16.png');
    expect(Array.from(img.data.subarray(0, 15)).filter((_, i) => i % 3 === 0)).toEqual([0, 1, 200, 255, 255]);
  });
});
