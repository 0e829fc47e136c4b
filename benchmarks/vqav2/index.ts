// VQAv2 (docs/scoring.md §1, docs/protocol.md §1.2). Two splits:
//  - val: official v2_OpenEnded_mscoco_val2014_questions.json + v2_mscoco_val2014_annotations.json, scored
//    locally exactly as GT-Vision-Lab vqaEval.py @HEAD scores the EvalAI-processed answers LLaVA/EVE upload;
//  - test-dev: LLaVA/EVE's llava_vqav2_mscoco_test-dev2015.jsonl, server-scored (EvalAI challenge 830):
//    eve-eval writes the upload file (every test2015 question present, missing = '').
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { Answer, BenchmarkAdapter, LoadOptions, Sample, Score } from '../../core/benchmark.ts';
import { InputError, ScoreRefusal, UserError } from '../../core/errors.ts';
import { firstExisting, isFile, readJson, readJsonlObjects, resolveInside, str } from '../shared/data-files.ts';
import { pyJsonDumps } from '../shared/python.ts';
import { cachedEvalAI, leaveOneOut } from '../shared/vqa-accuracy.ts';
import { groupPercent, percent } from '../shared/metrics.ts';
import { officialNormalize, stripLineBreaks } from '../shared/vqa-normalize.ts';
import { checkJoin, creditEach, dataRecord, perSampleOf } from '../shared/join.ts';
import { jsonl, writeFixtureImage, writeText } from '../shared/fixture-files.ts';
import { DIR, FILES, valAnnotation, valImageName, writeValFiles } from './format.ts';
import { writeVqav2Synthetic } from './synthetic.ts';
import { questionTypeOf } from './question-types.ts';
import { readJsonArrayField } from '../shared/json-array-stream.ts';
import { scanJsonRecords } from '../shared/json-records.ts';
import { scanJsonColumns } from '../shared/json-records-thread.ts';
import type { RecordColumns } from '../shared/json-columns.ts';
import { softMeanStatistic } from '../shared/headline-stat.ts';
import { SHORT_ANSWER } from '../shared/instructions.ts';

export const SUFFIX = `\n${SHORT_ANSWER}`;

/** The prompt LLaVA-1.5/EVE use (the `text` field of their question files). */
export function buildPrompt(question: string): string {
  return question + SUFFIX;
}

function splitFiles(dataRoot: string, split: string): string[] {
  const d = path.join(dataRoot, DIR);
  if (split === 'val') return [path.join(d, FILES.valQuestions), path.join(d, FILES.valAnnotations)];
  // LLaVA's test-dev prompts, else the official question file (the same prompts are built from it).
  if (split === 'test-dev') return [firstExisting([path.join(d, FILES.testDev), path.join(d, FILES.testDevOfficial)]) ?? path.join(d, FILES.testDev)];
  throw new UserError(`vqav2: unknown split "${split}"; known: val, test-dev`);
}

async function hasSplit(dataRoot: string, split: string): Promise<boolean> {
  for (const f of splitFiles(dataRoot, split)) if (!(await isFile(f))) return false;
  return true;
}

/** The named split, or val when present, else test-dev (so a LLaVA layout with only test-dev just works). */
async function pickSplit(dataRoot: string, split?: string): Promise<string> {
  if (split) return split;
  return (await hasSplit(dataRoot, 'val')) || !(await hasSplit(dataRoot, 'test-dev')) ? 'val' : 'test-dev';
}

const ANNOTATION_FIELDS = { question_id: 'number', answers: { arrayOf: 'answer' }, question_type: 'string', answer_type: 'string' } as const;
const QUESTION_FIELDS = { question_id: 'number', image_id: 'number', question: 'text' } as const;

/** One question's annotation as the general read (json-array-stream.ts) keeps it. */
interface ValAnnotation {
  answers: string[];
  question_type: unknown;
  answer_type: unknown;
}

