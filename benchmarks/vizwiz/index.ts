// VizWiz-VQA (docs/scoring.md §3, docs/protocol.md §1.2). Two splits:
//  - test: LLaVA/EVE's llava_test.jsonl (8,000 questions) + test/ images, server-scored: eve-eval writes the
//    EvalAI upload exactly as LLaVA's convert_vizwiz_for_submission.py does;
//  - val: the official val.json (with 10 answers, answer_type, answerable) + val/ images, scored locally
//    as the vizwiz.org scorer scores the uploaded (EvalAI-processed) answers.
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { Answer, BenchmarkAdapter, LoadOptions, Sample, Score } from '../../core/benchmark.ts';
import { InputError, ScoreRefusal, UserError } from '../../core/errors.ts';
import { firstExisting, readJson, readJsonlObjects, resolveInside, str } from '../shared/data-files.ts';
import { pyJsonDumps } from '../shared/python.ts';
import { officialRound } from '../shared/rounding.ts';
import { cachedEvalAI, vizwizAccuracy } from '../shared/vqa-accuracy.ts';
import { groupPercent, percent } from '../shared/metrics.ts';
import { vizwizNormalize } from '../shared/vqa-normalize.ts';
import { checkJoin, scoreEach, dataRecord } from '../shared/join.ts';
import { jsonl, writeFixtureImage, writeText } from '../shared/fixture-files.ts';
import { softMeanStatistic } from '../shared/headline-stat.ts';
import { SHORT_ANSWER, UNANSWERABLE } from '../shared/instructions.ts';
import { loadVizwizTsv } from './tsv.ts';
import { DIR, valImageName, valRecord, writeValFile } from './format.ts';
import { writeVizwizSynthetic } from './synthetic.ts';

export const SUFFIX = `\n${UNANSWERABLE}\n${SHORT_ANSWER}`;
const LLAVA_TEST = 'llava_test.jsonl';

export function buildPrompt(question: string): string {
  return question + SUFFIX;
}

function files(dataRoot: string) {
  const d = path.join(dataRoot, DIR);
  return {
    // LLaVA's test prompts, else the official Annotations/test.json (LLaVA numbers its questions by position).
    test: firstExisting([path.join(d, LLAVA_TEST), path.join(d, 'test.json'), path.join(d, 'Annotations', 'test.json')]),
    val: firstExisting([path.join(d, 'val.json'), path.join(d, 'Annotations', 'val.json')]),
    // VLMEvalKit's VizWiz.tsv (its VizWiz is the val split), read when val.json is absent.
    tsv: firstExisting([path.join(d, 'VizWiz.tsv')]),
    dir: d,
  };
}

function checkSplit(split?: string): void {
  if (split && split !== 'val' && split !== 'test') throw new UserError(`vizwiz: unknown split "${split}"; known: val, test`);
}

