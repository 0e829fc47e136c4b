// A loaded model bundle: family preprocessing and prompt (adapters/), the three ONNX sessions, and
// batched greedy generation. Sessions are created once and reused for every generate() call.
// prepare() (decode + preprocess + tokenize; no session) is public so the runner can run it ahead of
// the model on its read-ahead pool: while session.run of batch n runs on onnxruntime's native threads,
// the JS thread and sharp's pool prepare batch n+1. generate() takes prepared items or plain requests.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import ort from 'onnxruntime-node';
import type { BundleConfig, ModelFamily, PixelInput, PromptInput } from '../../core/model-family.ts';
import { getFamily } from '../../adapters/registry.ts';
import { loadTokenizer, TEXT_DECODING, type TextTokenizer } from '../tokenizer.ts';
import { UserError } from '../../core/errors.ts';
import { loadBundle, validateSessions, floatType, type Bundle, type Precision } from './bundle.ts';
import { PARTS, type PartName } from '../../core/bundle-layout.ts';
import { createPart, type Device, type Part } from './session.ts';
import { sharedPreprocessPool } from './preprocess-pool.ts';
import { embedIds, floatTensor, generateBatch, hostFloats, type Engine, type LogitsObserver } from './generate.ts';

export interface LoadOptions {
  device?: Device;
  threads?: number;
  precision?: Precision;
  /** Prefill token budget of one decoder batch (rows × longest prefix); see MAX_BATCH_TOKENS. Infinity: no grouping, a
   * call's rows run together in the order given (what the batch-N benches and checks mean by batch N). */
  maxBatchTokens?: number;
  /** Decode + preprocess on this many worker threads (harness/runtime/preprocess-pool.ts); 0 or absent: this thread. */
  preprocessWorkers?: number;
}

/**
 * A generate() call's rows run through the decoder in groups of at most this many prefill tokens (rows ×
 * the longest prefix, padding included), one group at a time. Prefill attention is rows × heads × L² floats:
 * four Fuyu rows of 2,340 tokens (a 1080×1920 image) held ~350 MB in the default run, and ran slower than
 * one at a time, since left padding of unequal images is wasted work. EVE and LLaVA prompts (≤ ~650 tokens)
 * still batch 4 to 6 rows of similar length (MAX_PADDING_RATIO). Rows never change their answers by grouping:
 * batch N equals batch 1.
 */
export const MAX_BATCH_TOKENS = 4096;

/**
 * Padded prefill tokens a group may spend per real one. On the synthetic default data (images 64 to 2000 px) this
 * took tiny-fuyu from 17.0 s and 521 MB peak RSS (sorted, any padding) or 18.9 s and 678 MB (in arrival order) to
 * 14.0 s and 486 MB, and tiny-eve from 22.8 s and 530 MB to 21.5 s and 461 MB.
 */
export const MAX_PADDING_RATIO = 1.25;

/**
 * Groups of `lengths`' indices that run through the decoder together: shortest first, a row joining its group while
 * count × longest stays within `budget` tokens and within MAX_PADDING_RATIO of the group's real tokens (a row alone may
 * exceed the budget). Unequal images (Fuyu's patch grids, EVE's aspect-dependent token counts) padded together
 * cost time and memory for nothing.
 */
export function batchGroups(lengths: readonly number[], budget: number, paddingRatio = MAX_PADDING_RATIO): number[][] {
  if (budget === Number.POSITIVE_INFINITY) return lengths.length ? [lengths.map((_, i) => i)] : [];
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const groups: number[][] = [];
  let group: number[] = [];
  let tokens = 0;
  for (const i of order) {
    const len = lengths[i];
    const padded = (group.length + 1) * len; // sorted: the newcomer is the longest
    if (group.length > 0 && (padded > budget || padded > paddingRatio * (tokens + len))) {
      groups.push(group);
      group = [];
      tokens = 0;
    }
    group.push(i);
    tokens += len;
  }
  if (group.length) groups.push(group);
  return groups;
}

export interface GenerateRequest {
  /** Encoded image bytes; null for a text-only question (no vision encoder call, no image embeddings). */
  image: Buffer | null;
  /** Where the image came from (file path or sample id); errors name it. */
  source: string;
  prompt: string;
  maxNewTokens: number;
}