/** The annotations by question: the scanned columns, or what the general read kept. */
interface Annotations {
  /** The annotation of the i-th question (id `id`): undefined when there is none, null when it has no answers. */
  of(i: number, id: unknown): ValAnnotation | null | undefined;
}

/** The annotations' columns (json-columns.ts) by question: by position when they list the questions in order. */
function columnAnnotations(scanned: RecordColumns, ids: readonly unknown[]): Annotations {
  const { count, strings } = scanned;
  const [qid, answers, qtype, atype] = scanned.columns as [Float64Array, { lengths: Int32Array; items: Int32Array }, Int32Array, Int32Array];
  const starts = new Int32Array(count + 1);
  for (let r = 0; r < count; r++) starts[r + 1] = starts[r] + Math.max(0, answers.lengths[r]);
  // The official files list the annotations in the questions' order: no map of 214k ids then.
  let inOrder = ids.length <= count;
  for (let i = 0; inOrder && i < ids.length; i++) inOrder = qid[i] === ids[i];
  let rowOf: Map<unknown, number> | undefined;
  if (!inOrder) {
    rowOf = new Map();
    for (let r = 0; r < count; r++) rowOf.set(Number.isNaN(qid[r]) ? undefined : qid[r], r); // the last one wins, as in JSON.parse's reading
  }
  const name = (i: number) => (i < 0 ? undefined : strings[i]);
  return {
    of(i, id) {
      const r = rowOf ? rowOf.get(id) : i;
      if (r === undefined) return undefined;
      const n = answers.lengths[r];
      if (n <= 0) return null;
      const list = new Array<string>(n);
      for (let k = 0, from = starts[r]; k < n; k++) list[k] = strings[answers.items[from + k]];
      return { answers: list, question_type: name(qtype[r]), answer_type: name(atype[r]) };
    },
  };
}

/** The annotations read the general way (JSON.parse in batches), for a file the scan does not take. */
async function parsedAnnotations(aFile: string): Promise<Annotations> {
  const byId = new Map<unknown, ValAnnotation | null>();
  const anns = await readJsonArrayField(aFile, 'annotations', (items) => {
    for (const a of items as any[]) {
      const answers = Array.isArray(a?.answers) ? a.answers.map((x: any) => String(x?.answer)) : [];
      byId.set(a?.question_id, answers.length ? { answers, question_type: a.question_type, answer_type: a.answer_type } : null);
    }
  });
  if (!anns.found) throw new InputError(aFile, undefined, 'expected {"annotations": [...]}');
  return { of: (_i, id) => byId.get(id) };
}

