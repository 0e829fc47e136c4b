// Greedy generation over decoder_model_merged.onnx: prefill, then one token per step with the KV
// cache (present.* fed back as past_key_values.*), or, for tests, recomputing the whole sequence at
// every step. Batches are left-padded with an attention mask and per-row position ids, so a row's
// tokens do not depend on its batch-mates (the lmms-eval batch bug cannot happen here).
import ort from 'onnxruntime-node';
import type { Part } from './session.ts';
import { fromHalf, toHalf } from '../../core/float16.ts';

export interface Engine {
  embed: Part;
  decoder: Part;
  hidden: number;
  layers: number;
  kvHeads: number;
  headDim: number;
  eos: number;
  /** Float type of the decoder's float inputs (float16 for fp16 exports). */
  decoderFloat: 'float32' | 'float16';
  /** Token fed to rows that already finished (their outputs are ignored). */
  padTokenId: number;
  /** Whether the decoder declares use_cache_branch (older Optimum merged exports). */
  useCacheBranch: boolean;
  /** Whether the decoder declares num_logits_to_keep (then only the last position's logits are computed). */
  logitsToKeep?: boolean;
}

export interface GenerateOptions {
  /** Per row: stop after this many new tokens (EOS counts as one and stops earlier). */
  maxNewTokens: number[];
  /** false: recompute the full sequence every step (slow; tests compare it with the cache path). */
  useCache?: boolean;
  /** Sees each active row's last-position logits at every step (export parity checks); costs a copy. */
  onLogits?: LogitsObserver;
  /** Prefill positions per decoder call (default PREFILL_CHUNK); Infinity: the whole prefill in one call. */
  prefillChunk?: number;
}

/**
 * A longer prefill runs in calls of this many positions through the KV cache, each attending to what came before
 * it: attention then holds rows × heads × chunk × S floats, not rows × heads × L². One 2,340-token Fuyu row (a
 * 1080×1920 image) held 4 × 2,340² floats a tensor in tiny-fuyu (88 MB; 1.4 GB at Fuyu-8B's 64 heads), and these
 * transient activations were the default run's RSS peaks. The chunks are counted back from the rows' end, so a
 * row is cut at the same places alone or left-padded in a batch.
 */
export const PREFILL_CHUNK = 256;

export type LogitsObserver = (row: number, step: number, logits: Float32Array) => void;

export interface GenerateOutput {
  /** Generated ids per row, the EOS included when it was produced. */
  tokens: number[][];
  prefillMs: number;
  decodeMs: number;
  /** Of prefill + decode, the milliseconds spent inside session.run (the rest is host overhead). */
  runMs: number;
  /** Tokens in the prefill (real, unpadded) and rows. */
  prefillTokens: number;
}

// ---------- float16 on the host ----------

export { fromHalf, toHalf } from '../../core/float16.ts';

export function floatTensor(type: 'float32' | 'float16', data: Float32Array, dims: number[]): ort.Tensor {
  return type === 'float16' ? new ort.Tensor('float16', toHalf(data), dims) : new ort.Tensor('float32', data, dims);
}

/** A float tensor's values as float32 on the host. */
export async function hostFloats(t: ort.Tensor): Promise<Float32Array> {
  const data = t.location === 'cpu' || t.location === undefined ? t.data : await t.getData();
  return t.type === 'float16' ? fromHalf(data as Uint16Array) : (data as Float32Array);
}

// ---------- embeddings ----------

/** Embeddings [ids.length × hidden] of text token ids, through embed_tokens.onnx. */
export async function embedIds(engine: Engine, ids: number[]): Promise<Float32Array> {
  if (ids.length === 0) return new Float32Array(0);
  const out = await engine.embed.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) });
  return Float32Array.from(await hostFloats(out.inputs_embeds));
}

// ---------- the loop ----------

/**
 * Index of the largest value in data[off, off+n); the first one on ties, as torch.argmax. Float32:
 * a four-lane branch-free max, then the first index holding it (about twice as fast as one
 * compare-and-branch loop over a 32,000-entry row, and this runs once per row per step).
 */
export function argmax(data: Float32Array | Uint16Array, off: number, n: number, half: boolean): number {
  const row = half ? fromHalf((data as Uint16Array).subarray(off, off + n)) : (data as Float32Array).subarray(off, off + n);
  let m0 = row[0],
    m1 = m0,
    m2 = m0,
    m3 = m0;
  const end = n - (n % 4);
  for (let i = 0; i < end; i += 4) {
    const a = row[i],
      b = row[i + 1],
      c = row[i + 2],
      d = row[i + 3];
    m0 = a > m0 ? a : m0;
    m1 = b > m1 ? b : m1;
    m2 = c > m2 ? c : m2;
    m3 = d > m3 ? d : m3;
  }
  for (let i = end; i < n; i++) if (row[i] > m0) m0 = row[i];
  const idx = row.indexOf(Math.max(m0, m1, m2, m3));
  return idx < 0 ? 0 : idx;
}

