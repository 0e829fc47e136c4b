// Reads a predictions file into Map<sample id, Answer>, whatever form a researcher has it in:
// eve-eval's own PredictionRecord JSONL, LLaVA/EVE answer JSONL ({question_id, prompt, text}), or the
// benchmark's official format (adapter.readOfficialPredictions, e.g. an MME eval_tool folder).
// Answers are joined to samples by id, never by position; a file that belongs to another benchmark or
// question file is refused with one line naming the file and line.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Answer, BenchmarkAdapter, Sample } from '../core/benchmark.ts';
import { InputError, ScoreRefusal, UserError } from '../core/errors.ts';
import { isObject, readJsonl } from '../benchmarks/shared/data-files.ts';
import { RepeatCounter } from '../benchmarks/shared/repeats.ts';

/** The key a LLaVA answer line is joined on: its question_id, which some benchmarks share between samples (MME). */
function llavaKey(sample: Sample): string {
  const k = sample.meta.llavaId;
  return typeof k === 'string' || typeof k === 'number' ? String(k) : sample.id;
}

/** Prompts compared loosely (no "<image>", whitespace collapsed, one may extend the other) to catch wrong files, not formatting. */
function normPrompt(p: string): string {
  return p.replaceAll('<image>', ' ').replace(/\s+/g, ' ').trim();
}
function promptsAgree(a: string, b: string): boolean {
  if (a === b) return true; // the usual case, without normalising 2 × 214k prompts for VQAv2 val
  const x = normPrompt(a);
  const y = normPrompt(b);
  return x === y || x.includes(y) || y.includes(x);
}

interface Unmatched {
  count: number;
  first?: { id: string; line: number };
}

export interface PredictionsResult {
  answers: Map<string, Answer>;
  /** Lines whose id is not among the samples (e.g. another split of the same file); ignored. */
  unmatched: number;
  format: 'eve-eval' | 'llava' | 'official';
  /** LLaVA answer lines that answer a question already answered in the file (the last one is kept). */
  repeated: { questions: number; extraLines: number };
}

/**
 * Read `path` for `adapter`, joined to `samples`. Throws InputError on a malformed line, UserError when
 * no prediction matches (a file for another benchmark), ScoreRefusal when the answers were made for
 * other prompts than the question file holds.
 */
