// What a model family tells the exporter: how to recognise its config.json, which config fields it
// needs, how its published checkpoint keys map onto the decoder builder's canonical names, and how its
// vision part is laid out. Each family's plan lives beside its preprocessing (adapters/<family>/export.ts).
import type { Family } from '../core/model-family.ts';
import type { DecoderSpec } from './decoder.ts';
import type { Graph } from './onnx/graph.ts';
import type { Weights } from './weights.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.ts';

export interface ExportInput {
  /** The checkpoint folder and its parsed config.json. */
  dir: string;
  configFile: string;
  config: Record<string, unknown>;
  /** --vision-tower: a separate CLIP checkpoint (LLaVA's original layout). */
  visionTower?: { dir: string; configFile: string; config: Record<string, unknown> };
  /** Keys of the main checkpoint, to tell published layouts apart. */
  keys: string[];
}

export type TokenizerSource = { kind: 'tokenizer.json'; file: string } | { kind: 'sentencepiece'; model: string; config?: string };

export interface ExportPlan {
  family: Family;
  /** Which published layout was recognised, e.g. "llava-hf (safetensors)". */
  layout: string;
  bundleConfig: Record<string, unknown>;
  preprocessorConfig: Record<string, unknown>;
  /** Printed to the user and recorded in the bundle's export.json (e.g. values that were inferred). */
  notes: string[];
  decoder: DecoderSpec;
  /** Tensor for a canonical decoder weight name (see export/decoder.ts). */
  decoderWeight(w: Weights, canonical: string): ReturnType<Weights['get']>;
  embedWeight(w: Weights): ReturnType<Weights['get']>;
  buildVision(g: Graph, w: Weights): void;
  /** Mark the keys this layout holds but inference never reads (training-only modules, buffers). */
  skipKnown(w: Weights): void;
  tokenizer: TokenizerSource;
}

export interface ExportFamily {
  family: Family;
  /** True when config.json is this family's. */
  detect(config: Record<string, unknown>): boolean;
  plan(input: ExportInput): ExportPlan;
}

/** The checkpoint's own tokenizer: tokenizer.json when it ships one, else the SentencePiece tokenizer.model. */
export function checkpointTokenizer(dir: string): TokenizerSource {
  if (existsSync(join(dir, 'tokenizer.json'))) return { kind: 'tokenizer.json', file: join(dir, 'tokenizer.json') };
  if (existsSync(join(dir, 'tokenizer.model'))) {
    const cfg = join(dir, 'tokenizer_config.json');
    return { kind: 'sentencepiece', model: join(dir, 'tokenizer.model'), config: existsSync(cfg) ? cfg : undefined };
  }
  throw new UserError(`${dir}: no tokenizer.json or tokenizer.model (the checkpoint's tokenizer is needed)`);
}

/** A config field the family needs; a clear error naming the file and field when absent or mistyped. */
export function configInt(file: string, c: Record<string, unknown>, key: string, fallback?: number): number {
  const v = c[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new UserError(`${file}: "${key}" must be an integer (got ${JSON.stringify(c[key])})`);
  return v;
}

export function configNumber(file: string, c: Record<string, unknown>, key: string, fallback?: number): number {
  const v = c[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(`${file}: "${key}" must be a number (got ${JSON.stringify(c[key])})`);
  return v;
}

export function configString(file: string, c: Record<string, unknown>, key: string, fallback?: string): string {
  const v = c[key] ?? fallback;
  if (typeof v !== 'string') throw new UserError(`${file}: "${key}" must be a string (got ${JSON.stringify(c[key])})`);
  return v;
}

/** The vocabulary ids of special tokens, from a tokenizer.json's vocab and added tokens. */
export function tokenIds(tokenizerJson: {
  model: { vocab: Record<string, number> | [string, number][] };
  added_tokens?: { id: number; content: string }[];
}): Map<string, number> {
  const v = tokenizerJson.model.vocab;
  const ids = new Map<string, number>(Array.isArray(v) ? v.map(([t], i) => [t, i]) : Object.entries(v));
  for (const a of tokenizerJson.added_tokens ?? []) ids.set(a.content, a.id);
  return ids;
}