/** sklearn average_precision_score for binary labels and scores (step-wise precision-recall sum). */
export function averagePrecision(labels: number[], scores: number[]): number | null {
  const pos = labels.reduce((a, b) => a + b, 0);
  if (pos === 0) return null; // sklearn warns and the number is meaningless
  const order = scores.map((s, i) => [s, labels[i]] as const).sort((a, b) => b[0] - a[0]);
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let i = 0; i < order.length; i++) {
    if (order[i][1]) tp++;
    else fp++;
    // One point per distinct threshold: after the last item with this score.
    if (i + 1 < order.length && order[i + 1][0] === order[i][0]) continue;
    const recall = tp / pos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

/** sklearn f1_score for binary labels and predictions (0 when undefined, as sklearn's zero_division default gives). */
export function f1(labels: number[], preds: number[]): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    if (preds[i] && labels[i]) tp++;
    else if (preds[i]) fp++;
    else if (labels[i]) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

export function scoreVal(samples: Sample[], answers: Map<string, Answer>): Score {
  checkJoin('vizwiz val', samples, answers);
  for (const s of samples)
    if (!Array.isArray(s.answer))
      throw new ScoreRefusal(`vizwiz: sample ${s.id} has no ground-truth answers (test is server-scored: use \`eve-eval submission\`)`);
  // The uploaded answer is EvalAI-processed; the scorer then normalizes it again and compares to raw GT.
  const { perSample, credits, counts } = scoreEach(samples, answers, (s, text) => vizwizAccuracy(s.answer as string[], cachedEvalAI(text)));
  const overall = percent(credits) ?? 0;
  const answerType = dataRecord<number | null>();
  for (const [k, v] of groupPercent(samples, credits, (s) => (s.meta.answer_type as string) ?? null)) answerType[k] = v;
  const metrics: Record<string, number | null> = { overall };
  for (const [k, v] of Object.entries(answerType)) metrics[`answerType.${k}`] = v;
  // Unanswerability task: positives are unanswerable questions; a prediction is "unanswerable" iff it
  // normalizes to that word. A missing answer counts as answerable (it does not say "unanswerable").
  if (samples.every((s) => typeof s.meta.answerable === 'number')) {
    const labels = samples.map((s) => 1 - (s.meta.answerable as number));
    const preds = samples.map((s) => {
      const a = answers.get(s.id);
      return a && !a.error && vizwizNormalize(cachedEvalAI(a.text)) === 'unanswerable' ? 1 : 0;
    });
    const ap = averagePrecision(labels, preds);
    metrics['unanswerability.average_precision'] = ap === null ? null : officialRound(100 * ap, 2);
    metrics['unanswerability.f1_score'] = officialRound(100 * f1(labels, preds), 2);
  }
  return { headline: overall, headlineName: 'VQA accuracy (val, vizwiz.org scorer)', metrics, breakdowns: { answerType }, counts, perSample };
}

/** LLaVA's convert_vizwiz_for_submission.py: every question, in file order, EvalAI-processed. */
export function buildSubmission(samples: Sample[], answers: Map<string, Answer>): { image: string; answer: string }[] {
  if (samples.length === 0) throw new UserError('vizwiz: no samples for the submission');
  checkJoin(`vizwiz ${samples[0].split}`, samples, answers);
  return samples.map((s) => {
    const a = answers.get(s.id);
    // LLaVA asserts every question has an answer: EvalAI rejects incomplete uploads.
    if (!a) throw new ScoreRefusal(`vizwiz submission: no prediction for question ${s.id} (${s.meta.image}); the server needs all ${samples.length}`);
    return { image: String(s.meta.image), answer: a.error ? '' : cachedEvalAI(a.text) };
  });
}

const adapter: BenchmarkAdapter = {
  id: 'vizwiz',
  headlineStatistic: softMeanStatistic('vizwiz/soft-accuracy', 'VQA soft accuracy, questions resampled'),
  folder: 'vizwiz',
  title: 'VizWiz-VQA',
  defaultSplit: 'val',
  splits: ['val', 'test'],
  references: { split: 'test', 'EVE-7B': 41.8, 'EVE-7B-HD': 51.1, 'LLaVA-1.5-7B': 50.0 },

  async present(dataRoot, split) {
    checkSplit(split);
    const f = files(dataRoot);
    const val = Boolean(f.val || f.tsv);
    return split === 'val' ? val : split === 'test' ? Boolean(f.test) : val || Boolean(f.test);
  },

  async *load(dataRoot: string, options: LoadOptions = {}): AsyncGenerator<Sample> {
    checkSplit(options.split);
    const f = files(dataRoot);
    // No split named: val when its annotations are there (locally scorable), else LLaVA's test file.
    const split = options.split ?? (f.val || f.tsv || !f.test ? 'val' : 'test');
    const limit = options.limit ?? Infinity;
    let n = 0;
    if (split === 'test') {
      if (!f.test) throw new UserError(`vizwiz test: missing ${path.join(f.dir, LLAVA_TEST)}`);
      const imageDir = path.join(f.dir, 'test');
      if (f.test.endsWith('.json')) {
        const rows = await readJson(f.test);
        if (!Array.isArray(rows)) throw new InputError(f.test, undefined, 'expected a JSON list of questions');
        for (let i = 0; i < rows.length && n < limit; i++, n++) {
          const where = `entry ${i}`;
          const image = str(rows[i], 'image', f.test, where);
          yield {
            id: String(i),
            benchmark: 'vizwiz',
            split,
            image: { kind: 'file', path: resolveInside(dataRoot, imageDir, image, f.test, where) },
            prompt: buildPrompt(str(rows[i], 'question', f.test, where)),
            maxNewTokens: 128,
            meta: { image },
          };
        }
        return;
      }
      for await (const { value, line } of readJsonlObjects(f.test)) {
        if (n++ >= limit) return;
        if (value.question_id === undefined) throw new InputError(f.test, line, 'missing "question_id"');
        const image = str(value, 'image', f.test, line);
        yield {
          id: String(value.question_id),
          benchmark: 'vizwiz',
          split,
          image: { kind: 'file', path: resolveInside(dataRoot, imageDir, image, f.test, line) },
          prompt: str(value, 'text', f.test, line),
          maxNewTokens: 128,
          meta: { image },
        };
      }
      return;
    }
    if (!f.val && f.tsv) {
      yield* loadVizwizTsv(f.tsv, buildPrompt, options);
      return;
    }
    if (!f.val) throw new UserError(`vizwiz val: missing ${path.join(f.dir, 'val.json')}`);
    const rows = await readJson(f.val);
    if (!Array.isArray(rows)) throw new InputError(f.val, undefined, 'expected a JSON list of questions');
    const imageDir = path.join(f.dir, 'val');
    for (let i = 0; i < rows.length && n < limit; i++, n++) {
      const r = rows[i];
      const where = `entry ${i}`;
      const image = str(r, 'image', f.val, where);
      if (!Array.isArray(r.answers)) throw new InputError(f.val, `${where}, ${image}`, 'missing "answers"');
      yield {
        id: image, // the official scorer keys questions by image file name (one question per image)
        benchmark: 'vizwiz',
        split,
        image: { kind: 'file', path: resolveInside(dataRoot, imageDir, image, f.val, where) },
        prompt: buildPrompt(str(r, 'question', f.val, where)),
        answer: r.answers.map((a: any) => String(a.answer)),
        maxNewTokens: 128,
        meta: { image, answer_type: r.answer_type ?? null, answerable: typeof r.answerable === 'number' ? r.answerable : null },
      };
    }
  },

  score(samples, answers) {
    if (samples[0]?.split === 'test') {
      throw new ScoreRefusal('vizwiz test has no public ground truth: write the EvalAI upload with `eve-eval submission --benchmark vizwiz`');
    }
    return scoreVal(samples, answers);
  },

  async writeSubmission(samples, answers, outFile) {
    await writeFile(outFile, pyJsonDumps(buildSubmission(samples, answers)));
  },

  writeSynthetic: writeVizwizSynthetic,

  async writeFixture(root) {
    const d = path.join(root, DIR);
    const items: Array<[string, string, number, string[]]> = [
      ['What is this?', 'other', 1, ['soup', 'soup', 'can of soup', 'soup', 'soup can', 'soup', 'tomato soup', 'soup', 'soup', 'soup']],
      ['What color is this shirt?', 'other', 1, ['blue', 'blue', 'Blue', 'navy', 'blue', 'blue', 'dark blue', 'blue', 'blue', 'blue']],
      ['Is the light on?', 'yes/no', 1, Array(10).fill('Yes')],
      ['How many coins are there?', 'number', 1, ['3', '3', 'three', '3', '3', '4', '3', '3', '3', '3']],
      [
        'What does this say?',
        'unanswerable',
        0,
        [
          'unanswerable',
          'unanswerable',
          'unsuitable',
          'unanswerable',
          'unanswerable',
          'unanswerable',
          'unanswerable',
          'unanswerable',
          'unsuitable image',
          'unanswerable',
        ],
      ],
      [
        "What's the expiration date?",
        'other',
        1,
        ['may 2020', 'may 2020', 'unanswerable', '05/2020', 'may 2020', 'may 2020', 'may 2020', 'may 2020', 'may 2020', 'may 2020'],
      ],
    ];
    const val = items.map(([question, answerType, answerable, answers], i) => valRecord({ image: valImageName(i), question, answers, answerType, answerable }));
    await writeValFile(d, val);
    for (let i = 0; i < val.length; i++) await writeFixtureImage(path.join(d, 'val', val[i].image), i);
    const test = ['What is this?', 'What color is this?', 'Can you read this label?'].map((q, i) => ({
      question_id: i,
      image: `VizWiz_test_${String(i).padStart(8, '0')}.jpg`,
      text: buildPrompt(q),
      category: 'default',
    }));
    await writeText(path.join(d, LLAVA_TEST), jsonl(test));
    for (let i = 0; i < test.length; i++) await writeFixtureImage(path.join(d, 'test', test[i].image), i + 3);
  },
};

export default adapter;
