// GPU correctness check: the same greedy tokens on two devices (default cpu and webgpu, the WebGPU path
// keeping the KV cache in GPU buffers). For each tiny bundle, 16 deterministic generated images of
// varied sizes × 2 prompts run through loadModel().generate() at batch 1 and batch 8 on each device;
// per bundle and batch size it prints how many items gave identical token sequences, the first
// diverging step of those that did not, and the max |difference| of the first step's logits.
// Usage: npx tsx bench/gpu-check.ts [--devices cpu,webgpu] [--bundles tiny-eve,...] [--images 16]
//          [--batches 1,8] [--max-new 24] [--json FILE]
// Exit code 1 when any item differs (or fails on one device only).
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { loadModel, type GenerateRequest, type LoadedModel } from '../harness/runtime/model.ts';
import { parseDevice, type Device } from '../harness/runtime/session.ts';
import { argmax, fromHalf } from '../harness/runtime/generate.ts';

const ROOT = fileURLToPath(new URL('../fixtures/models/', import.meta.url));
const ALL_BUNDLES = ['tiny-eve', 'tiny-fuyu', 'tiny-llava'];
const PROMPTS = ['What is shown in this image?\nAnswer the question using a single word or phrase.', 'Describe the image in detail.'];
// Width × height of the generated images: square, landscape, portrait, extreme strips, tiny, large.
const SIZES: Array<[number, number]> = [
  [224, 224],
  [640, 480],
  [480, 640],
  [1024, 256],
  [256, 1024],
  [32, 32],
  [1000, 1000],
  [17, 333],
  [333, 17],
  [800, 600],
  [336, 336],
  [1280, 720],
  [720, 1280],
  [100, 60],
  [60, 100],
  [513, 257],
];

/** One item's outcome on one device: its greedy ids, or the error it gave. */
export interface ItemRun {
  tokens?: number[];
  text?: string;
  error?: string;
  /** The last position's logits of the first decoder step (the prefill), when recorded. */
  firstLogits?: Float32Array;
}

export interface Comparison {
  identical: boolean;
  /** First step where the sequences differ (the shorter length when one is a prefix of the other); -1 if identical. */
  firstDiff: number;
}

/** Compare two greedy token sequences: identical, or the first step at which they part. */
export function compareTokens(a: number[], b: number[]): Comparison {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return { identical: false, firstDiff: i };
  if (a.length !== b.length) return { identical: false, firstDiff: n };
  return { identical: true, firstDiff: -1 };
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > m || Number.isNaN(d)) m = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return m;
}

export interface Row {
  bundle: string;
  batch: number;
  /** Devices actually used by the decoder (after any fallback), in order. */
  providers: string[];
  items: number;
  identical: number;
  /** Items that failed on one device but not the other, or with different messages. */
  errorMismatch: number;
  /** First diverging step → number of items. */
  firstDiffSteps: Record<number, number>;
  /** Ids of the first few diverging items with their step. */
  examples: string[];
  /** Max |Δ| over the first step's logits (last position, every item); null when not recorded. */
  maxFirstLogitDiff: number | null;
  /** Items whose decoded text differs (a consequence of differing tokens; a check on the recorder). */
  textDiffs: number;
}

// ---------- recording the decoder's logits ----------

// Token ids come from LoadedModel.generate itself (tokenIds). The first step's logits are not part of its
// result, so every session.run whose outputs include `logits` (the decoder) is observed, in this bench only:
// per step, the argmax of each row's last position (a cross-check on tokenIds), and the first step's logits.
interface Recorder {
  steps: number[][];
  first: Float32Array[] | null;
}
let recorder: Recorder | null = null;

export function installRecorder(): void {
  // The public type is a factory interface; the runtime value is the class whose instances run.
  const proto = (ort.InferenceSession as unknown as { prototype: unknown }).prototype as {
    run: (...a: unknown[]) => Promise<Record<string, ort.Tensor>>;
    __gpuCheck?: boolean;
  };
  if (proto.__gpuCheck) return;
  const orig = proto.run;
  proto.run = async function (this: unknown, ...args: unknown[]) {
    const out = await orig.apply(this, args);
    const logits = out.logits as ort.Tensor | undefined;
    if (recorder && logits) {
      const [B, T, V] = logits.dims;
      const raw = (logits.location === 'cpu' || logits.location === undefined ? logits.data : await logits.getData()) as Float32Array | Uint16Array;
      const half = logits.type === 'float16';
      const ids: number[] = [];
      for (let b = 0; b < B; b++) ids.push(argmax(raw, (b * T + T - 1) * V, V, half));
      // A later chunk of a prefill (harness/runtime/generate.ts, PREFILL_CHUNK: several positions on a past) replaces
      // the chunk before it: only the prefill's last logits choose a token.
      const feeds = args[0] as Record<string, ort.Tensor | undefined>;
      const continuation = (feeds.inputs_embeds?.dims[1] ?? 1) > 1 && (feeds['past_key_values.0.key']?.dims[2] ?? 0) > 0;
      if (continuation) recorder.steps.pop();
      recorder.steps.push(ids);
      if (recorder.first === null || (continuation && recorder.steps.length === 1)) {
        recorder.first = [];
        for (let b = 0; b < B; b++) {
          const row = raw.subarray((b * T + T - 1) * V, (b * T + T) * V);
          recorder.first.push(half ? fromHalf(row as Uint16Array) : Float32Array.from(row as Float32Array));
        }
      }
    }
    return out;
  };
  proto.__gpuCheck = true;
}

