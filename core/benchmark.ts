// The contract between a benchmark adapter and the rest of eve-eval (docs/design.md, "Contracts").
// Every type here is plain data that can be written to disk and read back.

import type { SyntheticSet } from './synthetic.ts';

export const BENCHMARK_IDS = ['vqav2', 'gqa', 'vizwiz', 'textvqa', 'pope', 'mme', 'mmbench', 'seed', 'mmvet', 'sqa'] as const;
export type BenchmarkId = (typeof BENCHMARK_IDS)[number];

/** Column titles as the EVE paper's table names them (every renderer uses these). */
export const BENCHMARK_TITLES: Record<BenchmarkId, string> = {
  vqav2: 'VQAv2',
  gqa: 'GQA',
  vizwiz: 'VizWiz',
  textvqa: 'TextVQA',
  pope: 'POPE',
  mme: 'MME',
  mmbench: 'MMB',
  seed: 'SEED',
  mmvet: 'MM-Vet',
  sqa: 'SQA-I',
};

/** Where a sample's image comes from: a file inside the data root, or bytes embedded in a data file (MMBench TSV). */
export type ImageRef =
  | { kind: 'file'; path: string } // absolute path, already checked to be inside the data root
  | { kind: 'base64'; data: string }; // as stored in the TSV; decoded only when the runner needs it

/** One question, ready for a model. */
export interface Sample {
  /** Stable id, unique within benchmark + split (e.g. the question_id as a string). */
  id: string;
  benchmark: BenchmarkId;
  split: string;
  image?: ImageRef;
  /** The text that follows the image placeholder, exactly as EVE/LLaVA-1.5 build it (docs/protocol.md). */
  prompt: string;
  /** Multiple-choice options, in letter order, where the benchmark has them. */
  choices?: string[];
  /** Ground truth where the split has it; the adapter alone knows its shape. */
  answer?: unknown;
  /** max_new_tokens used for the published numbers (128, or 1024 for MM-Vet, MMBench, ScienceQA). */
  maxNewTokens: number;
  /** Whatever the breakdowns need: category, question type, POPE split, MME subtask, circular group ... */
  meta: Record<string, string | number | boolean | null>;
}

/** A model's answer to one sample, as far as scoring is concerned. */
export interface Answer {
  id: string;
  text: string;
  /** Set when generation failed: the sample counts as wrong and as an error. */
  error?: { kind: string; message: string };
  /**
   * Optional: judge grades for judge-scored benchmarks (MM-Vet): one correctness score in [0, 1] per judge
   * run, as the official evaluator's grade file holds them. Why here: score() only sees answers.
   */
  judge?: {
    scores: number[];
    model?: string;
    /** Runs whose grade failed (no readable score after the official tries): scored 0 as the evaluator does, and counted. */
    failedRuns?: number;
  };
  /**
   * Optional: the option letter, when it was read before scoring (MMBench with VLMEvalKit's rules or the LLM
   * choice extractor): null when nothing read one; `how` says by what, `rules` names the rule set.
   */
  choice?: { letter: string | null; how: 'rule' | 'llm' | 'unread'; rules: string };
  /**
   * Earlier answer lines for the same sample, in file order, when an official-format predictions file
   * answers it more than once (`text` is the last line). Only a benchmark whose official script scores every
   * line (TextVQA's eval_textvqa.py) counts them; the others keep the last, as their official flow does.
   */
  earlier?: string[];
}

export type MetricValue = number | null;

/** What a scorer returns; the runner adds the manifest and statistics. */
export interface Score {
  /** The number the EVE paper's table reports, in its units (POPE mean F1 ×100, MME perception sum, else accuracy ×100). */
  headline: number;
  headlineName: string;
  /** Every sub-metric the official scorer prints, flat: e.g. "adversarial.f1", "perception.existence". */
  metrics: Record<string, MetricValue>;
  /** Named breakdown tables: table → row → value (e.g. "subtask" → "existence" → 185). */
  breakdowns: Record<string, Record<string, MetricValue>>;
  counts: {
    samples: number; // ground-truth items scored
    predicted: number; // with a prediction joined by id
    missing: number; // no prediction: counted wrong
    errors: number; // prediction carries an error: counted wrong
    failedExtraction: number; // answer could not be parsed (letter, yes/no): counted wrong
    judged?: number; // MM-Vet: items with a judge grade
    judgeFailures?: number; // MM-Vet: grades (item × run) the judge failed to give, scored 0 and shown
    repeatedLines?: number; // answer lines beyond the first for a question, scored as the official scorer scores them
  };
  /**
   * Per-sample credit in [0, 1] keyed by sample id (soft accuracy for VQA, 0/1 elsewhere), so that
   * bootstrap intervals, paired tests and aspect-ratio breakdowns can be computed without re-scoring.
   */
  perSample: Record<string, number>;
  /** Lines to show beside the number: e.g. a breakdown that is unavailable, and the file it needs. */
  notes?: string[];
  /** Multiple-choice benchmarks: the letter-extraction rule set, and how many answers each way read a letter. */
  extraction?: { rules: string; byRule: number; byLlm: number; unread: number };
}

