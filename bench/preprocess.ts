// EVE-7B preprocessing (decode as PIL's convert('RGB') sees it, PIL-exact bicubic resize, mean-colour canvas,
// CLIP normalisation, mask) on 200 generated images from 64² to 4000×3000, with extreme ratios (200×4000,
// 4000×200), greyscale, CMYK and palette images: images/s for eve-eval at 1 and 2 images in flight (sharp
// decodes on its own thread pool; the resampler runs on the JS thread) and on 1, 2, 4, … worker threads up to
// the machine's cores (harness/runtime/preprocess-pool.ts), beside PIL + numpy in one process, and whether
// every tensor is byte-identical to PIL's (sha256 of the float32 bytes).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { availableParallelism } from 'node:os';
import eve from '../adapters/eve/index.ts';
import { PreprocessPool } from '../harness/runtime/preprocess-pool.ts';
import { benchRuns, formatSpread, runCommand, spread } from './measure.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = process.env.EVE_EVAL_BENCH_PYTHON || '/usr/bin/python3';
const CFG = JSON.parse(readFileSync(join(REPO, 'fixtures/models/tiny-eve/preprocessor_config.json'), 'utf8')) as Record<string, unknown>;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Smooth colour fields with noise, so JPEG decoding and resampling do real work (tables: a 12 MP image in ~0.2 s). */
function pixels(w: number, h: number, channels: number, r: () => number): Buffer {
  const out = Buffer.allocUnsafe(w * h * channels);
  const cols = Array.from({ length: channels }, (_, c) => Float64Array.from({ length: w }, (_, x) => 64 * Math.sin(r() * 6 + (x * (c + 1)) / 97)));
  const rows = Array.from({ length: channels }, () => Float64Array.from({ length: h }, (_, y) => 128 + 40 * Math.sin(y / 61 + r() * 0.01)));
  let s = Math.floor(r() * 2 ** 31) | 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < channels; c++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        const v = rows[c][y] + cols[c][x] + ((s & 31) - 16);
        out[(y * w + x) * channels + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return out;
}

const SIZES: Array<[number, number]> = [
  [64, 64],
  [200, 4000],
  [4000, 200],
  [640, 480],
  [480, 640],
  [1024, 768],
  [333, 500],
  [1920, 1080],
  [800, 800],
  [4000, 3000],
  [3000, 4000],
  [1280, 720],
];

/** 200 files: mostly RGB JPEGs of the sizes above; every tenth greyscale, CMYK or a palette PNG. */
async function writeImages(dir: string, count = 200): Promise<void> {
  const r = lcg(5);
  for (let i = 0; i < count; i++) {
    const [w, h] = SIZES[i % SIZES.length];
    const kind = i % 10 === 3 ? 'grey' : i % 10 === 6 ? 'cmyk' : i % 10 === 9 ? 'palette' : 'rgb';
    const name = join(dir, `${String(i).padStart(3, '0')}-${kind}-${w}x${h}.${kind === 'palette' ? 'png' : 'jpg'}`);
    const raw = pixels(w, h, kind === 'grey' ? 1 : 3, r);
    const img = sharp(raw, { raw: { width: w, height: h, channels: kind === 'grey' ? 1 : 3 } });
    if (kind === 'grey') await img.jpeg({ quality: 90 }).toFile(name);
    else if (kind === 'cmyk') await img.toColourspace('cmyk').jpeg({ quality: 90 }).toFile(name);
    else if (kind === 'palette') await img.png({ palette: true, colours: 64 }).toFile(name);
    else await img.jpeg({ quality: 90 }).toFile(name);
  }
}

/**
 * Preprocess every file with `inFlight` at once, on this thread or on `pool`'s workers; seconds and each
 * tensor's sha256.
 */
async function ours(dir: string, files: string[], inFlight: number, pool?: PreprocessPool): Promise<{ seconds: number; sha256: Record<string, string> }> {
  const bytes = files.map((f) => readFileSync(join(dir, f))); // read first: the figure is decode + preprocess
  const sha256: Record<string, string> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < files.length) {
        const i = next++;
        const px = pool ? await pool.preprocess('eve', bytes[i], files[i], CFG) : await eve.preprocess(bytes[i], files[i], CFG);
        sha256[files[i]] = createHash('sha256')
          .update(new Uint8Array(px.data.buffer, px.data.byteOffset, px.data.byteLength))
          .digest('hex');
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, sha256 };
}

export async function main(): Promise<Record<string, unknown>> {
  const runs = benchRuns();
  const dir = mkdtempSync(join(tmpdir(), 'eve-eval-bench-preprocess-'));
  try {
    await writeImages(dir);
    const files = readdirSync(dir).sort();
    const out: Record<string, unknown> = { images: files.length };
    let hashes: Record<string, string> = {};
    for (const inFlight of [1, 2]) {
      const rates: number[] = [];
      for (let k = 0; k < runs; k++) {
        const r = await ours(dir, files, inFlight);
        rates.push(files.length / r.seconds);
        hashes = r.sha256;
      }
      const s = spread(rates);
      console.log(`eve-eval EVE preprocessing, ${files.length} images (64² … 4000×3000), ${inFlight} in flight: ${formatSpread(s, 'images/s', 1)}`);
      out[`eveEval${inFlight}`] = s;
    }
    // Worker threads (harness/runtime/preprocess-pool.ts), two jobs in flight per worker: 1, 2, 4, … up to the cores.
    const cores = availableParallelism();
    for (const workers of [1, 2, 4, 8, 16].filter((n) => n <= Math.max(cores, 2))) {
      const pool = new PreprocessPool(workers);
      const rates: number[] = [];
      try {
        for (let k = 0; k < runs; k++) {
          const r = await ours(dir, files, 2 * workers, pool);
          rates.push(files.length / r.seconds);
          const differ = files.filter((f) => r.sha256[f] !== hashes[f]).length;
          if (differ) throw new Error(`${differ} tensors from the worker pool differ from the main thread's`);
        }
      } finally {
        await pool.close();
      }
      const s = spread(rates);
      console.log(`  on ${workers} worker thread${workers > 1 ? 's' : ''} (${cores} cores): ${formatSpread(s, 'images/s', 1)}`);
      out[`workers${workers}`] = s;
    }
    if (!existsSync(PYTHON)) {
      console.log(`  PIL reference skipped: no Python at ${PYTHON}`);
      return out;
    }
    const pilRates: number[] = [];
    let pil: { seconds: number; sha256: Record<string, string> } | undefined;
    for (let k = 0; k < runs; k++) {
      pil = JSON.parse((await runCommand([PYTHON, join(REPO, 'bench/reference/eve_preprocess.py'), dir])).stdout);
      pilRates.push(files.length / pil!.seconds);
    }
    const p = spread(pilRates);
    const same = files.filter((f) => pil!.sha256[f] === hashes[f]).length;
    const best = Math.max(
      ...Object.entries(out)
        .filter(([k]) => k.startsWith('workers') || k.startsWith('eveEval'))
        .map(([, v]) => (v as typeof p).median),
    );
    console.log(
      `PIL + numpy, one process, same images: ${formatSpread(p, 'images/s', 1)}; eve-eval / PIL (medians): ${((out.eveEval1 as typeof p).median / p.median).toFixed(2)}× on the main thread, ${(best / p.median).toFixed(2)}× at best`,
    );
    console.log(`  byte-identical to PIL: ${same} of ${files.length} tensors`);
    return { ...out, pil: p, identical: same };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
