// Export benchmark (not in CI): a random checkpoint shaped exactly like BAAI/EVE-7B-v1.0 (fp16 .bin shards
// of up to 10 GB, ZIP64, with the training-only CLIP distillation tower), exported to fp16 and q4 as a user
// runs it; then the q4 bundle on this machine's CPU: decode tokens/s at batch 1 and the prefill of a
// 601-token image prompt (a 1024×1024 image), each beside its physical limit.
// Needs about 35 GB of free disk under .bench/ (or EVE_EVAL_BENCH_DIR) and says so when there is less.
// EVE_EVAL_BENCH_KEEP=1 keeps the checkpoint and bundles for a rerun.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { writeShardedCheckpoint } from '../export/checkpoint/shards.ts';
import type { TensorToWrite } from '../export/checkpoint/types.ts';
import { CheckpointDraft, eveTensors, hashString, type Draw, type LlamaShape } from '../fixtures/models/generate.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const NEED_BYTES = 35e9;
const GB = 1e9;

/** EVE-7B-v1.0: Vicuna-7B decoder, 1024-channel vision tokenizer, and the CLIP-L/14 distillation modules. */
const SHAPE = { hidden: 4096, layers: 32, intermediate: 11008, vocab: 32000, C: 1024, clipLayers: 24, clipHidden: 1024, clipMlp: 4096 };

/** Uniform values with the given standard deviation: fast (xorshift), and random enough for timing. */
const uniform: Draw = (key, n, std, mean) => {
  const out = new Float32Array(n);
  const half = std * Math.sqrt(3);
  const a = (2 * half) / 4294967296;
  let x = hashString(key) || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = mean + (x >>> 0) * a - half;
  }
  return out;
};

const EVE_7B: LlamaShape = { hidden: SHAPE.hidden, layers: SHAPE.layers, heads: 32, kvHeads: 32, intermediate: SHAPE.intermediate, eps: 1e-5 };

/** The tensors of EVE-7B-v1.0 in its published order and names, CLIP distillation tower included; `layers` lower for a dry run. */
export function eve7bTensors(layers = SHAPE.layers): TensorToWrite[] {
  const ck = new CheckpointDraft('eve-7b', 'F16', uniform);
  eveTensors(ck, SHAPE.vocab, SHAPE.C, { ...EVE_7B, layers }, { layers: SHAPE.clipLayers, hidden: SHAPE.clipHidden, mlp: SHAPE.clipMlp });
  return ck.tensors;
}

export function writeCheckpoint(dir: string, layers = SHAPE.layers): { seconds: number; bytes: number } {
  const t0 = performance.now();
  mkdirSync(dir, { recursive: true });
  const { totalSize } = writeShardedCheckpoint(dir, 'bin', eve7bTensors(layers), { maxShardBytes: 10 * GB });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify(
      {
        architectures: ['EVELlamaForCausalLM'],
        model_type: 'eve',
        hidden_size: SHAPE.hidden,
        intermediate_size: SHAPE.intermediate,
        num_hidden_layers: layers,
        num_attention_heads: 32,
        num_key_value_heads: 32,
        vocab_size: SHAPE.vocab,
        rms_norm_eps: 1e-5,
        max_position_embeddings: 4096,
        bos_token_id: 1,
        eos_token_id: 2,
        pad_token_id: 0,
        hidden_act: 'silu',
        torch_dtype: 'float16',
        mm_hidden_size: SHAPE.C,
        mm_projector_type: 'mlp2x_gelu',
        mm_vision_tower: 'openai/eve-patch14-anypixel-672',
        mm_vision_tower_clip: 'openai/clip-vit-large-patch14-336',
        mm_vision_select_layer: -2,
        mm_use_im_start_end: false,
      },
      null,
      2,
    ),
  );
  for (const f of ['tokenizer.model', 'tokenizer_config.json']) writeFileSync(join(dir, f), readFileSync(join(REPO, 'fixtures', 'tokenizers', 'llama2', f)));
  writeFileSync(join(dir, 'DONE'), String(totalSize));
  return { seconds: (performance.now() - t0) / 1000, bytes: totalSize };
}

interface ExportRun {
  seconds: number;
  peakRssBytes: number;
  files: { file: string; bytes: number }[];
}

/** One export in a child process; with EVE_EVAL_BENCH_KEEP its figures are kept beside the bundle for a rerun. */
function runExport(ckpt: string, out: string, precision: string): ExportRun {
  const saved = `${out}.json`;
  if (process.env.EVE_EVAL_BENCH_KEEP && existsSync(saved) && existsSync(join(out, 'config.json'))) return JSON.parse(readFileSync(saved, 'utf8')) as ExportRun;
  rmSync(out, { recursive: true, force: true });
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'export-worker.ts'), ckpt, out, precision], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`export ${precision} failed (${r.status ?? r.signal})`);
  const run = JSON.parse(r.stdout.trim().split('\n').pop()!) as ExportRun;
  writeFileSync(saved, JSON.stringify(run));
  return run;
}