/**
 * The resampling units of a headline, as written into results.json: stratum → unit key → the unit's
 * summary vector (what the adapter's statistic sums: POPE's one-hot confusion cell of a question, MME's
 * [right, asked, both right] of an image, a credit elsewhere). Strata keep their sizes on every resample;
 * units are drawn with replacement inside them. Two runs are paired unit by unit (same stratum and key).
 */
export interface Resampling {
  /** The adapter statistic that reads these vectors (HeadlineStatistic.id). */
  statistic: string;
  strata: Record<string, Record<string, number[]>>;
}

/**
 * How an adapter's headline is recomputed on a resample. The headline must be a function of the per-stratum
 * sums of the unit vectors (and the unit counts), which makes one bootstrap draw O(units) with no allocation.
 */
export interface HeadlineStatistic {
  /** Stable id written into results.json, e.g. "pope/mean-f1". */
  id: string;
  /**
   * 'accuracy': 100 × the mean of independent 0/1 credits (McNemar is valid between two runs);
   * 'resampled': anything else (soft credit, sums, ratios): compared by a paired bootstrap on the statistic.
   */
  kind: 'accuracy' | 'resampled';
  /** One line for tables: what is resampled, e.g. "mean F1, questions resampled within each split". */
  description: string;
  /** The units of a scored run; a string says why there are none (the interval is then absent for that reason). */
  units(samples: Sample[], score: Score): Resampling | string;
  /** The headline from the strata's vector sums and unit counts (strata in the order given). Always finite. */
  fromSums(strata: string[], sums: number[][], counts: number[]): number;
}

export interface LoadOptions {
  split?: string;
  limit?: number;
  /**
   * false: scoring-only callers skip embedded image bytes (MMBench TSV base64), so scoring a 1 GB TSV
   * does not hold every image in memory. Default true. Optional: adapters without embedded images ignore it.
   */
  images?: boolean;
  /**
   * Called at most once, before the samples are complete, with them as soon as what a join by id reads is set
   * (id, split, prompt, image, meta.llavaId) while the ground truth is still loading (VQAv2 val's annotations,
   * scanned on a worker thread): scoring joins the predictions meanwhile. Optional: adapters without such a
   * stage never call it.
   */
  onJoinable?: (samples: Sample[]) => void;
}

/**
 * Published numbers for one benchmark (docs/protocol.md §3), in headline units, keyed by what they measure: the
 * split they were computed on (`split`, in this adapter's split names) and, where one split has several
 * headline definitions, `definition`. A measured number is set beside them only when its split matches.
 */
export type References = Partial<Record<'EVE-7B' | 'EVE-7B-HD' | 'Fuyu-8B' | 'LLaVA-1.5-7B', number>> & {
  split?: string;
  /** Shown where the split alone does not say it, e.g. "mean F1 over the three splits". */
  definition?: string;
};

export interface BenchmarkAdapter {
  id: BenchmarkId;
  title: string;
  /** This benchmark's folder under the data root (LLaVA/EVE eval layout); its non-image files go into the manifest. */
  folder: string;
  /** Split used when none is named; the one the EVE paper reports where it is local. */
  defaultSplit: string;
  splits: string[];
  references: References;
  /** Whether this benchmark's files are under the data root (for `list --data`). */
  present(dataRoot: string, split?: string): Promise<boolean>;
  /** Samples in file order, streamed: a 1 GB TSV is never held at once. */
  load(dataRoot: string, options?: LoadOptions): AsyncIterable<Sample>;
  /**
   * The same samples as one array, for an adapter that holds them all anyway (VQAv2 val's 214k): what scoring
   * reads, without an await per sample. Absent: scoring collects load()'s.
   */
  loadAll?(dataRoot: string, options?: LoadOptions): Promise<Sample[]>;
  /** Score answers joined to samples by id. Throws ScoreRefusal when the files do not line up. */
  score(samples: Sample[], answers: Map<string, Answer>): Score;
  /**
   * Read a predictions file in the benchmark's official answer format (e.g. an MME eval_tool folder),
   * when it is not eve-eval's own records or LLaVA/EVE answer JSONL. Absent when there is none.
   */
  readOfficialPredictions?(path: string, dataRoot: string): Promise<Map<string, Answer> | null>;
  /** Write the file a scoring server takes; absent for locally scored benchmarks. */
  writeSubmission?(samples: Sample[], answers: Map<string, Answer>, outFile: string): Promise<void>;
  /** Write this benchmark's tiny fixture (real on-disk format, generated images) under root. */
  writeFixture(root: string): Promise<void>;
  /**
   * Write a synthetic set (core/synthetic.ts) under root in this benchmark's real on-disk format, images copied
   * in under the names the format uses. Returns, for each sample load() will yield, its id → the item's id.
   */
  writeSynthetic?(root: string, set: SyntheticSet): Promise<Map<string, string>>;
  /**
   * How the official scorer counts a question answered on several lines of an answer file (shared/repeats.ts):
   * 'every' line is scored (TextVQA), or the 'last' one wins (the default: every other benchmark's official
   * flow keys answers by question id). Readers warn with the count either way.
   */
  repeatedAnswers?: 'every' | 'last';
  /** The headline's resampler (intervals, the gate's paired test); absent: 100 × mean per-sample credit. */
  headlineStatistic?: HeadlineStatistic;
}