/** Generate a batch and recover each row's ids from the recorded steps (a row stops at its own length). */
export async function generateRecorded(model: LoadedModel, items: GenerateRequest[]): Promise<ItemRun[]> {
  recorder = { steps: [], first: null };
  try {
    const res = await model.generate(items);
    // Failed items are dropped from the decoder batch: map the surviving ones to decoder rows in order.
    let row = 0;
    return res.map((r): ItemRun => {
      if ('error' in r) return { error: r.error.message };
      const k = row++;
      const observed = recorder!.steps.slice(0, r.generatedTokens).map((s) => s[k]);
      if (observed.join() !== r.tokenIds.join())
        throw new Error(`gpu-check: observed decoder argmax ${observed.join()} differs from tokenIds ${r.tokenIds.join()}`);
      return { tokens: r.tokenIds, text: r.text, firstLogits: recorder!.first?.[k] };
    });
  } finally {
    recorder = null;
  }
}

// ---------- inputs ----------

/** A deterministic picture (xorshift noise over gradients and a few blocks) as PNG. */
export async function picture(seed: number, w: number, h: number): Promise<Buffer> {
  let s = (seed * 2654435761) >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const blocks = Array.from({ length: 3 }, () => ({ x: rnd() * w, y: rnd() * h, r: 0.1 + rnd() * 0.3, c: [rnd() * 255, rnd() * 255, rnd() * 255] }));
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const blk = blocks.find((b) => Math.abs(x - b.x) < b.r * w && Math.abs(y - b.y) < b.r * h);
      const n = rnd() * 24;
      px[i] = blk ? blk.c[0] : (x * 255) / w + n;
      px[i + 1] = blk ? blk.c[1] : (y * 255) / h + n;
      px[i + 2] = blk ? blk.c[2] : ((x + y) * 127) / (w + h) + n;
    }
  }
  return sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}

async function makeItems(nImages: number, maxNew: number): Promise<Array<GenerateRequest & { id: string }>> {
  const items: Array<GenerateRequest & { id: string }> = [];
  for (let i = 0; i < nImages; i++) {
    const [w, h] = SIZES[i % SIZES.length];
    const image = await picture(i + 1, w, h);
    PROMPTS.forEach((prompt, p) => items.push({ id: `img${i}-${w}x${h}-p${p}`, image, source: `gen-${i}.png`, prompt, maxNewTokens: maxNew }));
  }
  return items;
}

// ---------- the check ----------

function argValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

function list(v: string | undefined, dflt: string[]): string[] {
  return v
    ? v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : dflt;
}

/** Compare the runs of two devices, item by item. */
export function compareRuns(bundle: string, batch: number, providers: string[], ids: string[], a: ItemRun[], b: ItemRun[]): Row {
  const row: Row = {
    bundle,
    batch,
    providers,
    items: ids.length,
    identical: 0,
    errorMismatch: 0,
    firstDiffSteps: {},
    examples: [],
    maxFirstLogitDiff: null,
    textDiffs: 0,
  };
  for (let i = 0; i < ids.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.error !== undefined || y.error !== undefined) {
      if (x.error === y.error) row.identical++;
      else {
        row.errorMismatch++;
        if (row.examples.length < 5) row.examples.push(`${ids[i]}: error ${JSON.stringify(x.error ?? null)} vs ${JSON.stringify(y.error ?? null)}`);
      }
      continue;
    }
    const c = compareTokens(x.tokens!, y.tokens!);
    if (c.identical) row.identical++;
    else {
      row.firstDiffSteps[c.firstDiff] = (row.firstDiffSteps[c.firstDiff] ?? 0) + 1;
      if (row.examples.length < 5) row.examples.push(`${ids[i]}@${c.firstDiff}`);
    }
    if (x.text !== y.text) row.textDiffs++;
    if (x.firstLogits && y.firstLogits) row.maxFirstLogitDiff = Math.max(row.maxFirstLogitDiff ?? 0, maxAbsDiff(x.firstLogits, y.firstLogits));
  }
  return row;
}

