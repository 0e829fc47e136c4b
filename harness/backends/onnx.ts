// A local model bundle on onnxruntime-node, through the runtime's loadModel (harness/runtime/model.ts),
// which is imported only when a command builds a backend (score and report never load onnxruntime).
// This file only adapts the runtime to the ModelBackend interface: per-item errors, file hashes for
// the manifest, and the execution provider actually used.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { UserError } from '../../core/errors.ts';
import { VERSION } from '../../core/version.ts';
import { defaultPreprocessWorkers } from '../runtime/preprocess-pool.ts';
import { loadModel, itemFailure, isPrepared, type GenerateRequest, type LoadedModel, type PreparedItem } from '../runtime/model.ts';
import { sha256File } from '../runner/cache-key.ts';
import { toItemError, type GenerateItem, type GenerateResult, type ModelBackend, type PrepareResult } from './types.ts';

export interface OnnxBackendOptions {
  name: string;
  path: string;
  device: 'cpu' | 'cuda' | 'webgpu';
  /** The bundle's ONNX variant (core/bundle-layout.ts), fp32 by default. */
  precision?: string;
  threads?: number;
  batchSize: number;
}

/** sha256 of every file in a bundle (weights, configs, tokenizer), keyed by path inside the bundle. */
export async function hashBundle(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out[relative(dir, p)] = await sha256File(p);
    }
  };
  await walk(dir);
  return out;
}

function normalize(r: unknown): GenerateResult {
  const o = r as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') return { error: { kind: 'generation', message: 'runtime returned no result' } };
  if (o.error) {
    const e = o.error as { kind?: string; message?: string } | Error;
    return e instanceof Error ? toItemError(e) : { error: { kind: e.kind ?? 'generation', message: String(e.message ?? e) } };
  }
  const timings = o.timings as Record<string, number> | undefined;
  return {
    text: String(o.text ?? ''),
    tokens: {
      image: Number(o.imageTokens ?? 0),
      prompt: Number(o.promptTokens ?? 0),
      generated: Number(o.generatedTokens ?? 0),
    },
    timings: timings
      ? {
          preprocess_ms: Number(timings.preprocess_ms ?? timings.preprocessMs ?? timings.preprocess ?? 0),
          prefill_ms: Number(timings.prefill_ms ?? timings.prefillMs ?? timings.prefill ?? 0),
          decode_ms: Number(timings.decode_ms ?? timings.decodeMs ?? timings.decode ?? 0),
        }
      : undefined,
    // A text-only question has no image size (null from the runtime): the record gets none.
    image: (o.image ?? undefined) as { width: number; height: number } | undefined,
  };
}

export async function loadOnnxBackend(opts: OnnxBackendOptions): Promise<ModelBackend> {
  if (!existsSync(join(opts.path, 'config.json'))) {
    throw new UserError(`model "${opts.name}": ${opts.path} is not a model bundle (no config.json)`);
  }
  const model = await loadModel(opts.path, {
    device: opts.device,
    threads: opts.threads,
    precision: opts.precision,
    preprocessWorkers: defaultPreprocessWorkers(),
  });
  return backendFromModel(model, opts, await hashBundle(opts.path));
}

/** The ModelBackend face of an already loaded model (the runtime benchmark loads its own). */
export function backendFromModel(
  model: LoadedModel,
  opts: Pick<OnnxBackendOptions, 'name' | 'batchSize'>,
  modelFiles: Record<string, string> = {},
): ModelBackend {
  const fileKey = Object.fromEntries(Object.entries(modelFiles).map(([k, v]) => [join(opts.name, k), v]));
  const request = (it: GenerateItem): GenerateRequest | PreparedItem => {
    const p = it.prepared as GenerateRequest | PreparedItem | undefined;
    return p && isPrepared(p) ? p : { image: it.image, source: it.source, prompt: it.prompt, maxNewTokens: it.maxNewTokens };
  };
  return {
    id: opts.name,
    fingerprint: model.fingerprint,
    executionProvider: model.executionProvider,
    modelFiles: fileKey,
    // Family adapters (preprocessing, template) ship with eve-eval: its version is theirs.
    adapterVersions: { [model.family]: `eve-eval@${VERSION}` },
    maxBatch: opts.batchSize,
    async prepare(it: GenerateItem): Promise<PrepareResult> {
      try {
        return { prepared: await model.prepare({ image: it.image, source: it.source, prompt: it.prompt, maxNewTokens: it.maxNewTokens }) };
      } catch (err) {
        return itemFailure(err, it.source);
      }
    },
    async generate(items: GenerateItem[]): Promise<GenerateResult[]> {
      // Text-only questions (ScienceQA has them) are generated like any other: the runtime skips the
      // vision encoder for them, so they share batches with image items.
      const out: GenerateResult[] = items.map(() => ({ text: '' }));
      try {
        const res = await model.generate(items.map(request));
        res.forEach((r, k) => (out[k] = normalize(r)));
      } catch {
        // A whole-batch failure: retry one by one so a single bad item does not take its batch-mates down.
        for (const [k, it] of items.entries()) {
          try {
            const [r] = await model.generate([request(it)]);
            out[k] = normalize(r);
          } catch (e) {
            out[k] = toItemError(e);
          }
        }
      }
      return out;
    },
    async dispose() {
      await model.dispose();
    },
  };
}
