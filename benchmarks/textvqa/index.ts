// TextVQA val (docs/scoring.md §4, docs/protocol.md §1.2), scored as LLaVA/EVE's eval_textvqa.py scores it:
// questions from llava_textvqa_val_v051_ocr.jsonl (prompt with Rosetta OCR tokens), ground truth from the
// official TextVQA_0.5.1_val.json joined on (image_id, question.lower()) where the question is recovered
// from the prompt by prompt_processor, and MMF's TextVQAAccuracyEvaluator (EvalAI processor on both sides).
//
// Sample ids: LLaVA's question_id is the image id, shared by several questions (5,000 questions, 3,166
// ids), so a sample id is LLaVA's own join key: `${image_id}|${question.lower()}` (unique in the file).
import path from 'node:path';
import type { Answer, BenchmarkAdapter, LoadOptions, Sample, Score } from '../../core/benchmark.ts';
import { InputError, ScoreRefusal, UserError } from '../../core/errors.ts';
import { firstExisting, isFile, readJson, readJsonlObjects, resolveInside, str } from '../shared/data-files.ts';
import { cachedEvalAI, textvqaAccuracy } from '../shared/vqa-accuracy.ts';
import { meanPercent } from '../shared/metrics.ts';
import { pyLower } from '../shared/python.ts';
import { checkJoin, emptyCounts, usableText, dataRecord } from '../shared/join.ts';
import { RepeatCounter, repeatWarning, warnStderr } from '../shared/repeats.ts';
import { writeFixtureImage } from '../shared/fixture-files.ts';
import { softMeanStatistic } from '../shared/headline-stat.ts';
import { loadTextvqaTsv } from './tsv.ts';
import { ANNOTATIONS, DIR, LLAVA_FILE, SUFFIX, annotationRecord, llavaRow, recoverQuestion, sampleId, writeTextvqaFiles } from './format.ts';
import { writeTextvqaSynthetic } from './synthetic.ts';

export { SUFFIX, buildPrompt, recoverQuestion, sampleId } from './format.ts';

/** VLMEvalKit's TextVQA_VAL.tsv, read (for scoring only) when LLaVA's question file is absent. */
const VLMEVALKIT_TSV = 'TextVQA_VAL.tsv';

function files(dataRoot: string) {
  const d = path.join(dataRoot, DIR);
  return {
    llava: path.join(d, LLAVA_FILE),
    tsv: path.join(d, VLMEVALKIT_TSV),
    annotations: firstExisting([path.join(d, ANNOTATIONS)]),
    // TextVQA val images ship in the train_images folder (LLaVA's layout); EVE's textvqa.sh names it images/.
    imageDir: firstExisting([path.join(d, 'train_images'), path.join(d, 'images')]) ?? path.join(d, 'train_images'),
  };
}

function checkSplit(split?: string): void {
  if (split && split !== 'val') throw new UserError(`textvqa: unknown split "${split}"; known: val (test is server-scored and has no LLaVA question file)`);
}

/** GT answers keyed as eval_textvqa.py keys them; later duplicates win, as in the Python dict. */
async function readAnnotations(file: string): Promise<Map<string, string[]>> {
  const doc = await readJson(file);
  if (!Array.isArray(doc?.data)) throw new InputError(file, undefined, 'expected {"data": [...]}');
  const map = new Map<string, string[]>();
  doc.data.forEach((a: any, i: number) => {
    const where = `data[${i}]`;
    if (!Array.isArray(a?.answers)) throw new InputError(file, where, 'missing "answers"');
    map.set(sampleId(str(a, 'image_id', file, where), pyLower(str(a, 'question', file, where))), a.answers.map(String));
  });
  return map;
}