export interface Timings {
  preprocess_ms: number;
  prefill_ms: number;
  decode_ms: number;
}

export interface GenerateSuccess {
  text: string;
  imageTokens: number;
  promptTokens: number;
  generatedTokens: number;
  /** The greedy token ids as generated (EOS included), before decoding: for exactness checks across devices. */
  tokenIds: number[];
  timings: Timings;
  /** Decoded size; null for a text-only question. */
  image: { width: number; height: number } | null;
}

export interface GenerateFailure {
  error: { kind: 'input' | 'generation'; message: string };
}

export type GenerateItemResult = GenerateSuccess | GenerateFailure;

/**
 * An item after decoding, family preprocessing and prompt tokenization: everything before the first
 * session.run. Made by prepare(); holds the pixel tensor (EVE at 672: 7 MB), so callers bound how many
 * are alive.
 */
export interface PreparedItem {
  readonly kind: 'prepared';
  /** The model (bundle folder) that made it: its pixels only fit that model's vision encoder. */
  readonly bundleDir: string;
  source: string;
  maxNewTokens: number;
  /** null for a text-only question. */
  pixels: PixelInput | null;
  prompt: PromptInput;
  image: { width: number; height: number } | null;
  /** Decode + preprocess + tokenize, measured in prepare(). */
  preprocessMs: number;
}

export interface GenerateCallOptions {
  /** false: recompute the whole sequence each step instead of using the KV cache (tests). */
  useCache?: boolean;
  /** Sees each item's last-position logits at every step (index into the items of this call). */
  onLogits?: LogitsObserver;
}

export interface LoadedModel {
  family: BundleConfig['family'];
  config: BundleConfig;
  bundle: Bundle;
  /** sha256 over the bundle files this model reads (configs, tokenizer, ONNX parts, external data). */
  fingerprint: string;
  /** Execution provider actually used by the decoder (after any fallback). */
  executionProvider: Device;
  /** Milliseconds inside session.run, all parts, since load (the benchmark's "inside" share). */
  sessionRunMs(): number;
  /** Figures of the last generate() call's decoder loop (for the benchmark). */
  lastLoop(): LoopStats | undefined;
  /** Decode, preprocess and tokenize one item, no session involved. Throws InputError naming the source. */
  prepare(item: GenerateRequest): Promise<PreparedItem>;
  /** Plain requests are prepared here, one by one; prepared items go straight to the vision encoder. */
  generate(items: Array<GenerateRequest | PreparedItem>, opts?: GenerateCallOptions): Promise<GenerateItemResult[]>;
  dispose(): Promise<void>;
}

export interface LoopStats {
  rows: number;
  prefillTokens: number;
  generatedTokens: number;
  prefillMs: number;
  decodeMs: number;
  /** Milliseconds inside session.run during prefill + decode. */
  runMs: number;
}

/** A local model's answers depend on its files and on how ids are decoded into text (harness/tokenizer.ts). */
export function modelFingerprint(files: string[]): string {
  return createHash('sha256').update(fingerprintFiles(files)).update(TEXT_DECODING).digest('hex');
}

