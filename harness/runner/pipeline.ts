// One (model, benchmark) pass: samples stream from the adapter; reading and hashing images (and the
// report's thumbnails) run ahead of the model on a bounded p-limit pool, in a window of at most
// `readAhead` samples, so the model never waits for the disk and memory stays bounded; samples whose
// prediction is already stored under the same cache key are skipped; the rest go to the model in
// batches, and each finished batch is appended to the predictions file in one write.
// When the backend has prepare() (local bundles: decode + family preprocessing), the pool runs that
// too, so batch n+1 is preprocessed while batch n is in session.run. Prepared items hold pixel tensors
// (7 MB each for EVE at 672), so at most max(2, concurrency) × batch of them are alive at once.
import { readFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import sharp from 'sharp';
import type { Answer, BenchmarkAdapter, Sample } from '../../core/benchmark.ts';
import { InputError } from '../../core/errors.ts';
import type { PredictionRecord } from '../../core/records.ts';
import { BackendUnavailable, isError, isUnavailable, toItemError, type GenerateItem, type GenerateResult, type ModelBackend } from '../backends/types.ts';
import { cacheKey, sha256 } from './cache-key.ts';
import type { Progress } from './progress.ts';
import type { ResumeStore } from './resume-store.ts';
import { inShard, type Shard } from './shard.ts';

export interface SummarySink {
  /** Runs on the read-ahead pool with the image bytes; its result is handed to write() in sample order. */
  make(sample: Sample, bytes: Buffer | null, index: number): Promise<unknown>;
  write(summary: unknown): void;
}

export interface PipelineOptions {
  adapter: BenchmarkAdapter;
  /** Benchmark adapter version that goes into the cache key. */
  adapterVersion: string;
  dataRoot: string;
  split: string;
  limit?: number;
  /** This process's slice (after --limit); absent: every sample. */
  shard?: Shard;
  backend: ModelBackend;
  store: ResumeStore;
  batchSize: number;
  /** Read-ahead workers (image reads, hashing, thumbnails). */
  concurrency: number;
  /** Cap on each sample's max_new_tokens; null keeps the published budget. */
  maxNewTokensCap: number | null;
  progress?: Progress;
  summaries?: SummarySink;
}

export interface PipelineResult {
  /** Samples in file order, with embedded image bytes dropped (scoring never needs them). */
  samples: Sample[];
  answers: Map<string, Answer>;
  records: PredictionRecord[];
  generated: number;
  resumed: number;
  errors: number;
}

interface Prepared {
  sample: Sample;
  bytes: Buffer | null;
  key: string;
  maxNewTokens: number;
  source: string;
  image?: { width: number; height: number };
  error?: { kind: string; message: string };
  summary?: unknown;
  /** The backend's prepare() output, handed to generate() with the item. */
  prepared?: unknown;
  /** Holds one of the prepared-item slots until its batch is generated. */
  slot?: boolean;
}

/** A counting semaphore served first come, first served (order matters: see fill()). */
class Slots {
  private waiting: Array<() => void> = [];
  constructor(private free: number) {}
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** Where a sample's image comes from, for one-line errors. */
export function imageSource(adapter: BenchmarkAdapter, sample: Sample): string {
  if (sample.image?.kind === 'file') return sample.image.path;
  return `${adapter.id}/${sample.split} (sample ${sample.id})`;
}

/** Drop embedded image data: a 1 GB MMBench TSV must not stay in memory after its bytes went to the model. */
export function stripImage(s: Sample): Sample {
  return s.image?.kind === 'base64' ? { ...s, image: { kind: 'base64', data: '' } } : s;
}

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const pool = pLimit(o.concurrency);
  const readAhead = Math.max(2 * o.batchSize, 2 * o.concurrency, 4);
  const modelBatch = Math.max(1, Math.min(o.batchSize, o.backend.maxBatch));
  const samples: Sample[] = [];
  const keys = new Map<string, string>();
  let generated = 0;
  let resumed = 0;
  let errors = 0;
  // Backend preprocessing: one batch in generate() and at least one more being prepared, so the model
  // never waits; more with more workers.
  const backendPrepare = o.backend.prepare?.bind(o.backend);
  const slots = new Slots(Math.max(2, o.concurrency) * modelBatch);

  async function prepare(sample: Sample, index: number, ticket: Promise<void> | undefined): Promise<Prepared> {
    const source = imageSource(o.adapter, sample);
    const maxNewTokens = o.maxNewTokensCap === null ? sample.maxNewTokens : Math.min(sample.maxNewTokens, o.maxNewTokensCap);
    let bytes: Buffer | null = null;
    let error: Prepared['error'];
    let image: Prepared['image'];
    try {
      if (sample.image?.kind === 'file') bytes = await readFile(sample.image.path);
      else if (sample.image?.kind === 'base64') bytes = Buffer.from(sample.image.data, 'base64');
    } catch (err) {
      error = { kind: 'image', message: `${source}: cannot read image (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
    }
    if (bytes) {
      // Header-only decode: catches a corrupt or non-image file before it reaches the model, and gives
      // the size the aspect-ratio breakdowns need when the backend does not report it.
      try {
        const md = await sharp(bytes).metadata();
        if (!md.width || !md.height) throw new Error('no image size');
        image = { width: md.width, height: md.height };
      } catch (err) {
        error = { kind: 'image', message: `${source}: not a decodable image (${(err as Error).message.split('\n')[0]})` };
      }
    }
    const key = cacheKey({
      model: o.backend.fingerprint,
      adapterVersion: o.adapterVersion,
      benchmark: o.adapter.id,
      sampleId: sample.id,
      prompt: sample.prompt,
      imageHash: bytes ? sha256(bytes) : '',
      generation: { maxNewTokens, greedy: true },
    });
    const summary = o.summaries ? await o.summaries.make(sample, error ? null : bytes, index).catch(() => undefined) : undefined;
    const p: Prepared = { sample, bytes, key, maxNewTokens, source, image, error, summary };
    if (!ticket) return p;
    // Stored or failed samples skip the backend; text-only questions (bytes null) are prepared like any.
    if (error || o.store.get(sample.id, key)) {
      void ticket.then(() => slots.release());
      return p;
    }
    await ticket;
    p.slot = true;
    let r: Awaited<ReturnType<NonNullable<typeof backendPrepare>>>;
    try {
      r = await backendPrepare!(generateItem(p));
    } catch (err) {
      r = toItemError(err);
    }
    if ('error' in r) p.error = r.error;
    else p.prepared = r.prepared;
    return p;
  }

  function generateItem(p: Prepared): GenerateItem {
    const item: GenerateItem = { id: p.sample.id, image: p.bytes, source: p.source, prompt: p.sample.prompt, maxNewTokens: p.maxNewTokens };
    if (p.prepared !== undefined) item.prepared = p.prepared;
    return item;
  }

  function releaseSlot(p: Prepared): void {
    if (!p.slot) return;
    p.slot = false;
    p.prepared = undefined;
    slots.release();
  }

  const iterator = inShard(o.adapter.load(o.dataRoot, { split: o.split, limit: o.limit }), o.shard)[Symbol.asyncIterator]();
  const window: Array<Promise<Prepared>> = [];
  let exhausted = false;
  let index = 0;
  async function fill(): Promise<void> {
    while (!exhausted && window.length < readAhead) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const s = next.value;
      if (keys.has(s.id)) throw new InputError(`${o.adapter.id}/${o.split}`, s.id, 'duplicate sample id');
      keys.set(s.id, '');
      samples.push(stripImage(s));
      const i = index++;
      // The slot is asked for here, in sample order, so the sample the main loop waits on is always
      // served before later ones: out-of-order requests could fill every slot and deadlock.
      const ticket = backendPrepare ? slots.acquire() : undefined;
      window.push(pool(() => prepare(s, i, ticket)));
    }
  }

  const record = (p: Prepared, r: GenerateResult): PredictionRecord => {
    const base = { id: p.sample.id, benchmark: o.adapter.id, split: p.sample.split, model: o.backend.id, cacheKey: p.key };
    if (isError(r)) return { ...base, text: '', error: r.error, ...(p.image ? { image: p.image } : {}), ...(r.request ? { request: r.request } : {}) };
    const out: PredictionRecord = { ...base, text: r.text };
    if (r.request) out.request = r.request;
    if (r.tokens) out.tokens = r.tokens;
    if (r.timings) out.timings = r.timings;
    const image = r.image ?? p.image;
    if (image) out.image = image;
    return out;
  };

  let batch: Prepared[] = [];
  let failedEarly: PredictionRecord[] = [];
  let down: { error: { message: string } } | undefined;
  async function flush(): Promise<void> {
    const out = failedEarly;
    failedEarly = [];
    if (batch.length > 0) {
      const items: GenerateItem[] = batch.map(generateItem);
      await fill(); // top up the read-ahead window so preparation overlaps this generate call
      let results: GenerateResult[];
      try {
        results = await o.backend.generate(items);
        if (results.length !== items.length) throw new Error(`backend returned ${results.length} results for ${items.length} items`);
      } catch (err) {
        results = items.map(() => toItemError(err));
      }
      batch.forEach(releaseSlot);
      batch.forEach((p, i) => {
        if (isUnavailable(results[i])) down ??= results[i] as { error: { message: string } };
        else out.push(record(p, results[i]));
      });
      generated += batch.length;
      batch = [];
    }
    if (out.length > 0) {
      const newErrors = out.filter((r) => r.error).length;
      errors += newErrors;
      await o.store.append(out);
      o.progress?.update({ done: out.length, errors: newErrors });
    }
    // The batch-mates' answers are stored above; the unreachable ones get no record and run again on resume.
    if (down)
      throw new BackendUnavailable(
        `model "${o.backend.id}": ${down.error.message}; the answers so far are kept: rerun the same command to resume once it is back`,
      );
  }

  for (;;) {
    await fill();
    const next = window.shift();
    if (!next) break;
    const p = await next;
    keys.set(p.sample.id, p.key);
    if (o.summaries && p.summary !== undefined) o.summaries.write(p.summary);
    p.bytes = p.error ? null : p.bytes;
    if (p.error || o.store.get(p.sample.id, p.key)) releaseSlot(p);
    if (o.store.get(p.sample.id, p.key)) {
      resumed++;
      o.progress?.update({ done: 1, cached: 1 });
      continue;
    }
    if (p.error) failedEarly.push(record(p, { error: p.error }));
    else batch.push(p);
    if (batch.length >= modelBatch || failedEarly.length >= modelBatch) await flush();
  }
  await flush();

  const answers = new Map<string, Answer>();
  const records: PredictionRecord[] = [];
  for (const s of samples) {
    const r = o.store.latest(s.id);
    if (!r || r.cacheKey !== keys.get(s.id)) continue; // cannot happen after a complete pass; scored as missing
    records.push(r);
    answers.set(s.id, r.error ? { id: s.id, text: r.text, error: r.error } : { id: s.id, text: r.text });
  }
  return { samples, answers, records, generated, resumed, errors };
}