async function loadVal(dataRoot: string, limit: number, onJoinable?: LoadOptions['onJoinable']): Promise<Sample[]> {
  const [qFile, aFile] = splitFiles(dataRoot, 'val');
  const imageDir = path.join(dataRoot, DIR, 'val2014');
  // The 160 MB annotations: only these fields, scanned from the bytes (json-records.ts) into columns on a
  // worker thread while this one reads the questions; a file the scan does not take is read in batches of
  // JSON.parse (json-array-stream.ts), which gives the same values or the error.
  const scanned = scanJsonColumns(aFile, 'annotations', ANNOTATION_FIELDS);
  scanned.catch(() => {}); // awaited below, after the questions: not an unhandled rejection meanwhile

  // The samples are made from the questions meanwhile; answers, types and image come once the annotations are in.
  const samples: Sample[] = [];
  const ids: unknown[] = [];
  // The first question that is not a string, reported once the file is read. The question strings are not kept
  // beyond their prompts: a slice of the scan's text would keep the text of its 1024 records alive.
  let notText: { i: number; question: unknown } | undefined;
  const make = (questionId: unknown, imageId: unknown, question: unknown) => {
    if (samples.length >= limit) return;
    if (typeof question !== 'string') notText ??= { i: samples.length, question };
    ids.push(questionId);
    samples.push({
      id: String(questionId),
      benchmark: 'vqav2',
      split: 'val',
      image: undefined,
      prompt: typeof question === 'string' ? buildPrompt(question) : '',
      answer: undefined,
      maxNewTokens: 128,
      meta: { image_id: imageId as number, question_type: null, answer_type: null },
    });
  };
  const fastQ = await scanJsonRecords(qFile, 'questions', QUESTION_FIELDS, (v) => make(v[0], v[1], v[2]));
  if (!fastQ) {
    samples.length = ids.length = 0;
    notText = undefined;
    const qs = await readJsonArrayField(qFile, 'questions', (items) => {
      for (const q of items as any[]) make(q?.question_id, q?.image_id, q?.question);
    });
    if (!qs.found) throw new InputError(qFile, undefined, 'expected {"questions": [...]}');
  }
  const where = (i: number) => `question_id ${ids[i]}`; // for messages only: not built per question
  if (notText) str({ question: notText.question }, 'question', qFile, where(notText.i));
  // What a join by id reads, set before the annotations are in: the prompt (above) and the image. The
  // questions of one image are consecutive in the official file: they share one image object.
  let lastImage: { id: unknown; ref: Sample['image'] } = { id: undefined, ref: undefined };
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    const imageId = s.meta.image_id;
    if (lastImage.ref === undefined || imageId !== lastImage.id) {
      const image = valImageName(imageId);
      // An integer image id makes a plain file name, inside the image folder by construction; anything
      // else goes through the data-root check (a path resolved per question costs ~1 s on VQAv2 val).
      const file = Number.isSafeInteger(imageId) ? `${imageDir}${path.sep}${image}` : resolveInside(dataRoot, imageDir, image, qFile, where(i));
      lastImage = { id: imageId, ref: { kind: 'file', path: file } };
    }
    s.image = lastImage.ref;
  }
  onJoinable?.(samples);

  const columns = await scanned;
  const annotations = columns ? columnAnnotations(columns, ids) : await parsedAnnotations(aFile);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    const ann = annotations.of(i, ids[i]);
    if (ann === undefined) throw new InputError(aFile, where(i), 'question has no annotation');
    if (ann === null) throw new InputError(aFile, where(i), 'annotation has no answers');
    s.answer = ann.answers;
    s.meta.question_type = typeof ann.question_type === 'string' ? ann.question_type : questionTypeOf(s.prompt.slice(0, -SUFFIX.length));
    s.meta.answer_type = typeof ann.answer_type === 'string' ? ann.answer_type : null;
  }
  return samples;
}

/** The split to load, its files checked. */
async function checkedSplit(dataRoot: string, options: LoadOptions): Promise<string> {
  const split = await pickSplit(dataRoot, options.split);
  const missing = [];
  for (const f of splitFiles(dataRoot, split)) if (!(await isFile(f))) missing.push(f);
  if (missing.length) throw new UserError(`vqav2 ${split}: missing ${missing.join(', ')}`);
  return split;
}

async function* loadTestDev(dataRoot: string, limit: number): AsyncGenerator<Sample> {
  const [file] = splitFiles(dataRoot, 'test-dev');
  const imageDir = path.join(dataRoot, DIR, 'test2015');
  const sample = (id: unknown, image: string, prompt: string, where: number | string): Sample => ({
    id: String(id),
    benchmark: 'vqav2',
    split: 'test-dev',
    image: { kind: 'file', path: resolveInside(dataRoot, imageDir, image, file, where) },
    prompt,
    maxNewTokens: 128,
    // Where the full test2015 list lives: the EvalAI upload must cover every test2015 question.
    meta: { questionFile: file },
  });
  let n = 0;
  if (file.endsWith('.json')) {
    // The official file: {"questions": [{image_id, question, question_id}]}; images as COCO names them.
    const qs = await readJson(file);
    if (!Array.isArray(qs?.questions)) throw new InputError(file, undefined, 'expected {"questions": [...]}');
    for (const q of qs.questions) {
      if (n >= limit) return;
      n++;
      const where = `question_id ${q?.question_id}`;
      if (q?.question_id === undefined || !Number.isInteger(q.image_id)) throw new InputError(file, where, 'expected {"image_id", "question", "question_id"}');
      yield sample(q.question_id, `COCO_test2015_${String(q.image_id).padStart(12, '0')}.jpg`, buildPrompt(str(q, 'question', file, where)), where);
    }
    return;
  }
  for await (const { value, line } of readJsonlObjects(file)) {
    if (n >= limit) return;
    if (value.question_id === undefined) throw new InputError(file, line, 'missing "question_id"');
    n++;
    yield sample(value.question_id, value.image, str(value, 'text', file, line), line);
  }
}