export interface CheckResult {
  rows: Row[];
  /** Same device, batch 8 against batch 1 (batch-mates must not change a row's tokens). */
  batchRows: Row[];
  ok: boolean;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<CheckResult> {
  const devices = list(argValue(argv, '--devices'), ['cpu', 'webgpu']).map((d) => parseDevice(d)) as Device[];
  if (devices.length !== 2) throw new Error(`--devices takes two devices (got ${devices.join(',')})`);
  const bundles = list(argValue(argv, '--bundles'), ALL_BUNDLES);
  const nImages = Number(argValue(argv, '--images') ?? SIZES.length);
  const batches = list(argValue(argv, '--batches'), ['1', '8']).map(Number);
  const maxNew = Number(argValue(argv, '--max-new') ?? 24);
  installRecorder();
  const items = await makeItems(nImages, maxNew);
  const ids = items.map((x) => x.id);
  const rows: Row[] = [];
  const batchRows: Row[] = [];
  for (const name of bundles) {
    const dir = `${ROOT}${name}`;
    if (!existsSync(`${dir}/tokenizer.json`)) {
      console.log(`${name}: skipped (no tokenizer.json)`);
      continue;
    }
    // runs[device index][batch] = per-item results.
    const runs: Array<Map<number, ItemRun[]>> = [];
    const providers: string[] = [];
    for (const device of devices) {
      const model = await loadModel(dir, { device, maxBatchTokens: Infinity }); // batch 8 means 8 rows together
      providers.push(model.executionProvider);
      const byBatch = new Map<number, ItemRun[]>();
      for (const batch of batches) {
        const out: ItemRun[] = [];
        for (let i = 0; i < items.length; i += batch) out.push(...(await generateRecorded(model, items.slice(i, i + batch))));
        byBatch.set(batch, out);
      }
      runs.push(byBatch);
      await model.dispose();
    }
    for (const batch of batches) rows.push(compareRuns(name, batch, providers, ids, runs[0].get(batch)!, runs[1].get(batch)!));
    if (batches.length > 1) {
      const [b0, ...rest] = batches;
      for (let d = 0; d < devices.length; d++) {
        for (const b of rest) batchRows.push(compareRuns(name, b, [providers[d], `batch ${b0}`], ids, runs[d].get(b0)!, runs[d].get(b)!));
      }
    }
  }
  const steps = (r: Row) =>
    Object.entries(r.firstDiffSteps)
      .map(([s, n]) => `${n}@step${s}`)
      .join(' ') || '-';
  console.log(
    `gpu-check: ${devices[0]} vs ${devices[1]}, ${items.length} items (${nImages} images × ${PROMPTS.length} prompts), max_new_tokens ${maxNew}, greedy`,
  );
  console.log('bundle      batch  providers         identical  first divergence        max|Δlogit| step 0  text diffs');
  for (const r of rows) {
    const lg = r.maxFirstLogitDiff === null ? 'n/a' : r.maxFirstLogitDiff.toExponential(2);
    console.log(
      `${r.bundle.padEnd(11)} ${String(r.batch).padStart(5)}  ${r.providers.join('/').padEnd(16)}  ${`${r.identical}/${r.items}`.padStart(9)}  ${steps(r).padEnd(22)}  ${lg.padStart(19)}  ${String(r.textDiffs).padStart(10)}`,
    );
    for (const e of r.examples) console.log(`              differs: ${e}`);
  }
  if (batchRows.length > 0) {
    console.log('same device, batch vs batch 1:');
    for (const r of batchRows) {
      console.log(
        `${r.bundle.padEnd(11)} ${String(r.batch).padStart(5)}  ${r.providers[0].padEnd(16)}  ${`${r.identical}/${r.items}`.padStart(9)}  ${steps(r)}`,
      );
    }
  }
  const ok = rows.every((r) => r.identical === r.items);
  console.log(ok ? 'gpu-check: all token sequences identical' : 'gpu-check: token sequences DIFFER (see above)');
  const json = argValue(argv, '--json');
  if (json) writeFileSync(json, JSON.stringify({ devices, items: items.length, maxNew, rows, batchRows, ok }, null, 2) + '\n');
  return { rows, batchRows, ok };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await main();
  process.exitCode = r.ok ? 0 : 1;
}
