// The 7B export on a GPU machine (run by `bash bench/gpu.sh export`, not by `npm run bench`): builds the
// EVE-7B-shaped random checkpoint and its q4 bundle on that machine itself, then measures WebGPU prefill
// and decode at batch 1, 8 and 32 with the KV cache in GPU buffers, beside the memory-bandwidth limit
// (weight + KV-cache bytes one decode step reads, over the GPU's bandwidth).
//   node bench/.gpu-export.mjs [--dir D] [--layers N] [--device webgpu] [--bandwidth-gbs 4800] [--json FILE]
// Rerunning with the same --dir reuses the bundle, so the build and the measurements can be two calls.
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { exportCheckpoint } from '../adapters/export.ts';
import { loadModel } from '../harness/runtime/model.ts';
import type { Device } from '../harness/runtime/session.ts';
import { writeCheckpoint } from './export.ts';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const dir = flag('dir', '/tmp/eve-eval-export-7b');
const layers = Number(flag('layers', '32'));
const device = flag('device', 'webgpu') as Device;
// H200's HBM3e: 4.8 TB/s (NVIDIA's figure); pass the card's own with --bandwidth-gbs.
const bandwidth = Number(flag('bandwidth-gbs', '4800')) * 1e9;
const jsonOut = flag('json', '');
const H = 4096;

const report: Record<string, unknown> = { device, layers, bandwidth_gbs: bandwidth / 1e9, runs: [] as unknown[] };
const say = (s: string) => console.log(s);

const bundle = join(dir, 'bundle-q4');
if (!existsSync(join(bundle, 'config.json'))) {
  const ckpt = join(dir, 'checkpoint');
  mkdirSync(dir, { recursive: true });
  const w = writeCheckpoint(ckpt, layers);
  say(`checkpoint: ${(w.bytes / 1e9).toFixed(2)} GB in ${w.seconds.toFixed(0)} s`);
  const r = exportCheckpoint({ checkpoint: ckpt, out: bundle, precisions: ['q4'], log: (l) => say(`  ${l}`) });
  say(`export q4: ${r.seconds.toFixed(0)} s, ${(r.files.reduce((a, f) => a + f.bytes, 0) / 1e9).toFixed(2)} GB`);
  report.export_seconds = r.seconds;
  rmSync(ckpt, { recursive: true, force: true });
}

const t0 = performance.now();
const model = await loadModel(bundle, { device, precision: 'q4', maxBatchTokens: Infinity }); // batches of exactly 1, 8, 32 rows
say(`loaded on ${model.executionProvider} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const decoderBytes = model.bundle.allFiles.filter((f) => f.includes('decoder_model_merged')).reduce((a, f) => a + statSync(f).size, 0);

const image = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: { r: 90, g: 140, b: 200 } } })
  .jpeg()
  .toBuffer();
try {
  for (const B of [1, 8, 32]) {
    // Decode: B text prompts, 32 new tokens each (random weights rarely stop early).
    const texts = Array.from({ length: B }, (_, i) => ({
      image: null,
      source: `text-${i}`,
      prompt: `Tell me story number ${i} about a cat.`,
      maxNewTokens: 32,
    }));
    await model.generate(texts.slice(0, 1)); // warm-up: shader compilation
    const r = await model.generate(texts);
    const failed = r.filter((x) => 'error' in x);
    if (failed.length) throw new Error(JSON.stringify(failed[0]));
    const d = model.lastLoop()!;
    const steps = d.generatedTokens - d.rows;
    const decodeTokS = steps / (d.decodeMs / 1000);
    // One decode step reads every decoder weight once plus each row's KV cache (float32, ~S tokens).
    const S = d.prefillTokens / d.rows + 16;
    const kvBytes = B * layers * 2 * S * H * 4;
    const limitTokS = B / ((decoderBytes + kvBytes) / bandwidth);
    // Prefill: B copies of a 601-token image prompt.
    const imgs = Array.from({ length: B }, (_, i) => ({ image, source: `img-${i}`, prompt: 'What is in the image?', maxNewTokens: 1 }));
    const p = await model.generate(imgs);
    if ('error' in p[0]) throw new Error(p[0].error.message);
    const pre = model.lastLoop()!;
    const run = {
      batch: B,
      decode_tok_s: decodeTokS,
      decode_limit_tok_s: limitTokS,
      decode_ms: d.decodeMs,
      decode_steps: steps,
      prefill_tokens: pre.prefillTokens,
      prefill_ms: pre.prefillMs,
      prefill_tok_s: pre.prefillTokens / (pre.prefillMs / 1000),
      image_tokens: 'imageTokens' in p[0] ? p[0].imageTokens : null,
    };
    (report.runs as unknown[]).push(run);
    say(
      `batch ${B}: decode ${decodeTokS.toFixed(1)} tok/s (bandwidth limit ${limitTokS.toFixed(0)} tok/s: ${((decoderBytes + kvBytes) / 1e9).toFixed(2)} GB per step); prefill ${pre.prefillTokens} tokens in ${(pre.prefillMs / 1000).toFixed(2)} s = ${run.prefill_tok_s.toFixed(0)} tok/s`,
    );
  }
} finally {
  await model.dispose();
}
report.decoder_bytes = decoderBytes;
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(report, null, 2) + '\n');