export async function readPredictions(
  path: string,
  adapter: BenchmarkAdapter,
  samples: Sample[],
  dataRoot: string,
): Promise<PredictionsResult> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UserError(`${path}: no such predictions file or folder`);
  }
  const ids = new Set(samples.map((s) => s.id));
  const split = samples[0]?.split ?? '';

  // Official formats first: only the adapter knows them, and it answers null when the file is not one.
  if (adapter.readOfficialPredictions) {
    const official = await adapter.readOfficialPredictions(path, dataRoot);
    if (official) {
      const answers = new Map<string, Answer>();
      let unmatched = 0;
      let firstUnmatched: string | undefined;
      for (const [id, a] of official) {
        if (ids.has(id)) answers.set(id, a);
        else {
          unmatched++;
          firstUnmatched ??= id;
        }
      }
      if (answers.size === 0 && official.size > 0) {
        throw new UserError(
          `${path}: none of its ${official.size} predictions match ${adapter.id}/${split} (first id "${firstUnmatched}"); is it a predictions file for another benchmark or split?`,
        );
      }
      // Official readers that keep repeats count and warn themselves (TextVQA, MME).
      return { answers, unmatched, format: 'official', repeated: { questions: 0, extraLines: 0 } };
    }
  }
  if (info.isDirectory()) {
    throw new UserError(`${path}: is a folder, not a predictions file${adapter.readOfficialPredictions ? ` nor an official ${adapter.id} results folder` : ''}`);
  }

  const byKey = new Map<string, Sample[]>();
  for (const s of samples) {
    const k = llavaKey(s);
    const list = byKey.get(k);
    if (list) list.push(s);
    else byKey.set(k, [s]);
  }

  const answers = new Map<string, Answer>();
  const unmatched: Unmatched = { count: 0 };
  let format: 'eve-eval' | 'llava' | undefined;
  let total = 0;
  let prompted = 0;
  let disagree: { id: string; line: number } | undefined;
  let disagreeCount = 0;
  const repeats = new RepeatCounter();

  const noteUnmatched = (id: string, line: number) => {
    unmatched.count++;
    unmatched.first ??= { id, line };
  };

  for await (const { value, line } of readJsonl(path)) {
    if (!isObject(value)) throw new InputError(path, line, 'expected a JSON object per line');
    total++;
    if (typeof value.cacheKey === 'string' && typeof value.id === 'string' && 'benchmark' in value) {
      // eve-eval's own PredictionRecord (core/records.ts).
      format ??= 'eve-eval';
      if (value.benchmark !== adapter.id) {
        throw new InputError(path, line, `prediction record for benchmark "${String(value.benchmark)}", not "${adapter.id}"`);
      }
      if (typeof value.text !== 'string') throw new InputError(path, line, 'prediction record without a "text" string');
      const id = value.id;
      if (!ids.has(id) || (typeof value.split === 'string' && value.split !== split)) {
        noteUnmatched(id, line);
        continue;
      }
      const answer: Answer = { id, text: value.text };
      if (isObject(value.error)) {
        answer.error = { kind: String(value.error.kind ?? 'error'), message: String(value.error.message ?? '') };
      }
      answers.set(id, answer); // a later record (a resumed run) replaces an earlier one
      continue;
    }
    if ('question_id' in value) {
      // LLaVA / EVE answer line: {question_id, prompt, text, ...}.
      format ??= 'llava';
      if (typeof value.text !== 'string') throw new InputError(path, line, 'answer line without a "text" string');
      const key = String(value.question_id);
      const candidates = byKey.get(key);
      if (!candidates) {
        noteUnmatched(key, line);
        continue;
      }
      const prompt = typeof value.prompt === 'string' ? value.prompt : undefined;
      let sample: Sample | undefined;
      if (candidates.length === 1) sample = candidates[0];
      else if (prompt !== undefined) sample = candidates.find((s) => normPrompt(s.prompt) === normPrompt(prompt));
      if (!sample) {
        throw new InputError(path, line, `question_id "${key}" is shared by ${candidates.length} questions and the line's prompt matches none of them`);
      }
      // A line that names its image (a question file passed by mistake) must name the sample's image.
      const image = typeof value.image === 'string' && sample.image?.kind === 'file' ? value.image : undefined;
      if (prompt !== undefined || image !== undefined) {
        prompted++;
        const samplePath = sample.image?.kind === 'file' ? sample.image.path : '';
        const imageOk = image === undefined || samplePath === image || samplePath.endsWith('/' + image);
        if (!imageOk || (prompt !== undefined && !promptsAgree(prompt, sample.prompt))) {
          disagreeCount++;
          disagree ??= { id: key, line };
        }
      }
      repeats.note(sample.id);
      answers.set(sample.id, { id: sample.id, text: value.text }); // the last line wins, as the official converters keep it
      continue;
    }
    throw new InputError(path, line, 'neither an eve-eval prediction record (id, benchmark, text, cacheKey) nor a LLaVA answer line (question_id, text)');
  }

  if (total === 0) throw new UserError(`${path}: no predictions in the file`);
  if (answers.size === 0) {
    const f = unmatched.first;
    throw new UserError(
      `${path}${f ? `:${f.line}` : ''}: none of its ${total} predictions match ${adapter.id}/${split}${f ? ` (first id "${f.id}")` : ''}; is it a predictions file for another benchmark or split?`,
    );
  }
  // Most answers made for other prompts: the ids collide by accident (another benchmark's numeric ids,
  // or another version of the question file). Scoring them would give a wrong number silently.
  if (prompted > 0 && disagreeCount * 2 > prompted) {
    throw new ScoreRefusal(
      `${path}:${disagree!.line}: ${disagreeCount} of ${prompted} answers were made for other prompts or images than ${adapter.id}/${split} holds (first: question_id "${disagree!.id}"); is it a predictions file for another benchmark or question-file version?`,
    );
  }
  return { answers, unmatched: unmatched.count, format: format ?? 'llava', repeated: repeats.summary() };
}

// Shared by the re-scoring commands (score, submission) and bench/conformance.ts. The registry is imported
// lazily: cli.ts loads every command module at start, and `--help` or `predict` need none of the ten adapters.

export async function benchmarkById(id: string): Promise<BenchmarkAdapter> {
  const { getBenchmark } = await import('../benchmarks/registry.ts');
  return getBenchmark(id);
}

export async function allBenchmarks(): Promise<BenchmarkAdapter[]> {
  const { BENCHMARKS } = await import('../benchmarks/registry.ts');
  return Object.values(BENCHMARKS);
}

/** The named split, else the default split, else (when the default's files are absent) the first split present. */
export async function resolveSplit(adapter: BenchmarkAdapter, dataRoot: string, split?: string): Promise<string> {
  if (!existsSync(dataRoot)) throw new UserError(`${dataRoot}: data folder not found`);
  if (split !== undefined) {
    if (!adapter.splits.includes(split)) throw new UserError(`${adapter.id} has no split "${split}"; known: ${adapter.splits.join(', ')}`);
    if (!(await adapter.present(dataRoot, split))) throw new UserError(`${adapter.id}/${split}: files not found under ${dataRoot}`);
    return split;
  }
  if (await adapter.present(dataRoot, adapter.defaultSplit)) return adapter.defaultSplit;
  for (const s of adapter.splits) if (await adapter.present(dataRoot, s)) return s;
  throw new UserError(`${adapter.id}: files not found under ${dataRoot} (run \`eve-eval list --data ${dataRoot}\`)`);
}

/** All samples of one split, without embedded image bytes (scoring never needs them). */
export async function loadSamples(adapter: BenchmarkAdapter, dataRoot: string, split: string): Promise<Sample[]> {
  const samples: Sample[] = [];
  for await (const s of adapter.load(resolve(dataRoot), { split, images: false })) samples.push(s);
  if (samples.length === 0) throw new UserError(`${adapter.id}/${split}: no questions found under ${dataRoot}`);
  return samples;
}