function releaseIfDevice(t: ort.Tensor | undefined): void {
  // Tensors left on the GPU (WebGPU gpu-buffer) hold device memory until disposed.
  if (t && t.location !== 'cpu' && t.location !== undefined) t.dispose();
}

interface Step {
  embeds: Float32Array; // [B, T, H]
  mask: BigInt64Array; // [B, S]
  positions: BigInt64Array; // [B, T]
  T: number;
  S: number;
}

/** Left-pad rows of embeddings [L_b × H] into one batch, with mask and positions. */
function leftPad(rows: Float32Array[], H: number): Step {
  const B = rows.length;
  const lens = rows.map((r) => r.length / H);
  const T = Math.max(...lens);
  const embeds = new Float32Array(B * T * H);
  const mask = new BigInt64Array(B * T);
  const positions = new BigInt64Array(B * T).fill(1n); // pad positions: 1, as HF's masked_fill(mask == 0, 1)
  for (let b = 0; b < B; b++) {
    const pad = T - lens[b];
    embeds.set(rows[b], (b * T + pad) * H);
    for (let t = 0; t < lens[b]; t++) {
      mask[b * T + pad + t] = 1n;
      positions[b * T + pad + t] = BigInt(t);
    }
  }
  return { embeds, mask, positions, T, S: T };
}

async function runDecoder(engine: Engine, step: Step, B: number, past: Map<string, ort.Tensor> | undefined, hasPast: boolean) {
  const feeds: Record<string, ort.Tensor> = {
    inputs_embeds: floatTensor(engine.decoderFloat, step.embeds, [B, step.T, engine.hidden]),
    attention_mask: new ort.Tensor('int64', step.mask, [B, step.S]),
    position_ids: new ort.Tensor('int64', step.positions, [B, step.T]),
  };
  const empty = engine.decoderFloat === 'float16' ? new Uint16Array(0) : new Float32Array(0);
  for (let i = 0; i < engine.layers; i++) {
    for (const kv of ['key', 'value']) {
      const name = `past_key_values.${i}.${kv}`;
      feeds[name] = past?.get(name) ?? new ort.Tensor(engine.decoderFloat, empty, [B, engine.kvHeads, 0, engine.headDim]);
    }
  }
  if (engine.logitsToKeep) feeds.num_logits_to_keep = new ort.Tensor('int64', BigInt64Array.of(1n), []);
  if (engine.useCacheBranch) feeds.use_cache_branch = new ort.Tensor('bool', Uint8Array.of(hasPast ? 1 : 0), [1]);
  return engine.decoder.run(feeds);
}

/**
 * Greedy generation for a batch of prefixes (each [L_b × hidden] embeddings: text and image spliced).
 * Rows stop at EOS or their own maxNewTokens; the batch runs until every row has stopped.
 */
