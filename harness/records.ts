// Prediction records and results: the two things eve-eval writes to disk (DESIGN.md, "Contracts").
import type { BenchmarkId, Score } from '../benchmarks/types.ts';

/** One JSONL line, appended and flushed as soon as its sample finishes. */
export interface PredictionRecord {
  id: string;
  benchmark: BenchmarkId;
  split: string;
  model: string;
  text: string;
  error?: { kind: string; message: string };
  tokens?: { image: number; prompt: number; generated: number };
  timings?: { preprocess_ms: number; prefill_ms: number; decode_ms: number };
  /** Original image size, for the aspect-ratio and resolution breakdowns. */
  image?: { width: number; height: number };
  /** Hash of model fingerprint, adapter version, prompt, image and generation options. */
  cacheKey: string;
}

export interface RunManifest {
  eveEvalVersion: string;
  gitSha: string | null;
  node: string;
  onnxruntime: string | null;
  executionProvider: string | null;
  modelFiles: Record<string, string>; // path → sha256
  dataFiles: Record<string, string>; // path → sha256
  adapterVersions: Record<string, string>;
  config: unknown; // resolved config, secrets removed
  seed: number;
  startedAt: string;
  finishedAt?: string;
}

export interface BenchmarkResult extends Omit<Score, 'perSample'> {
  model: string;
  benchmark: BenchmarkId;
  split: string;
  /** 95% bootstrap interval on the headline, in headline units. */
  ci95?: [number, number];
  perSample?: Score['perSample'];
}

export interface ResultsFile {
  schema: 'eve-eval/results@1';
  manifest: RunManifest;
  results: BenchmarkResult[];
  /**
   * (model, benchmark) pairs that ran but have no score, and why (e.g. MM-Vet answers without judge
   * grades): listed so a missing number is explained in the file, never filled with a fake one.
   */
  unscored?: Array<{ model: string; benchmark: BenchmarkId; reason: string }>;
}
