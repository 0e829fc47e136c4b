// Reads a predictions file into Map<sample id, Answer>, whatever form a researcher has it in:
// eve-eval's own PredictionRecord JSONL, LLaVA/EVE answer JSONL ({question_id, prompt, text}), the upload
// files researchers already have (the official VQA results array [{question_id, answer}], GQA's predictions
// array [{questionId, prediction}], SEED-Bench upload lines {question_id, prediction}), or the benchmark's official format (adapter.readOfficialPredictions, e.g.
// an MME eval_tool folder). A file in none of these gets one line saying what it looks like instead.
// Answers are joined to samples by id, never by position; a file that belongs to another benchmark or
// question file is refused with one line naming the file and line.
import { existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Answer, BenchmarkAdapter, LoadOptions, Sample } from '../core/benchmark.ts';
import { InputError, ScoreRefusal, UserError } from '../core/errors.ts';
import { isObject, readJsonlBatches, type JsonLine } from '../benchmarks/shared/data-files.ts';
import { INSTRUCTIONS } from '../benchmarks/shared/instructions.ts';
import { isAnswerSheet, readAnswerSheet } from './predictions-sheet.ts';
import { scanJsonLines } from '../benchmarks/shared/json-records.ts';
import { JoinedAnswers } from '../core/joined-answers.ts';

/** An answer read from a LLaVA/EVE answer line (so that a later line for the same question counts as a repeat). */
class LlavaAnswer implements Answer {
  constructor(
    public id: string,
    public text: string,
  ) {}
}

/** The key a LLaVA answer line is joined on: its question_id, which some benchmarks share between samples (MME). */
function llavaKey(sample: Sample): string {
  const k = sample.meta.llavaId;
  return typeof k === 'string' || typeof k === 'number' ? String(k) : sample.id;
}

/** A prompt as compared: no "<image>" placeholder, whitespace collapsed (formatting, not content). */
function normPrompt(p: string): string {
  return p.replaceAll('<image>', ' ').replace(/\s+/g, ' ').trim();
}

/** The question without the answer instructions appended at its end (benchmarks/shared/instructions.ts). */
function withoutInstructions(p: string): string {
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of INSTRUCTIONS) {
      if (p.endsWith(s)) {
        p = p.slice(0, -s.length).trimEnd();
        changed = true;
      }
    }
  }
  return p;
}

/**
 * An answer line's prompt is the sample's question, exactly (after normPrompt), with or without the answer
 * instructions: LLaVA's and EVE's model_vqa_mmbench.py record the prompt before appending the instruction,
 * their other scripts after.
 */
function promptsAgree(line: string, sample: string): boolean {
  if (line === sample) return true; // the usual case, without normalising 2 × 214k prompts for VQAv2 val
  const x = normPrompt(line);
  const y = normPrompt(sample);
  return x === y || withoutInstructions(x) === withoutInstructions(y);
}

export type PredictionsFormat = 'eve-eval' | 'llava' | 'vqa-results' | 'gqa-predictions' | 'seed-upload' | 'official' | 'sheet';

/** What `score --predictions` reads, for the message a file in another format gets. */
export const READABLE_FORMATS =
  "eve-eval prediction records (JSONL), LLaVA/EVE answer lines {question_id, prompt, text} (JSONL), the official VQA results array [{question_id, answer}], GQA's predictions array [{questionId, prediction}], SEED-Bench upload lines {question_id, prediction}, answer sheets (.xlsx or .tsv: the MMBench upload, VLMEvalKit result sheets), or the benchmark's official answer files (`eve-eval list` names them)";