/**
 * One answer string's forms in vqaEval.py: after step 1 (line breaks, strip), and after steps 3-4 as well
 * (computed the first time a question needs them): one map lookup per answer, the work once per distinct string.
 */
interface Forms {
  stripped: string;
  official: string | undefined;
}
function formsCache(first: (s: string) => string): (s: string) => Forms {
  const cache = new Map<string, Forms>();
  return (s) => {
    let f = cache.get(s);
    if (f === undefined) {
      f = { stripped: first(s), official: undefined };
      if (cache.size < 1_000_000) cache.set(s, f);
    }
    return f;
  };
}
const gtForms = formsCache(stripLineBreaks);
// The prediction: the EvalAI processor first (what LLaVA/EVE upload), then step 1.
const predForms = formsCache((text) => stripLineBreaks(cachedEvalAI(text)));
const officialOf = (f: Forms) => (f.official ??= officialNormalize(f.stripped));
// Scratch for one question's answers (scoring is synchronous).
const gtScratch: Forms[] = [];
const normScratch: string[] = [];

/** Score val answers: EvalAI processor on the prediction (what LLaVA/EVE upload), then vqaEval.py @HEAD. */
export function scoreVal(samples: Sample[], answers: Map<string, Answer>): Score {
  if (samples.length === 0) checkJoin('vqav2 val', samples, answers); // refused: nothing to score
  for (let i = 0; i < samples.length; i++) {
    if (!Array.isArray(samples[i].answer)) throw new ScoreRefusal(`vqav2: sample ${samples[i].id} has no ground-truth answers`);
  }
  const { credits, counts } = creditEach(samples, answers, (s, text) => {
    const raw = s.answer as string[];
    const n = raw.length;
    const res = predForms(text);
    // Ten equal answers are equal after step 1 too: one lookup, not ten (~40% of VQAv2's questions).
    let same = n > 0;
    for (let i = 1; same && i < n; i++) same = raw[i] === raw[0];
    if (same) {
      const stripped = gtForms(raw[0]).stripped;
      for (let i = 0; i < n; i++) normScratch[i] = stripped;
      return leaveOneOut(normScratch, res.stripped, n);
    }
    // Step 1 always; steps 3-4 (on both sides) only when the stripped GT answers disagree.
    let unanimous = true;
    for (let i = 0; i < n; i++) {
      gtScratch[i] = gtForms(raw[i]);
      if (gtScratch[i].stripped !== gtScratch[0].stripped) unanimous = false;
    }
    if (unanimous) {
      for (let i = 0; i < n; i++) normScratch[i] = gtScratch[i].stripped;
      return leaveOneOut(normScratch, res.stripped, n);
    }
    for (let i = 0; i < n; i++) normScratch[i] = officialOf(gtScratch[i]);
    return leaveOneOut(normScratch, officialOf(res), n);
  });
  checkJoin('vqav2 val', samples, answers, { answered: counts.predicted }); // after the scoring pass, which counted
  const overall = percent(credits) ?? 0;
  const answerType = dataRecord<number | null>();
  for (const [k, v] of groupPercent(samples, credits, (s) => (s.meta.answer_type as string) ?? null)) answerType[k] = v;
  const questionType = dataRecord<number | null>();
  for (const [k, v] of groupPercent(samples, credits, (s) => (s.meta.question_type as string) ?? null)) questionType[k] = v;
  const metrics: Record<string, number | null> = { overall };
  let perSample: Record<string, number> | undefined;
  for (const [k, v] of Object.entries(answerType)) metrics[`answerType.${k}`] = v;
  return {
    headline: overall,
    headlineName: 'VQA accuracy (val, vqaEval.py)',
    metrics,
    breakdowns: { answerType, questionType },
    counts,
    // Built when first read (results files, reports): `score` printing the figures never needs its 214k keys.
    get perSample() {
      return (perSample ??= perSampleOf(samples, credits));
    },
  };
}