export function scoreTextvqa(samples: Sample[], answers: Map<string, Answer>): Score {
  checkJoin('textvqa val', samples, answers);
  // GT processed once per question (the evaluator re-processes per prediction; the result is the same).
  const gts = new Map<string, string[]>();
  for (const s of samples) {
    if (!Array.isArray(s.answer)) throw new ScoreRefusal(`textvqa: no ground truth for ${s.id} (needs ${ANNOTATIONS})`);
    if (s.answer.length !== 10) throw new ScoreRefusal(`textvqa: ${s.id} has ${s.answer.length} answers; the evaluator asserts exactly 10`);
    gts.set(
      s.id,
      (s.answer as string[]).map((a) => cachedEvalAI(a)),
    );
  }
  // eval_textvqa.py scores every answer line: a question answered twice counts twice (Answer.earlier holds
  // the earlier lines). A missing question is not in its denominator at all, and so it is not in the headline
  // here either (the official rule, on the same files); `accuracy.strict` counts it wrong and is reported beside
  // it whenever they differ. An errored answer is a line with no usable text: in the denominator, wrong.
  const counts = emptyCounts(samples.length);
  const perSample = dataRecord<number>();
  const lineCredits: number[] = [];
  let repeated = 0;
  let missingLines = 0;
  for (const s of samples) {
    const a = answers.get(s.id);
    const text = usableText(a, counts);
    if (text === null) {
      if (a === undefined) {
        missingLines++;
        continue; // not scored: the official denominator has no line for it
      }
      lineCredits.push(0);
      perSample[s.id] = 0;
      continue;
    }
    const lines = a!.earlier ? [...a!.earlier, text] : [text];
    repeated += lines.length - 1;
    let sum = 0;
    for (const t of lines) {
      const c = textvqaAccuracy(gts.get(s.id)!, cachedEvalAI(t));
      lineCredits.push(c);
      sum += c;
    }
    perSample[s.id] = sum / lines.length;
  }
  if (repeated > 0) counts.repeatedLines = repeated;
  // '{:.2f}'.format(100. * accuracy). Nothing answered: the official script has no number; the strict 0 stands.
  const strict = meanPercent([...lineCredits, ...new Array<number>(missingLines).fill(0)])!;
  const official = lineCredits.length ? meanPercent(lineCredits)! : null;
  const accuracy = official ?? strict;
  const metrics: Score['metrics'] = { accuracy };
  if (missingLines > 0) {
    metrics['accuracy.strict'] = strict;
    metrics.missing = missingLines;
  }
  return { headline: accuracy, headlineName: 'accuracy (val, with OCR tokens)', metrics, breakdowns: {}, counts, perSample };
}

/**
 * Read LLaVA/EVE answer JSONL ({question_id: image id, prompt, text}) keyed by eve-eval's sample ids. A
 * question answered on several lines keeps them all (`earlier`, then `text` = the last), because
 * eval_textvqa.py scores every line; the repeats are counted in a warning.
 */
export async function readLlavaAnswers(file: string, warn: (line: string) => void = warnStderr): Promise<Map<string, Answer> | null> {
  const map = new Map<string, Answer>();
  const repeats = new RepeatCounter();
  for await (const { value, line } of readJsonlObjects(file)) {
    // Not LLaVA answers (e.g. eve-eval records): let the caller's generic readers handle the file.
    if (typeof value.prompt !== 'string' || value.question_id === undefined) return null;
    const q = recoverQuestion(value.prompt);
    if (q === null) throw new InputError(file, line, 'prompt layout not recognised by eval_textvqa.py prompt_processor');
    const id = sampleId(String(value.question_id), q);
    const text = typeof value.text === 'string' ? value.text : '';
    repeats.note(id);
    const before = map.get(id);
    map.set(id, before ? { id, text, earlier: [...(before.earlier ?? []), before.text] } : { id, text });
  }
  const w = repeatWarning('textvqa', file, repeats.summary(), 'every');
  if (w) warn(w);
  return map;
}

