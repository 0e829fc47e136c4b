// One interface in front of every way eve-eval gets answers from a model: a local ONNX bundle
// (onnx.ts) or a remote OpenAI-compatible server (http.ts). The runner knows only this.
import type { PredictionRecord } from '../../core/records.ts';
import { UserError } from '../../core/errors.ts';
import { UNAVAILABLE } from './chat-client.ts';

export { UNAVAILABLE };

export interface GenerateItem {
  /** Sample id, for error messages. */
  id: string;
  /** Encoded image bytes (JPEG, PNG ...) as read from disk or a TSV; null for a text-only question (generated on the prompt alone). */
  image: Buffer | null;
  /** Where the image came from (a path, or "<file> (<id>)"), for one-line errors. */
  source: string;
  /** The benchmark prompt that follows the image placeholder; the backend adds its chat template. */
  prompt: string;
  maxNewTokens: number;
  /**
   * What this backend's prepare() made of the item ahead of time (opaque to the runner); generate()
   * uses it instead of decoding again. Absent when the backend has no prepare() or it was not run.
   */
  prepared?: unknown;
}

/** prepare()'s outcome: the backend's own prepared form of the item, or the item's error. */
export type PrepareResult = { prepared: unknown } | { error: { kind: string; message: string } };

export interface GenerateOk {
  text: string;
  tokens?: PredictionRecord['tokens'];
  timings?: PredictionRecord['timings'];
  image?: PredictionRecord['image'];
  request?: PredictionRecord['request'];
}

/**
 * Per-item outcome: one failing item (corrupt image, timeout) never fails its batch-mates. An error of kind
 * UNAVAILABLE (backends/chat-client.ts) is the backend's, not the item's: the runner records nothing for it
 * and stops the run (BackendUnavailable), to be resumed once the backend is back.
 */
export type GenerateResult = GenerateOk | { error: { kind: string; message: string }; request?: PredictionRecord['request'] };

/** A run stopped because its model backend is unreachable (an open circuit): exit 1, every answer so far kept. */
export class BackendUnavailable extends UserError {
  override readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'BackendUnavailable';
  }
}

export interface ModelBackend {
  /** Display id: the bundle folder name or the config's name. */
  readonly id: string;
  /** Changes whenever the model's answers could change (weights, tokenizer, template, endpoint + model). */
  readonly fingerprint: string;
  /** e.g. "cpu", "cuda", or "http" for a remote server. */
  readonly executionProvider: string;
  /** Model files → sha256, for the manifest (empty for a remote model). */
  readonly modelFiles: Record<string, string>;
  /** Versions of the code that turns images and prompts into model inputs (model family adapter). */
  readonly adapterVersions: Record<string, string>;
  /** Items the backend wants per generate() call at most; the runner never sends more. */
  readonly maxBatch: number;
  /**
   * Optional: decode and preprocess one item without touching the model, so the runner can do it on
   * its read-ahead pool while the model works on the previous batch. Never throws for bad input (a
   * corrupt image is returned as the item's error). The HTTP backend has none: the server decodes.
   */
  prepare?(item: GenerateItem): Promise<PrepareResult>;
  generate(items: GenerateItem[]): Promise<GenerateResult[]>;
  /** Optional: one line on how the backend fared (remote: requests, retries, 429s, concurrency), logged after each model. */
  requestSummary?(): string;
  dispose(): Promise<void>;
}

/** The backend is down (an open circuit): nothing to record for this item, the run stops. */
export function isUnavailable(r: GenerateResult): boolean {
  return isError(r) && r.error.kind === UNAVAILABLE;
}

export function isError(r: GenerateResult): r is { error: { kind: string; message: string } } {
  return 'error' in r && r.error !== undefined;
}

/** Turn a thrown value into a one-line per-sample error record. */
export function toItemError(err: unknown, kind = 'generation'): { error: { kind: string; message: string } } {
  const e = err as { name?: string; message?: string; kind?: string };
  const message = String(e?.message ?? err).split('\n')[0];
  return { error: { kind: e?.kind ?? (e?.name === 'InputError' ? 'image' : kind), message } };
}