/** The test2015 question ids in file order, from LLaVA's jsonl or the official questions JSON. */
async function readTest2015Ids(testDevFile: string): Promise<number[]> {
  const dir = path.dirname(testDevFile);
  const file = firstExisting([path.join(dir, FILES.test2015), path.join(dir, FILES.test2015Official)]);
  if (!file) {
    throw new UserError(
      `vqav2 test-dev submission needs the full test2015 question list (${FILES.test2015} or ${FILES.test2015Official}) in ${dir}: EvalAI rejects uploads that miss test2015 questions`,
    );
  }
  const ids: number[] = [];
  if (file.endsWith('.jsonl')) {
    for await (const { value, line } of readJsonlObjects(file)) {
      if (typeof value.question_id !== 'number') throw new InputError(file, line, '"question_id" must be a number');
      ids.push(value.question_id);
    }
  } else {
    const qs = await readJson(file);
    if (!Array.isArray(qs?.questions)) throw new InputError(file, undefined, 'expected {"questions": [...]}');
    for (const q of qs.questions) ids.push(q.question_id);
  }
  return ids;
}

/** LLaVA's convert_vqav2_for_submission.py: every test2015 question, EvalAI-processed answer or ''. */
export async function buildSubmission(samples: Sample[], answers: Map<string, Answer>): Promise<{ question_id: number; answer: string }[]> {
  if (samples.length === 0) throw new UserError('vqav2: no samples for the submission');
  const questionFile = samples[0].meta.questionFile;
  let ids: number[];
  if (samples[0].split === 'test-dev' && typeof questionFile === 'string') ids = await readTest2015Ids(questionFile);
  else ids = samples.map((s) => Number(s.id)); // val: one entry per val question (vqaEval.py loadRes format)
  checkJoin(`vqav2 ${samples[0].split}`, samples, answers);
  return ids.map((id) => {
    const a = answers.get(String(id));
    return { question_id: id, answer: a && !a.error ? cachedEvalAI(a.text) : '' };
  });
}