const adapter: BenchmarkAdapter = {
  id: 'textvqa',
  headlineStatistic: softMeanStatistic('textvqa/soft-accuracy', 'VQA soft accuracy, questions resampled'),
  folder: 'textvqa',
  title: 'TextVQA (val, OCR tokens)',
  defaultSplit: 'val',
  splits: ['val'],
  references: { split: 'val', 'EVE-7B': 51.9, 'EVE-7B-HD': 56.8, 'LLaVA-1.5-7B': 58.2 },
  repeatedAnswers: 'every', // eval_textvqa.py scores every answer line

  async present(dataRoot, split) {
    checkSplit(split);
    const f = files(dataRoot);
    return (await isFile(f.llava)) || isFile(f.tsv);
  },

  async *load(dataRoot: string, options: LoadOptions = {}): AsyncGenerator<Sample> {
    checkSplit(options.split);
    const f = files(dataRoot);
    if (!(await isFile(f.llava)) && (await isFile(f.tsv))) {
      yield* loadTextvqaTsv(f.tsv, SUFFIX, options);
      return;
    }
    if (!(await isFile(f.llava))) throw new UserError(`textvqa: missing ${f.llava}`);
    const gt = f.annotations ? await readAnnotations(f.annotations) : null;
    const limit = options.limit ?? Infinity;
    const seen = new Set<string>();
    let n = 0;
    for await (const { value, line } of readJsonlObjects(f.llava)) {
      if (n++ >= limit) return;
      const prompt = str(value, 'text', f.llava, line);
      const q = recoverQuestion(prompt);
      if (q === null) throw new InputError(f.llava, line, 'prompt layout not recognised by eval_textvqa.py prompt_processor');
      const imageId = String(value.question_id);
      const id = sampleId(imageId, q);
      if (seen.has(id)) throw new InputError(f.llava, line, `duplicate question "${id}"`);
      seen.add(id);
      const answer = gt?.get(id);
      if (gt && !answer) throw new InputError(f.llava, line, `question "${id}" is not in ${ANNOTATIONS}`);
      yield {
        id,
        benchmark: 'textvqa',
        split: 'val',
        image: { kind: 'file', path: resolveInside(dataRoot, f.imageDir, value.image, f.llava, line) },
        prompt,
        answer,
        maxNewTokens: 128,
        meta: { image_id: imageId, llavaId: imageId }, // llavaId: the key LLaVA answer lines carry
      };
    }
  },

  score: scoreTextvqa,

  async readOfficialPredictions(file) {
    // A .tsv / .xlsx is an answer sheet (a VLMEvalKit result sheet): the harness's sheet reader takes it.
    if (/\.(tsv|xlsx)$/i.test(file)) return null;
    return (await isFile(file)) ? readLlavaAnswers(file) : null;
  },

  writeSynthetic: writeTextvqaSynthetic,

  async writeFixture(root) {
    const d = path.join(root, DIR);
    const items: Array<[string, string, string[], string[]]> = [
      [
        'a1b2c3d4e5f60001',
        'What is the brand of this camera?',
        ['DAKOTA', 'DIGITAL', 'Single-Use', 'Camera'],
        ['dakota', 'dakota digital', 'dakota', 'dakota', 'Dakota', 'dakota', 'dakota digital', 'dakota', 'dakota', 'dakota'],
      ],
      [
        'a1b2c3d4e5f60002',
        "What is the store's name?",
        ["McDonald's", 'OPEN'],
        ["mcdonald's", "McDonald's", 'mcdonalds', "mcdonald's", "mcdonald's", 'mc donalds', "mcdonald's", "mcdonald's", "mcdonald's", "mcdonald's"],
      ],
      ['a1b2c3d4e5f60002', 'Is the store open?', ["McDonald's", 'OPEN'], ['yes', 'yes', 'yes', 'yes', 'open', 'yes', 'yes', 'yes', 'yes', 'yes']],
      ['a1b2c3d4e5f60003', 'What number is on the jersey?', ['23', 'BULLS'], ['23', '23', '23', '23', '23', '23', '23', '23', '23', '23']],
      [
        'a1b2c3d4e5f60004',
        'How much does it cost?',
        ['$1,000', 'SALE'],
        ['$1,000', '1000', '$1000', '1,000', '$1,000', '$1,000', '1000', '$1,000', '$1,000', 'unanswerable'],
      ],
      ['a1b2c3d4e5f60005', 'What does the sign say?', ['STOP'], ['stop', 'stop', 'stop', 'STOP', 'stop', 'stop', 'stop sign', 'stop', 'stop', 'stop']],
      ['a1b2c3d4e5f60006', 'What year is on the coin?', ['1999', 'LIBERTY'], ['1999', '1999', '1999', '1999', '1999.', '1999', '1999', '1999', '1999', '1999']],
    ];
    const data = items.map(([imageId, question, , answers], i) =>
      annotationRecord({ imageId, question, answers, questionId: 34602 + i, imageClasses: ['Poster'], width: 0, height: 0 }),
    );
    await writeTextvqaFiles(
      d,
      data,
      items.map(([imageId, question, ocr]) => llavaRow(imageId, question, ocr)),
    );
    const images = [...new Set(items.map((x) => x[0]))];
    for (let i = 0; i < images.length; i++) await writeFixtureImage(path.join(d, 'train_images', `${images[i]}.jpg`), i);
  },
};

export default adapter;