export async function generateBatch(engine: Engine, prefixes: Float32Array[], opts: GenerateOptions): Promise<GenerateOutput> {
  const B = prefixes.length;
  const H = engine.hidden;
  const tokens: number[][] = prefixes.map(() => []);
  const done = opts.maxNewTokens.map((m) => m <= 0);
  const half = engine.decoderFloat === 'float16';
  const prefillTokens = prefixes.reduce((a, p) => a + p.length / H, 0);
  if (done.every(Boolean)) return { tokens, prefillMs: 0, decodeMs: 0, runMs: 0, prefillTokens };
  const run0 = engine.embed.runMs + engine.decoder.runMs;
  const runMs = () => engine.embed.runMs + engine.decoder.runMs - run0;

  // Choose each row's next token from the last position's logits.
  // With left padding every row's last real token is at the last position of the logits.
  const pick = async (logits: ort.Tensor) => {
    const T = logits.dims[1];
    const V = logits.dims[2];
    const data = (logits.location === 'cpu' || logits.location === undefined ? logits.data : await logits.getData()) as Float32Array | Uint16Array;
    const next: number[] = [];
    for (let b = 0; b < B; b++) {
      if (done[b]) {
        next.push(engine.padTokenId);
        continue;
      }
      const at = (b * T + T - 1) * V;
      if (opts.onLogits) {
        const row = data.subarray(at, at + V);
        opts.onLogits(b, tokens[b].length, half ? fromHalf(row as Uint16Array) : Float32Array.from(row as Float32Array));
      }
      const id = argmax(data, at, V, half);
      tokens[b].push(id);
      if (id === engine.eos || tokens[b].length >= opts.maxNewTokens[b]) done[b] = true;
      next.push(id);
    }
    return next;
  };

  const t0 = performance.now();
  if (opts.useCache === false) {
    // Full recompute: every step runs the whole (left-padded) sequence with an empty cache.
    const rows = prefixes.map((p) => p.slice());
    let first = true;
    let prefillMs = 0;
    while (!done.every(Boolean)) {
      const step = leftPad(rows, H);
      const out = await runDecoder(engine, step, B, undefined, false);
      for (const t of presents(engine, out).values()) releaseIfDevice(t); // unused in this mode
      const next = await pick(out.logits);
      if (first) {
        prefillMs = performance.now() - t0;
        first = false;
      }
      if (done.every(Boolean)) break;
      const e = await embedBatch(engine, next);
      for (let b = 0; b < B; b++) {
        const grown = new Float32Array(rows[b].length + H);
        grown.set(rows[b]);
        grown.set(e.subarray(b * H, (b + 1) * H), rows[b].length);
        rows[b] = grown;
      }
    }
    return { tokens, prefillMs, decodeMs: performance.now() - t0 - prefillMs, runMs: runMs(), prefillTokens };
  }

  // Prefill.
  const pre = leftPad(prefixes, H);
  let out: Record<string, ort.Tensor> | undefined;
  let past: Map<string, ort.Tensor> | undefined;
  for (const step of prefillSteps(pre, B, H, opts.prefillChunk ?? PREFILL_CHUNK)) {
    const prev = past;
    out = await runDecoder(engine, step, B, past, past !== undefined);
    if (prev) for (const t of prev.values()) releaseIfDevice(t);
    past = presents(engine, out);
  }
  let next = await pick(out!.logits);
  const prefillMs = performance.now() - t0;
  let mask = pre.mask;
  let S = pre.S;
  // Next position per row: its real length so far.
  const pos = prefixes.map((p) => p.length / H);
  while (!done.every(Boolean)) {
    const e = await embedBatch(engine, next);
    const grown = new BigInt64Array(B * (S + 1));
    for (let b = 0; b < B; b++) {
      grown.set(mask.subarray(b * S, (b + 1) * S), b * (S + 1));
      grown[b * (S + 1) + S] = 1n;
    }
    mask = grown;
    S += 1;
    const positions = BigInt64Array.from(pos, (p) => BigInt(p));
    for (let b = 0; b < B; b++) pos[b]++;
    const prev = past!;
    out = await runDecoder(engine, { embeds: e, mask, positions, T: 1, S }, B, past, true);
    for (const t of prev.values()) releaseIfDevice(t);
    past = presents(engine, out);
    next = await pick(out.logits);
  }
  for (const t of past!.values()) releaseIfDevice(t);
  return { tokens, prefillMs, decodeMs: performance.now() - t0 - prefillMs, runMs: runMs(), prefillTokens };
}

/** The prefill `pre` as decoder calls of at most `chunk` positions, the first one the shortest. */
function* prefillSteps(pre: Step, B: number, H: number, chunk: number): Generator<Step> {
  const { T } = pre;
  if (T <= chunk) {
    yield pre;
    return;
  }
  for (let from = T - Math.floor((T - 1) / chunk) * chunk - chunk, to; from < T; from = to) {
    to = from + chunk;
    const start = Math.max(0, from);
    const t = to - start;
    const embeds = new Float32Array(B * t * H);
    const mask = new BigInt64Array(B * to);
    const positions = new BigInt64Array(B * t);
    for (let b = 0; b < B; b++) {
      embeds.set(pre.embeds.subarray((b * T + start) * H, (b * T + to) * H), b * t * H);
      mask.set(pre.mask.subarray(b * T, b * T + to), b * to);
      positions.set(pre.positions.subarray(b * T + start, b * T + to), b * t);
    }
    yield { embeds, mask, positions, T: t, S: to };
  }
}

function presents(engine: Engine, out: Record<string, ort.Tensor>): Map<string, ort.Tensor> {
  const m = new Map<string, ort.Tensor>();
  for (let i = 0; i < engine.layers; i++) {
    m.set(`past_key_values.${i}.key`, out[`present.${i}.key`]);
    m.set(`past_key_values.${i}.value`, out[`present.${i}.value`]);
  }
  return m;
}

/** Embeddings [B × H] of one token per row, in one embed_tokens run. */
async function embedBatch(engine: Engine, ids: number[]): Promise<Float32Array> {
  const out = await engine.embed.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [ids.length, 1]) });
  return hostFloats(out.inputs_embeds);
}