/** sha256 over the files' names and bytes, read in chunks: a 7B export's weights are 4–14 GB. */
export function fingerprintFiles(files: string[]): string {
  const h = createHash('sha256');
  const chunk = Buffer.allocUnsafe(16 * 1024 * 1024);
  for (const f of files) {
    h.update(f.split('/').slice(-2).join('/'));
    const fd = openSync(f, 'r');
    try {
      let n: number;
      while ((n = readSync(fd, chunk, 0, chunk.length, null)) > 0) h.update(chunk.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  return h.digest('hex');
}

/** An item ready for the decoder: its prefix embeddings (prompt text around the image embeddings). */
interface Embedded {
  prefix: Float32Array;
  imageTokens: number;
  promptTokens: number;
  image: { width: number; height: number } | null;
  preprocessMs: number;
  encodeMs: number;
}

export function isPrepared(x: GenerateRequest | PreparedItem): x is PreparedItem {
  return (x as PreparedItem).kind === 'prepared';
}

/** One item's failure as a result: bad input ('input') keeps its own message, which names the file. */
export function itemFailure(err: unknown, source: string): GenerateFailure {
  const e = err as Error;
  const user = err instanceof UserError;
  return { error: { kind: user ? 'input' : 'generation', message: user ? e.message : `${source}: ${String(e?.message ?? err).split('\n')[0]}` } };
}

export async function loadModel(dir: string, opts: LoadOptions = {}): Promise<LoadedModel> {
  const bundle = loadBundle(dir, opts.precision ?? 'fp32');
  const config = bundle.config;
  const family: ModelFamily = getFamily(config.family);
  const tokenizer: TextTokenizer = await loadTokenizer(dir);
  const device = opts.device ?? 'cpu';
  const parts = {} as Record<PartName, Part>;
  for (const p of PARTS) {
    parts[p] = await createPart(bundle.files[p], {
      device,
      threads: opts.threads,
      // WebGPU: the KV cache stays in GPU buffers between decode steps; logits come back to the host.
      keepOnDevice: p === 'decoder_model_merged' ? (n) => n.startsWith('present.') : undefined,
    });
  }
  try {
    validateSessions(bundle, {
      vision_encoder: parts.vision_encoder.session,
      embed_tokens: parts.embed_tokens.session,
      decoder_model_merged: parts.decoder_model_merged.session,
    });
  } catch (err) {
    for (const p of PARTS) await parts[p].session.release();
    throw err;
  }
  const fingerprint = modelFingerprint(bundle.allFiles);
  const visionFloat = floatType(parts.vision_encoder.session, 'pixel_values');
  const engine: Engine = {
    embed: parts.embed_tokens,
    decoder: parts.decoder_model_merged,
    hidden: config.hidden_size,
    layers: config.num_hidden_layers,
    kvHeads: config.num_key_value_heads,
    headDim: config.head_dim!,
    eos: config.eos_token_id,
    decoderFloat: floatType(parts.decoder_model_merged.session, 'inputs_embeds'),
    padTokenId: config.pad_token_id ?? config.eos_token_id,
    useCacheBranch: parts.decoder_model_merged.session.inputNames.includes('use_cache_branch'),
    logitsToKeep: parts.decoder_model_merged.session.inputNames.includes('num_logits_to_keep'),
  };
  const H = config.hidden_size;
  let last: LoopStats | undefined;
  const pool = opts.preprocessWorkers ? sharedPreprocessPool(opts.preprocessWorkers) : undefined;

  /** Vision embeddings of one image, with Fuyu's row-end token embeddings inserted. */
  async function encodeImage(px: PixelInput): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = { [px.name]: floatTensor(visionFloat, px.data, px.dims) };
    for (const [name, t] of Object.entries(px.extra ?? {})) {
      feeds[name] = t.data instanceof BigInt64Array ? new ort.Tensor('int64', t.data, t.dims) : floatTensor(visionFloat, t.data, t.dims);
    }
    const out = await parts.vision_encoder.run(feeds);
    const emb = await hostFloats(out.image_embeds);
    if (!px.rowEnd) return emb;
    const n = emb.length / H;
    const { every, tokenId } = px.rowEnd;
    if (every <= 0 || n % every !== 0) throw new Error(`vision encoder gave ${n} embeddings, not a whole number of rows of ${every}`);
    const nl = await embedIds(engine, [tokenId]);
    const rows = n / every;
    const out2 = new Float32Array((n + rows) * H);
    for (let r = 0; r < rows; r++) {
      out2.set(emb.subarray(r * every * H, (r + 1) * every * H), r * (every + 1) * H);
      out2.set(nl, (r * (every + 1) + every) * H);
    }
    return out2;
  }

  async function prepare(item: GenerateRequest): Promise<PreparedItem> {
    const t0 = performance.now();
    const pixels =
      item.image === null
        ? null
        : pool
          ? await pool.preprocess(config.family, item.image, item.source, bundle.preprocessorConfig)
          : await family.preprocess(item.image, item.source, bundle.preprocessorConfig);
    const prompt = family.buildPrompt(item.prompt, (t) => tokenizer.encode(t), config, pixels !== null);
    return {
      kind: 'prepared',
      bundleDir: dir,
      source: item.source,
      maxNewTokens: item.maxNewTokens,
      pixels,
      prompt,
      image: pixels ? { width: pixels.width, height: pixels.height } : null,
      preprocessMs: performance.now() - t0,
    };
  }

  /** Vision encoder + token embeddings: the prefix the decoder starts from. */
  async function embed(p: PreparedItem): Promise<Embedded> {
    if (p.bundleDir !== dir) throw new Error(`prepared for ${p.bundleDir}, not ${dir}`);
    const t1 = performance.now();
    const px = p.pixels;
    // A text-only question: no vision encoder call; the prefix is the prompt's embeddings alone.
    const img = px ? await encodeImage(px) : new Float32Array(0);
    const imageTokens = img.length / H;
    if (px && imageTokens !== px.imageTokens) {
      throw new Error(
        `${bundle.files.vision_encoder}: gave ${imageTokens} image embeddings where the ${config.family} preprocessing expects ${px.imageTokens}`,
      );
    }
    const before = await embedIds(engine, p.prompt.before);
    const after = await embedIds(engine, p.prompt.after);
    const prefix = new Float32Array(before.length + img.length + after.length);
    prefix.set(before);
    prefix.set(img, before.length);
    prefix.set(after, before.length + img.length);
    return {
      prefix,
      imageTokens,
      promptTokens: p.prompt.before.length + p.prompt.after.length,
      image: p.image,
      preprocessMs: p.preprocessMs,
      encodeMs: performance.now() - t1,
    };
  }

  return {
    family: config.family,
    config,
    bundle,
    fingerprint,
    executionProvider: parts.decoder_model_merged.provider,
    lastLoop: () => last,
    sessionRunMs: () => PARTS.reduce((a, p) => a + parts[p].runMs, 0),
    prepare,
    async generate(items, callOpts = {}) {
      const results: GenerateItemResult[] = new Array(items.length);
      const ready: { index: number; prep: Embedded }[] = [];
      // Images are encoded one by one (shapes differ); a bad one fails only its item.
      for (let i = 0; i < items.length; i++) {
        try {
          const it = items[i];
          ready.push({ index: i, prep: await embed(isPrepared(it) ? it : await prepare(it)) });
        } catch (err) {
          results[i] = itemFailure(err, items[i].source);
        }
      }
      if (ready.length === 0) return results;
      const budget = opts.maxBatchTokens ?? MAX_BATCH_TOKENS;
      const stats: LoopStats = { rows: 0, prefillTokens: 0, generatedTokens: 0, prefillMs: 0, decodeMs: 0, runMs: 0 };
      for (const groupIdx of batchGroups(
        ready.map((r) => r.prep.prefix.length / config.hidden_size),
        budget,
      )) {
        const group = groupIdx.map((k) => ready[k]);
        try {
          const gen = await generateBatch(
            engine,
            group.map((r) => r.prep.prefix),
            {
              maxNewTokens: group.map((r) => items[r.index].maxNewTokens),
              useCache: callOpts.useCache,
              onLogits: callOpts.onLogits && ((row, step, logits) => callOpts.onLogits!(group[row].index, step, logits)),
            },
          );
          stats.rows += group.length;
          stats.prefillTokens += gen.prefillTokens;
          stats.generatedTokens += gen.tokens.reduce((a, t) => a + t.length, 0);
          stats.prefillMs += gen.prefillMs;
          stats.decodeMs += gen.decodeMs;
          stats.runMs += gen.runMs;
          group.forEach(({ index, prep }, k) => {
            const ids = gen.tokens[k];
            results[index] = {
              text: family.postprocess(tokenizer.decode(ids, true)),
              imageTokens: prep.imageTokens,
              promptTokens: prep.promptTokens,
              generatedTokens: ids.length,
              tokenIds: ids,
              // Prefill and decode are the group's (rows run together); vision encoding counts as prefill.
              timings: { preprocess_ms: prep.preprocessMs, prefill_ms: prep.encodeMs + gen.prefillMs, decode_ms: gen.decodeMs },
              image: prep.image,
            };
          });
        } catch (err) {
          for (const { index } of group)
            results[index] = { error: { kind: 'generation', message: `${items[index].source}: ${String((err as Error).message ?? err).split('\n')[0]}` } };
        }
      }
      last = stats;
      return results;
    },
    async dispose() {
      for (const p of PARTS) await parts[p].session.release();
    },
  };
}
