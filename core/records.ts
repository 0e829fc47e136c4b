// Prediction records and results: the two things eve-eval writes to disk (docs/design.md, "Contracts").
import type { BenchmarkId, Resampling, Score } from './benchmark.ts';

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
  /**
   * Remote models: HTTP attempts made for this sample, and its latency from the first attempt to the answer
   * (retries, back-off and waiting for a concurrency slot included).
   */
  request?: { attempts: number; latency_ms: number };
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
  /** Optional: predictions files scored by `eve-eval score --results` (path → sha256); a run's own are in RUN_DIR. */
  predictionFiles?: Record<string, string>;
  adapterVersions: Record<string, string>;
  config: unknown; // resolved config, secrets removed
  seed: number;
  startedAt: string;
  finishedAt?: string;
}

export interface BenchmarkResult extends Omit<Score, 'perSample' | 'headline'> {
  /**
   * null when the benchmark ran but cannot be scored offline (MM-Vet without judge grades): the entry
   * still carries its counts, so a results file always has every (model, benchmark) of the run.
   */
  headline: number | null;
  /** Why headline is null, in the scorer's words, e.g. what MM-Vet needs (a judge, or the grade file). */
  unscored?: string;
  model: string;
  benchmark: BenchmarkId;
  split: string;
  /** 95% bootstrap interval on the headline, in headline units. Always finite; absent → `ciNote` says why. */
  ci95?: [number, number];
  /** Per-sample errors by kind (image, oom, timeout, http …): how many, and up to 3 examples with their message. */
  errorReasons?: Record<string, { count: number; examples: Array<{ id: string; message: string }> }>;
  /** Set when the result covers part of the set only: e.g. "--limit 5: 5 of 8910 samples". */
  subset?: string;
  /** What the interval resamples (the adapter's HeadlineStatistic.description). */
  ciMethod?: string;
  /** Why there is no interval (no per-sample data, no headline, no resampling units in an older file). */
  ciNote?: string;
  perSample?: Score['perSample'];
  /** The headline's resampling units (the adapter's statistic), for intervals and the gate's paired test. */
  resampling?: Resampling;
  /** Set when an LLM judge took part: which one, with what settings, at what cost. */
  judge?: JudgeRecord;
  /** sha256 of the data files this result's benchmark read, by path relative to the data root (gate and report compare them). */
  dataFiles?: Record<string, string>;
}

/** An LLM judge's part in one result (MM-Vet's grader, MMBench's choice extractor). */
export interface JudgeRecord {
  role: 'mmvet-grader' | 'mmbench-choice-extractor';
  /** The judge model asked, and the models that answered (as the endpoints reported them). */
  model: string;
  answeredBy: string[];
  /** The settings the official protocol fixes (temperature, max_tokens, tries ...), and where they come from. */
  protocol: Record<string, string | number>;
  runs: number;
  /** Grades or extractions the judge failed to give (counted and shown, never a silent number). */
  failures: number;
  usage: { requests: number; cached: number; promptTokens: number; completionTokens: number; costUsd: number | null };
  /** The official grade file written for this result (MM-Vet), relative to the results file. */
  gradeFile?: string;
}

export interface ResultsFile {
  schema: 'eve-eval/results@1';
  manifest: RunManifest;
  results: BenchmarkResult[];
  /**
   * Older files only: (model, benchmark) pairs that ran but have no score. New files carry them as
   * results with headline null and an `unscored` reason instead.
   */
  unscored?: Array<{ model: string; benchmark: BenchmarkId; reason: string }>;
}