/** The first `bytes` bytes of a file (format sniffing without reading a large file whole). */
async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** One line on what a file that is none of the readable formats looks like. */
async function describeContent(path: string): Promise<string> {
  const head = await readHead(path, 4096);
  if (head.subarray(0, 4).toString('latin1') === 'PK\x03\x04') return 'a zip archive (an .xlsx spreadsheet?)';
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  if (/^\s*[[{]/.test(text)) {
    try {
      const doc: unknown = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
      if (Array.isArray(doc)) {
        const keys = isObject(doc[0]) ? Object.keys(doc[0]).slice(0, 6).join(', ') : typeof doc[0];
        return `a JSON array whose first entry has ${keys || 'no keys'}`;
      }
      if (isObject(doc))
        return `one JSON object with keys ${Object.keys(doc)
          .slice(0, 6)
          .map((k) => JSON.stringify(k))
          .join(', ')}${Object.keys(doc).length > 6 ? ', ...' : ''}`;
    } catch {
      /* not one JSON document either */
    }
  }
  if (first.includes('\t')) return `tab-separated text with the header ${JSON.stringify(first.slice(0, 120))}`;
  return `text starting ${JSON.stringify(first.slice(0, 80))}`;
}

/**
 * The entries of a predictions file, a batch at a time: JSON lines, or the elements of one JSON array (the
 * official VQA results format, often pretty-printed over many lines) numbered from 1. Anything else is an
 * InputError naming the file, saying what it saw and which formats are read.
 */
async function* predictionEntries(path: string): AsyncGenerator<{ entry: 'line' | 'element'; items: JsonLine[] }> {
  const start = (await readHead(path, 256))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (start.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
    } catch (err) {
      throw new InputError(path, undefined, `starts like a JSON array but is not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(doc)) throw new InputError(path, undefined, `not a JSON array; ${READABLE_FORMATS} are read`);
    yield { entry: 'element', items: doc.map((value, i) => ({ value, line: i + 1 })) };
    return;
  }
  let lineOne = true;
  try {
    for await (const items of readJsonlBatches(path)) {
      lineOne = false;
      yield { entry: 'line', items };
    }
  } catch (err) {
    // A first line that is not JSON: the file is in some other format; say which, not "malformed JSON".
    if (lineOne && err instanceof InputError) {
      throw new InputError(path, undefined, `is ${await describeContent(path)}, not a predictions format eve-eval reads; it reads ${READABLE_FORMATS}`);
    }
    throw err;
  }
}

interface Unmatched {
  count: number;
  first?: { id: string; line: number };
}

export interface PredictionsResult {
  answers: Map<string, Answer>;
  /** Lines whose id is not among the samples (e.g. another split of the same file); ignored. */
  unmatched: number;
  format: PredictionsFormat;
  /** LLaVA answer lines that answer a question already answered in the file (the last one is kept). */
  repeated: { questions: number; extraLines: number };
}

/**
 * One answer of a predictions file, as read before the join: only what the join and the score use (a LLaVA
 * line's answer_id, model_id and metadata are dropped as the line is read).
 */
type ReadEntry =
  | { kind: 'record'; id: string; text: string; split: unknown; error?: Answer['error']; line: number }
  | { kind: 'answer'; key: string; text: string; prompt: string | undefined; image: unknown; where: number | string; line: number };

/** The fields of a LLaVA/EVE answer line the join uses, and `cacheKey`, which only eve-eval's own records have. */
// The answer texts interned: short answers repeat (one string for all 'yes'), and a kept slice of the scan's text
// would keep its 1024 lines' prompts alive.
const ANSWER_LINE_FIELDS = { question_id: 'scalar', prompt: 'text', text: 'string', image: 'text', cacheKey: 'text' } as const;
const NOT_ANSWER_LINES = Symbol('not answer lines');

/**
 * A file of LLaVA/EVE answer lines read for the join without parsing each line whole (json-records.ts: VQAv2
 * val's 214k lines in a fraction of JSON.parse's time): true when every line is an object with a question_id
 * and a "text" string and no cacheKey, each handed to `take` as the general reading below hands it; false
 * (stopped at the first other line) for any other file, which is then read the general way.
 */
async function scanAnswerLines(path: string, take: (e: ReadEntry) => void): Promise<boolean> {
  try {
    return await scanJsonLines(path, ANSWER_LINE_FIELDS, (v, line) => {
      const [key, prompt, text, image, cacheKey] = v as [string | number | undefined, string | undefined, string | undefined, string | undefined, unknown];
      if (key === undefined || text === undefined || cacheKey !== undefined) throw NOT_ANSWER_LINES;
      take({ kind: 'answer', key: String(key), text, prompt, image, where: line, line });
    });
  } catch (err) {
    if (err === NOT_ANSWER_LINES) return false;
    throw err;
  }
}

/**
 * Read `path` for `adapter`, joined to `samples`. Throws InputError on a malformed line, UserError when
 * no prediction matches (a file for another benchmark), ScoreRefusal when the answers were made for
 * other prompts than the question file holds. `samples` may still be loading: a JSON or JSONL file is read
 * meanwhile (VQAv2 val: its 214k answer lines while a worker thread scans the annotations), then joined.
 */
export async function readPredictions(
  path: string,
  adapter: BenchmarkAdapter,
  samplesLoading: Sample[] | Promise<Sample[]>,
  dataRoot: string,
): Promise<PredictionsResult> {
  // Awaited once the file is read; an error of the samples' load meanwhile is not an unhandled rejection.
  if (samplesLoading instanceof Promise) samplesLoading.catch(() => {});
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UserError(`${path}: no such predictions file or folder`);
  }
  let samples: Sample[] = [];
  // Built when a format joins on sample ids (LLaVA lines join through byKey below).
  let idSet: Set<string> | undefined;
  const ids = () => (idSet ??= new Set(samples.map((s) => s.id)));
  const split = () => samples[0]?.split ?? '';

  // Official formats first: only the adapter knows them, and it answers null when the file is not one.
  if (adapter.readOfficialPredictions) {
    const official = await adapter.readOfficialPredictions(path, dataRoot);
    if (official) {
      samples = await samplesLoading;
      const answers = new Map<string, Answer>();
      let unmatched = 0;
      let firstUnmatched: string | undefined;
      for (const [id, a] of official) {
        if (ids().has(id)) answers.set(id, a);
        else {
          unmatched++;
          firstUnmatched ??= id;
        }
      }
      if (answers.size === 0 && official.size > 0) {
        throw new UserError(
          `${path}: none of its ${official.size} predictions match ${adapter.id}/${split()} (first id "${firstUnmatched}"); is it a predictions file for another benchmark or split?`,
        );
      }
      // Official readers that keep repeats count and warn themselves (TextVQA, MME).
      return { answers, unmatched, format: 'official', repeated: { questions: 0, extraLines: 0 } };
    }
  }
  // Answer sheets (.xlsx / .tsv: the MMBench upload, VLMEvalKit results): harness/predictions-sheet.ts.
  if (!info.isDirectory() && isAnswerSheet(path)) {
    samples = await samplesLoading;
    const { answers, unmatched } = await readAnswerSheet(path, adapter, samples);
    if (answers.size === 0)
      throw new UserError(`${path}: none of its rows match ${adapter.id}/${split()}; is it an answer sheet for another benchmark or split?`);
    return { answers, unmatched, format: 'sheet', repeated: { questions: 0, extraLines: 0 } };
  }
  if (info.isDirectory()) {
    throw new UserError(
      `${path}: is a folder, not a predictions file${adapter.readOfficialPredictions ? ` nor an official ${adapter.id} results folder` : ''}`,
    );
  }

  // Read: every entry checked and reduced to what the join needs (LLaVA/EVE answer lines scanned for just that),
  // and joined as it is read when the samples are there, so nothing of a line outlives it but its answer.
  const ready = Array.isArray(samplesLoading) ? samplesLoading : undefined;
  let join = ready && new Join(ready, path);
  const pending: ReadEntry[] = [];
  let entries = 0;
  const take = (e: ReadEntry) => {
    entries++;
    if (join) join.add(e);
    else pending.push(e);
  };
  let format: Exclude<PredictionsFormat, 'official'> | undefined = (await scanAnswerLines(path, take)) ? 'llava' : undefined;
  if (!format) {
    // Read again the general way, from nothing.
    entries = pending.length = 0;
    join = ready && new Join(ready, path);
    for await (const { entry, items } of predictionEntries(path))
      for (const { value, line } of items) {
        if (!isObject(value)) {
          if (entries === 0)
            throw new InputError(
              path,
              entry === 'line' ? line : `element ${line}`,
              `is ${await describeContent(path)}, not a predictions format eve-eval reads; it reads ${READABLE_FORMATS}`,
            );
          throw new InputError(path, entry === 'line' ? line : `element ${line}`, 'expected a JSON object');
        }
        if (typeof value.cacheKey === 'string' && typeof value.id === 'string' && 'benchmark' in value) {
          // eve-eval's own PredictionRecord (core/records.ts).
          format ??= 'eve-eval';
          if (value.benchmark !== adapter.id) {
            throw new InputError(path, line, `prediction record for benchmark "${String(value.benchmark)}", not "${adapter.id}"`);
          }
          if (typeof value.text !== 'string') throw new InputError(path, line, 'prediction record without a "text" string');
          const error = isObject(value.error) ? { kind: String(value.error.kind ?? 'error'), message: String(value.error.message ?? '') } : undefined;
          take({ kind: 'record', id: value.id, text: value.text, split: value.split, error, line });
          continue;
        }
        if ('question_id' in value || (entry === 'element' && 'questionId' in value)) {
          // LLaVA / EVE answer line {question_id, prompt, text, ...}; an element of the VQA results array
          // {question_id, answer} or of GQA's predictions file {questionId, prediction}; a SEED-Bench upload line
          // {question_id, prediction}.
          const where = entry === 'line' ? line : `element ${line}`;
          const field =
            entry === 'line' && typeof value.text === 'string' ? 'text' : 'prediction' in value ? 'prediction' : 'answer' in value ? 'answer' : 'text';
          format ??= field === 'answer' ? 'vqa-results' : field === 'prediction' ? (entry === 'element' ? 'gqa-predictions' : 'seed-upload') : 'llava';
          if (typeof value[field] !== 'string') throw new InputError(path, where, `answer entry without a "${field}" string`);
          const prompt = typeof value.prompt === 'string' ? value.prompt : undefined;
          take({ kind: 'answer', key: String(value.question_id ?? value.questionId), text: value[field], prompt, image: value.image, where, line });
          continue;
        }
        const keys = Object.keys(value)
          .slice(0, 6)
          .map((k) => JSON.stringify(k))
          .join(', ');
        throw new InputError(
          path,
          entry === 'line' ? line : `element ${line}`,
          `an object with keys ${keys || '(none)'} is not a predictions format eve-eval reads; it reads ${READABLE_FORMATS}`,
        );
      }
  }
  if (entries === 0) throw new UserError(`${path}: no predictions in the file`);
  if (!join) {
    samples = await samplesLoading;
    join = new Join(samples, path);
    for (let i = 0; i < pending.length; i++) {
      join.add(pending[i]);
      (pending as unknown[])[i] = undefined; // joined: what the answer keeps is copied out
    }
  }
  return join.result(`${adapter.id}/${join.split}`, entries, format ?? 'llava');
}

/** Entries joined to samples one at a time: LLaVA lines by question_id (and prompt, where ids are shared), records by id. */
class Join {
  readonly answers: JoinedAnswers;
  readonly split: string;
  private unmatched: Unmatched = { count: 0 };
  private prompted = 0;
  private disagree: { id: string; line: number } | undefined;
  private disagreeCount = 0;
  private extraLines = 0;
  private readonly repeatedIds = new Set<string>();
  private idSet: Set<string> | undefined;
  private keys: Map<string, number | number[]> | undefined;
  /** The sample after the one the last answer line answered. */
  private next = 0;
  /** Answers from eve-eval records so far. */
  private records = 0;

  constructor(
    private readonly samples: Sample[],
    private readonly path: string,
  ) {
    this.split = samples[0]?.split ?? '';
    this.answers = new JoinedAnswers(samples, (id, text) => new LlavaAnswer(id, text));
  }

  /** A key's sample index, or indices when several samples share it (MME): no array per key for the usual one. */
  private byKey(): Map<string, number | number[]> {
    if (this.keys) return this.keys;
    const byKey = new Map<string, number | number[]>();
    for (let i = 0; i < this.samples.length; i++) {
      const k = llavaKey(this.samples[i]);
      const had = byKey.get(k);
      if (had === undefined) byKey.set(k, i);
      else if (Array.isArray(had)) had.push(i);
      else byKey.set(k, [had, i]);
    }
    return (this.keys = byKey);
  }

  private noteUnmatched(id: string, line: number): void {
    this.unmatched.count++;
    this.unmatched.first ??= { id, line };
  }

  add(e: ReadEntry): void {
    const { answers, samples } = this;
    if (e.kind === 'record') {
      this.idSet ??= new Set(samples.map((s) => s.id));
      if (!this.idSet.has(e.id) || (typeof e.split === 'string' && e.split !== this.split)) {
        this.noteUnmatched(e.id, e.line);
        return;
      }
      const answer: Answer = { id: e.id, text: e.text };
      if (e.error) answer.error = e.error;
      answers.set(e.id, answer); // a later record (a resumed run) replaces an earlier one
      this.records++;
      return;
    }
    const { key, prompt } = e;
    let index: number;
    const next = samples[this.next];
    if (next !== undefined && prompt !== undefined && e.image === undefined && prompt === next.prompt && llavaKey(next) === key) {
      // The file in the samples' order, as LLaVA's and EVE's scripts write it: the next sample has this key and
      // this very prompt, so it is the one the lookup below finds (no map of 214k keys for VQAv2 val).
      index = this.next;
      this.prompted++;
    } else {
      const candidates = this.byKey().get(key);
      if (candidates === undefined) {
        this.noteUnmatched(key, e.line);
        return;
      }
      const found = Array.isArray(candidates)
        ? prompt === undefined
          ? undefined
          : candidates.find((i) => normPrompt(samples[i].prompt) === normPrompt(prompt))
        : candidates;
      if (found === undefined) {
        const n = (candidates as number[]).length;
        throw new InputError(this.path, e.where, `question_id "${key}" is shared by ${n} questions and the line's prompt matches none of them`);
      }
      index = found;
      const sample = samples[index];
      // A line that names its image (a question file passed by mistake) must name the sample's image.
      const image = typeof e.image === 'string' && sample.image?.kind === 'file' ? e.image : undefined;
      if (prompt !== undefined || image !== undefined) {
        this.prompted++;
        const samplePath = image !== undefined && sample.image?.kind === 'file' ? sample.image.path : '';
        const imageOk = image === undefined || samplePath === image || samplePath.endsWith('/' + image);
        if (!imageOk || (prompt !== undefined && !promptsAgree(prompt, sample.prompt))) {
          this.disagreeCount++;
          this.disagree ??= { id: key, line: e.line };
        }
      }
    }
    this.next = index + 1;
    // The last line wins, as the official converters keep it; one that follows an earlier LLaVA line for the same
    // question is a repeat. With no records in the file every answer so far came from such a line, held by the
    // sample's position (core/joined-answers.ts), which says whether the question had one.
    const id = samples[index].id;
    let repeat: boolean;
    if (this.records === 0) repeat = answers.hold(index, e.text);
    else {
      repeat = answers.get(id) instanceof LlavaAnswer;
      answers.set(id, new LlavaAnswer(id, e.text));
    }
    if (repeat) {
      this.extraLines++;
      this.repeatedIds.add(id);
    }
  }

  /** What the join found, or the refusal when the file cannot be these samples' predictions. */
  result(what: string, entries: number, format: Exclude<PredictionsFormat, 'official'>): PredictionsResult {
    const { answers, path } = this;
    if (answers.size === 0) {
      const f = this.unmatched.first;
      throw new UserError(
        `${path}${f ? `:${f.line}` : ''}: none of its ${entries} predictions match ${what}${f ? ` (first id "${f.id}")` : ''}; is it a predictions file for another benchmark or split?`,
      );
    }
    // Most answers made for other prompts: the ids collide by accident (another benchmark's numeric ids,
    // or another version of the question file). Scoring them would give a wrong number silently.
    if (this.prompted > 0 && this.disagreeCount * 2 > this.prompted) {
      throw new ScoreRefusal(
        `${path}:${this.disagree!.line}: ${this.disagreeCount} of ${this.prompted} answers were made for other prompts or images than ${what} holds (first: question_id "${this.disagree!.id}"); is it a predictions file for another benchmark or question-file version?`,
      );
    }
    return { answers, unmatched: this.unmatched.count, format, repeated: { questions: this.repeatedIds.size, extraLines: this.extraLines } };
  }
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

/**
 * All samples of one split, without embedded image bytes (scoring never needs them); `onJoinable` as in
 * LoadOptions (the samples before their ground truth is in, where the adapter has that stage).
 */
export async function loadSamples(adapter: BenchmarkAdapter, dataRoot: string, split: string, onJoinable?: LoadOptions['onJoinable']): Promise<Sample[]> {
  const options: LoadOptions = { split, images: false, onJoinable };
  let samples: Sample[] = [];
  if (adapter.loadAll) samples = await adapter.loadAll(resolve(dataRoot), options);
  else for await (const s of adapter.load(resolve(dataRoot), options)) samples.push(s);
  if (samples.length === 0) throw new UserError(`${adapter.id}/${split}: no questions found under ${dataRoot}`);
  return samples;
}