const adapter: BenchmarkAdapter = {
  id: 'vqav2',
  headlineStatistic: softMeanStatistic('vqav2/soft-accuracy', 'VQA soft accuracy, questions resampled'),
  folder: 'vqav2',
  title: 'VQAv2',
  defaultSplit: 'val',
  splits: ['val', 'test-dev'],
  references: { split: 'test-dev', 'EVE-7B': 75.4, 'EVE-7B-HD': 78.6, 'Fuyu-8B': 74.2, 'LLaVA-1.5-7B': 78.5 },

  async present(dataRoot, split) {
    if (split) return hasSplit(dataRoot, split);
    return (await hasSplit(dataRoot, 'val')) || (await hasSplit(dataRoot, 'test-dev'));
  },

  async *load(dataRoot: string, options: LoadOptions = {}): AsyncGenerator<Sample> {
    const split = await checkedSplit(dataRoot, options);
    const limit = options.limit ?? Infinity;
    if (split === 'val') yield* await loadVal(dataRoot, limit, options.onJoinable);
    else yield* loadTestDev(dataRoot, limit);
  },

  async loadAll(dataRoot: string, options: LoadOptions = {}): Promise<Sample[]> {
    const split = await checkedSplit(dataRoot, options);
    const limit = options.limit ?? Infinity;
    if (split === 'val') return loadVal(dataRoot, limit, options.onJoinable);
    const samples: Sample[] = [];
    for await (const s of loadTestDev(dataRoot, limit)) samples.push(s);
    return samples;
  },

  score(samples, answers) {
    const split = samples[0]?.split;
    if (split === 'test-dev') {
      throw new ScoreRefusal('vqav2 test-dev has no public ground truth: write the EvalAI upload with `eve-eval submission --benchmark vqav2`');
    }
    return scoreVal(samples, answers);
  },

  async writeSubmission(samples, answers, outFile) {
    await writeFile(outFile, pyJsonDumps(await buildSubmission(samples, answers)));
  },

  writeSynthetic: writeVqav2Synthetic,

  async writeFixture(root) {
    const d = path.join(root, DIR);
    // Hand-made questions exercising the scorer: unanimous GT, "3." answers, number words, split votes.
    const items: Array<[string, string, string, string[]]> = [
      ['What color is the bus?', 'what color is the', 'other', ['red', 'red', 'red', 'dark red', 'red', 'red', 'red', 'maroon', 'red', 'red']],
      ['Is this a kitchen?', 'is this a', 'yes/no', Array(10).fill('yes')],
      ['How many dogs are there?', 'how many', 'number', ['2', '2', 'two', '2', '3', '2', '2', '2', '2', '2']],
      [
        'What is the man holding?',
        'what is the man',
        'other',
        ['umbrella', 'an umbrella', 'umbrella', 'umbrella', 'parasol', 'umbrella', 'umbrella', 'umbrella', 'umbrella', 'umbrella'],
      ],
      [
        'Where is the cat?',
        'where is the',
        'other',
        ['on couch', 'couch', 'on the couch', 'sofa', 'on couch', 'couch', 'on couch', 'couch', 'on sofa', 'couch'],
      ],
      ['Are the lights on?', 'are the', 'yes/no', ['no', 'no', 'no', 'yes', 'no', 'no', 'no', 'no', 'no', 'no']],
      ['What time of day is it?', 'what time', 'other', ['daytime', 'day', 'afternoon', 'noon', 'day', 'daytime', 'morning', 'day', 'daytime', 'day']],
      ['How many people are in the photo?', 'how many people are in', 'number', Array(10).fill('3')],
    ];
    const questions = items.map(([question], i) => ({ image_id: 100 + i, question, question_id: (100 + i) * 1000 + 1 }));
    const annotations = items.map(([, questionType, answerType, answers], i) =>
      valAnnotation({ questionId: (100 + i) * 1000 + 1, imageId: 100 + i, questionType, answerType, multipleChoiceAnswer: answers[0], answers }),
    );
    await writeValFiles(d, questions, annotations);
    for (let i = 0; i < items.length; i++) {
      await writeFixtureImage(path.join(d, 'val2014', valImageName(100 + i)), i);
    }
    // test-dev (a subset of test2015, as on the server) for the submission path.
    const test = ['What is on the table?', 'Is it raining?', 'How many birds are there?', 'What color is the sky?'].map((q, i) => ({
      question_id: 900000 + i,
      image: `COCO_test2015_${String(900 + i).padStart(12, '0')}.jpg`,
      text: buildPrompt(q),
      category: 'default',
    }));
    await writeText(path.join(d, FILES.testDev), jsonl(test.slice(0, 3)));
    await writeText(path.join(d, FILES.test2015), jsonl(test));
    for (let i = 0; i < test.length; i++) await writeFixtureImage(path.join(d, 'test2015', test[i].image), i + 2);
  },
};

export default adapter;
