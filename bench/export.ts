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

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const NEED_BYTES = 35e9;
const GB = 1e9;

/** EVE-7B-v1.0: Vicuna-7B decoder, 1024-channel vision tokenizer, and the CLIP-L/14 distillation modules. */
const SHAPE = { hidden: 4096, layers: 32, intermediate: 11008, vocab: 32000, C: 1024, clipLayers: 24, clipHidden: 1024, clipMlp: 4096 };

/** Uniform values with the given standard deviation: fast (xorshift), and random enough for timing. */
function uniform(n: number, std: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const a = std * Math.sqrt(3) * 2 / 4294967296;
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) * a - std * Math.sqrt(3);
  }
  return out;
}

/** The tensors of EVE-7B-v1.0 in its published order and names; `layers` lower for a quick dry run. */
export function eve7bTensors(layers = SHAPE.layers): TensorToWrite[] {
  const { hidden: H, intermediate: I, vocab: V, C } = SHAPE;
  const list: TensorToWrite[] = [];
  let seed = 1;
  const add = (name: string, shape: number[], std: number) => {
    const s = seed++;
    list.push({ name, dtype: 'F16', shape, data: () => uniform(shape.reduce((a, b) => a * b, 1), std, s * 2654435761) });
  };
  const lin = (name: string, out: number, inp: number, bias = false) => {
    add(`${name}.weight`, [out, inp], 1 / Math.sqrt(inp));
    if (bias) add(`${name}.bias`, [out], 0.02);
  };
  const ln = (name: string, dim: number, bias = false) => {
    add(`${name}.weight`, [dim], 0.02);
    if (bias) add(`${name}.bias`, [dim], 0.02);
  };
  add('model.embed_tokens.weight', [V, H], 1);
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}`;
    for (const x of ['q', 'k', 'v', 'o']) lin(`${p}.self_attn.${x}_proj`, H, H);
    lin(`${p}.mlp.gate_proj`, I, H);
    lin(`${p}.mlp.up_proj`, I, H);
    lin(`${p}.mlp.down_proj`, H, I);
    ln(`${p}.input_layernorm`, H);
    ln(`${p}.post_attention_layernorm`, H);
  }
  ln('model.norm', H);
  const vt = 'model.vision_tower';
  add(`${vt}.patch_embedding.weight`, [C, 3, 14, 14], 0.05);
  add(`${vt}.class_embedding`, [C], 1);
  add(`${vt}.split_embedding`, [C], 1);
  for (const a of ['local_attention', 'global_attention']) {
    ln(`${vt}.${a}.q.0`, C, true);
    lin(`${vt}.${a}.q.1`, C, C);
    ln(`${vt}.${a}.kv.0`, C, true);
    lin(`${vt}.${a}.kv.1`, 2 * C, C);
    lin(`${vt}.${a}.proj`, C, C, true);
  }
  lin('model.mm_projector.0', H, C, true);
  lin('model.mm_projector.2', H, H, true);
  // The training-only CLIP-L/14-336 tower and compressor the published files carry (export skips them).
  const cv = 'model.vision_clip.backbone.vision_model';
  const { clipHidden: CH, clipMlp: CM } = SHAPE;
  add(`${cv}.embeddings.patch_embedding.weight`, [CH, 3, 14, 14], 0.05);
  add(`${cv}.embeddings.position_embedding.weight`, [577, CH], 0.05);
  for (let i = 0; i < SHAPE.clipLayers; i++) {
    const p = `${cv}.encoder.layers.${i}`;
    for (const x of ['q', 'k', 'v', 'out']) lin(`${p}.self_attn.${x}_proj`, CH, CH, true);
    lin(`${p}.mlp.fc1`, CM, CH, true);
    lin(`${p}.mlp.fc2`, CH, CM, true);
  }
  for (let j = 0; j < 9; j++) lin(`model.vision_tower_compressor.norm_layer.${j}.1`, CH, H);
  lin('model.vision_tower_compressor.input_layer', CH, H, true);
  lin('lm_head', V, H);
  return list;
}

export function writeCheckpoint(dir: string, layers = SHAPE.layers): { seconds: number; bytes: number } {
  const t0 = performance.now();
  mkdirSync(dir, { recursive: true });
  const { totalSize } = writeShardedCheckpoint(dir, 'bin', eve7bTensors(layers), { maxShardBytes: 10 * GB });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    architectures: ['EVELlamaForCausalLM'], model_type: 'eve', hidden_size: SHAPE.hidden, intermediate_size: SHAPE.intermediate,
    num_hidden_layers: layers, num_attention_heads: 32, num_key_value_heads: 32, vocab_size: SHAPE.vocab, rms_norm_eps: 1e-5,
    max_position_embeddings: 4096, bos_token_id: 1, eos_token_id: 2, pad_token_id: 0, hidden_act: 'silu', torch_dtype: 'float16',
    mm_hidden_size: SHAPE.C, mm_projector_type: 'mlp2x_gelu', mm_vision_tower: 'openai/eve-patch14-anypixel-672',
    mm_vision_tower_clip: 'openai/clip-vit-large-patch14-336', mm_vision_select_layer: -2, mm_use_im_start_end: false,
  }, null, 2));
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
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'export-worker.ts'), ckpt, out, precision], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
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
    say(`q4 decode, batch 1: ${(1000 / perToken).toFixed(2)} tok/s (${perToken.toFixed(0)} ms/token); bandwidth limit ${limitTok.toFixed(2)} tok/s (${gb(decoderBytes)} GB per step at ${gb(bw)} GB/s)`);
    const image = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
    const img = await model.generate([{ image, source: '1024x1024.jpg', prompt: 'What is in the image?', maxNewTokens: 1 }]);
    if ('error' in img[0]) throw new Error(img[0].error.message);
    const pre = model.lastLoop()!;
    // Prefill reads every weight once; it is bound by arithmetic: 2 FLOPs per weight per token.
    const params = 6.74e9;
    say(`q4 prefill of a ${img[0].imageTokens}-token image (${pre.prefillTokens} tokens in all): ${(pre.prefillMs / 1000).toFixed(1)} s = ${(pre.prefillTokens / (pre.prefillMs / 1000)).toFixed(1)} tok/s, ${((2 * params * pre.prefillTokens) / (pre.prefillMs / 1000) / 1e9).toFixed(0)} GFLOP/s achieved; bandwidth limit ${(decoderBytes / bw).toFixed(2)} s (weights read once)`);
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