/** Host memory bandwidth: best of a few 1 GiB copies (each moves the bytes in and out). */
export function memoryBandwidth(): number {
  const n = 1 << 30;
  const a = Buffer.alloc(n, 1);
  const b = Buffer.alloc(n);
  let best = Infinity;
  for (let i = 0; i < 4; i++) {
    const t = performance.now();
    a.copy(b);
    best = Math.min(best, performance.now() - t);
  }
  return (2 * n) / (best / 1000);
}

const gb = (b: number) => (b / GB).toFixed(2);

export async function main(): Promise<void> {
  const root = process.env.EVE_EVAL_BENCH_DIR ?? join(REPO, '.bench', 'export-7b');
  mkdirSync(root, { recursive: true });
  const ckpt = join(root, 'EVE-7B-v1.0-random');
  const free = statfsSync(root).bavail * statfsSync(root).bsize;
  const have = existsSync(join(ckpt, 'DONE'));
  if (!have && free < NEED_BYTES) {
    console.log(`export bench skipped: it needs about ${gb(NEED_BYTES)} GB free under ${root}, and ${gb(free)} GB are (set EVE_EVAL_BENCH_DIR)`);
    return;
  }
  const lines: string[] = [];
  const say = (s: string) => {
    console.log(s);
    lines.push(s);
  };
  say(`export bench: ${availableParallelism()} CPUs, checkpoint shaped like EVE-7B-v1.0 (fp16 .bin shards)`);
  if (!have) {
    const w = writeCheckpoint(ckpt);
    say(`wrote the random checkpoint: ${gb(w.bytes)} GB of tensors in ${w.seconds.toFixed(0)} s`);
  }
  const fp16 = runExport(ckpt, join(root, 'bundle-fp16'), 'fp16');
  const size = (r: ExportRun) => r.files.reduce((a, f) => a + f.bytes, 0);
  say(`export fp16: ${fp16.seconds.toFixed(0)} s, peak RSS ${gb(fp16.peakRssBytes)} GB, bundle ${gb(size(fp16))} GB`);
  const q4 = runExport(ckpt, join(root, 'bundle-q4'), 'q4');
  say(`export q4: ${q4.seconds.toFixed(0)} s, peak RSS ${gb(q4.peakRssBytes)} GB, bundle ${gb(size(q4))} GB`);

  const bw = memoryBandwidth();
  say(`host memory bandwidth (1 GiB copies, best of 4): ${gb(bw)} GB/s`);
  const { loadModel } = await import('../harness/runtime/model.ts');
  const t0 = performance.now();
  const model = await loadModel(join(root, 'bundle-q4'), { precision: 'q4' });
  say(`q4 bundle loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    // Weight bytes one decode step reads: every q4 decoder weight (the embedding row and KV cache are small).
    const decoderBytes = q4.files.filter((f) => f.file.includes('decoder_model_merged')).reduce((a, f) => a + f.bytes, 0);
    const text = await model.generate([{ image: null, source: 'text', prompt: 'Tell me a long story about a cat.', maxNewTokens: 16 }]);
    const loop = model.lastLoop()!;
    if ('error' in text[0]) throw new Error(text[0].error.message);
    const perToken = loop.decodeMs / Math.max(1, loop.generatedTokens - 1);
    const limitTok = bw / decoderBytes;
    say(
      `q4 decode, batch 1: ${(1000 / perToken).toFixed(2)} tok/s (${perToken.toFixed(0)} ms/token); bandwidth limit ${limitTok.toFixed(2)} tok/s (${gb(decoderBytes)} GB per step at ${gb(bw)} GB/s)`,
    );
    const image = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: { r: 90, g: 140, b: 200 } } })
      .jpeg()
      .toBuffer();
    const img = await model.generate([{ image, source: '1024x1024.jpg', prompt: 'What is in the image?', maxNewTokens: 1 }]);
    if ('error' in img[0]) throw new Error(img[0].error.message);
    const pre = model.lastLoop()!;
    // Prefill reads every weight once; it is bound by arithmetic: 2 FLOPs per weight per token.
    const params = 6.74e9;
    say(
      `q4 prefill of a ${img[0].imageTokens}-token image (${pre.prefillTokens} tokens in all): ${(pre.prefillMs / 1000).toFixed(1)} s = ${(pre.prefillTokens / (pre.prefillMs / 1000)).toFixed(1)} tok/s, ${((2 * params * pre.prefillTokens) / (pre.prefillMs / 1000) / 1e9).toFixed(0)} GFLOP/s achieved; bandwidth limit ${(decoderBytes / bw).toFixed(2)} s (weights read once)`,
    );
  } finally {
    await model.dispose();
  }
  const out = join(REPO, 'bench', 'results', `export-7b-cpu-${new Date().toISOString().slice(0, 10)}.txt`);
  writeFileSync(out, lines.join('\n') + '\n');
  console.log(`figures written to ${out}`);
  if (!process.env.EVE_EVAL_BENCH_KEEP) rmSync(root, { recursive: true, force: true });
}

// Run directly (npx tsx bench/export.ts) as well as from bench/run.ts; not when bundled into bench/export-gpu.ts.
if (process.argv[1]?.endsWith('/bench/export.ts')) await main();
