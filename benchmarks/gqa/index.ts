// GQA testdev-balanced (docs/scoring.md §2, docs/protocol.md §1.2). Prompts from LLaVA/EVE's
// llava_gqa_testdev_balanced.jsonl (or built from the official questions JSON when only that is there);
// answers converted as LLaVA's convert_gqa_for_eval.py does (rstrip '.', lower) and then scored as the
// official eval.py scores: exact string equality over balanced questions, binary/open, distribution, and
// per structural/semantic type, reasoning steps and question words.
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { Answer, BenchmarkAdapter, LoadOptions, Sample, Score } from '../../core/benchmark.ts';
import { InputError, NotSupportedError, ScoreRefusal, UserError } from '../../core/errors.ts';
import { firstExisting, ownValue, readJson, readJsonlObjects, resolveInside, str } from '../shared/data-files.ts';
import { pyJsonDumps, pyLower, pySplit } from '../shared/python.ts';
import { officialRound } from '../shared/rounding.ts';
import { checkJoin, scoreEach, dataRecord } from '../shared/join.ts';
import { groupBy, meanPercent } from '../shared/metrics.ts';
import { writeFixtureImage } from '../shared/fixture-files.ts';
import { DIR, LLAVA_FILE, QUESTIONS_FILE, buildPrompt, llavaRow, questionRecord, writeGqaFiles } from './format.ts';
import { writeGqaSynthetic } from './synthetic.ts';
import { loadGqaTsv } from './tsv.ts';

export { SUFFIX, buildPrompt } from './format.ts';

const SPLIT = 'testdev_balanced';
/** VLMEvalKit's GQA_TestDev_Balanced.tsv (base64 images inline), read when neither file above is there. */
const VLMEVALKIT_TSV = 'GQA_TestDev_Balanced.tsv';

/** LLaVA's conversion, the only normalization between model output and eval.py's exact match. */
export function convertAnswer(text: string): string {
  return pyLower(text.replace(/\.+$/, ''));
}

/** eval.py getStepsNum: semantic steps, not counting "exist", "query: name", "choose name" ones. */
export function stepsNum(semantic: Array<{ operation: string; argument: string }>): number {
  let n = 0;
  for (const c of semantic) {
    const s = `${c.operation}: ${c.argument}`;
    if (!['exist', 'query: name', 'choose name'].some((o) => s.includes(o))) n++;
  }
  return n;
}

function files(dataRoot: string) {
  const d = path.join(dataRoot, DIR);
  return {
    llava: firstExisting([path.join(d, LLAVA_FILE)]),
    questions: firstExisting([path.join(d, QUESTIONS_FILE), path.join(d, 'data', QUESTIONS_FILE)]),
    tsv: firstExisting([path.join(d, VLMEVALKIT_TSV)]),
    imageDir: firstExisting([path.join(d, 'images'), path.join(d, 'data', 'images')]) ?? path.join(d, 'images'),
  };
}

function checkSplit(split?: string): void {
  if (split && split !== SPLIT) throw new UserError(`gqa: unknown split "${split}"; known: ${SPLIT}`);
}

/** Ground truth and breakdown keys from one official question record. */
function gtMeta(q: any): Sample['meta'] {
  return {
    imageId: q.imageId ?? null,
    isBalanced: q.isBalanced !== false,
    structural: q.types?.structural ?? null,
    semantic: q.types?.semantic ?? null,
    steps: Array.isArray(q.semantic) ? stepsNum(q.semantic) : null,
    words: typeof q.question === 'string' ? pySplit(q.question).length : null,
    group: q.groups?.global ?? null,
  };
}

/** eval.py chiSquare: per global group, sum (o-e)²/e over gold answers, weighted by group size. */
function chiSquare(gold: Map<string, Map<string, number>>, predicted: Map<string, Map<string, number>>): number | null {
  let sumScore = 0;
  let sumOverall = 0;
  for (const [group, answers] of gold) {
    let score = 0;
    let overall = 0;
    for (const [ans, e] of answers) {
      const o = predicted.get(group)?.get(ans) ?? 0;
      score += (o - e) ** 2 / e;
      overall += e;
    }
    sumScore += score * overall;
    sumOverall += overall;
  }
  return sumOverall === 0 ? null : sumScore / sumOverall;
}

function bump(m: Map<string, Map<string, number>>, group: string, ans: string): void {
  let g = m.get(group);
  if (!g) m.set(group, (g = new Map()));
  g.set(ans, (g.get(ans) ?? 0) + 1);
}

export function scoreGqa(all: Sample[], answers: Map<string, Answer>): Score {
  checkJoin(`gqa ${SPLIT}`, all, answers);
  for (const s of all) if (typeof s.answer !== 'string') throw new ScoreRefusal(`gqa: no ground truth for question ${s.id} (needs ${QUESTIONS_FILE})`);
  // eval.py scores only balanced questions.
  const samples = all.filter((s) => s.meta.isBalanced !== false);
  const gold = new Map<string, Map<string, number>>();
  const predicted = new Map<string, Map<string, number>>();
  const { perSample, credits, counts } = scoreEach(samples, answers, (s, text) => (convertAnswer(text) === s.answer ? 1 : 0));
  for (const s of samples) {
    const group = s.meta.group;
    if (typeof group !== 'string') continue;
    const a = answers.get(s.id);
    bump(gold, group, s.answer as string);
    // A missing prediction is a KeyError in eval.py; here it is wrong and counted, with the '' answer.
    bump(predicted, group, a && !a.error ? convertAnswer(a.text) : '');
  }
  const accuracy = meanPercent(credits) ?? 0; // eval.py's avg(l) * 100, at the 2 decimals it prints
  const table = (key: string) => {
    const out = dataRecord<number | null>();
    const groups = groupBy(samples, credits, (s) => (s.meta[key] === null || s.meta[key] === undefined ? null : String(s.meta[key])));
    for (const k of [...groups.keys()].sort()) out[k] = meanPercent(groups.get(k)!);
    return out;
  };
  const isOpen = (s: Sample) => s.meta.structural === 'query';
  // Binary / open need every question's structural type (VLMEvalKit's TSV has none): absent, not all "binary".
  const typed = samples.every((s) => typeof s.meta.structural === 'string');
  const chi = chiSquare(gold, predicted);
  return {
    headline: accuracy,
    headlineName: 'accuracy (testdev-balanced, eval.py)',
    metrics: {
      accuracy,
      binary: typed ? meanPercent(credits.filter((_, i) => !isOpen(samples[i]))) : null,
      open: typed ? meanPercent(credits.filter((_, i) => isOpen(samples[i]))) : null,
      distribution: chi === null ? null : officialRound(chi / 100, 2),
    },
    breakdowns: { structural: table('structural'), semantic: table('semantic'), steps: table('steps'), words: table('words') },
    counts,
    perSample,
  };
}

const adapter: BenchmarkAdapter = {
  id: 'gqa',
  folder: 'gqa',
  title: 'GQA (testdev-balanced)',
  defaultSplit: SPLIT,
  splits: [SPLIT],
  references: { split: 'testdev_balanced', 'EVE-7B': 60.8, 'EVE-7B-HD': 62.6, 'LLaVA-1.5-7B': 62.0 },

  async present(dataRoot, split) {
    checkSplit(split);
    const f = files(dataRoot);
    return Boolean(f.llava || f.questions || f.tsv);
  },

  async *load(dataRoot: string, options: LoadOptions = {}): AsyncGenerator<Sample> {
    checkSplit(options.split);
    const limit = options.limit ?? Infinity;
    const f = files(dataRoot);
    if (!f.llava && !f.questions && f.tsv) {
      yield* loadGqaTsv(f.tsv, SPLIT, buildPrompt, options);
      return;
    }
    if (!f.llava && !f.questions) throw new UserError(`gqa: missing ${path.join(dataRoot, DIR, LLAVA_FILE)} (or ${QUESTIONS_FILE})`);
    const gt: Record<string, any> | null = f.questions ? await readJson(f.questions) : null;
    if (gt !== null && (typeof gt !== 'object' || Array.isArray(gt))) throw new InputError(f.questions!, undefined, 'expected {questionId: {...}}');
    let n = 0;
    if (f.llava) {
      for await (const { value, line } of readJsonlObjects(f.llava)) {
        if (n++ >= limit) return;
        const id = String(value.question_id);
        const q = ownValue(gt, id);
        if (gt && !q) throw new InputError(f.llava, line, `question ${id} is not in ${QUESTIONS_FILE}`);
        yield {
          id,
          benchmark: 'gqa',
          split: SPLIT,
          image: { kind: 'file', path: resolveInside(dataRoot, f.imageDir, value.image, f.llava, line) },
          prompt: str(value, 'text', f.llava, line),
          answer: q ? String(q.answer) : undefined,
          maxNewTokens: 128,
          meta: q ? gtMeta(q) : { isBalanced: true },
        };
      }
      return;
    }
    for (const [id, q] of Object.entries(gt!)) {
      if (q?.isBalanced === false) continue;
      if (n++ >= limit) return;
      yield {
        id,
        benchmark: 'gqa',
        split: SPLIT,
        image: { kind: 'file', path: resolveInside(dataRoot, f.imageDir, `${q.imageId}.jpg`, f.questions!, `question ${id}`) },
        prompt: buildPrompt(str(q, 'question', f.questions!, `question ${id}`)),
        answer: String(q.answer),
        maxNewTokens: 128,
        meta: gtMeta(q),
      };
    }
  },

  score: scoreGqa,

  /** testdev_balanced_predictions.json for the official eval.py (every question; missing = ''). */
  async writeSubmission(samples, answers, outFile) {
    if (samples.some((s) => s.meta.vlmevalkitIndex !== undefined)) {
      throw new NotSupportedError(`gqa: the eval.py predictions file from VLMEvalKit's ${VLMEVALKIT_TSV} (it has no GQA question ids)`);
    }
    checkJoin(`gqa ${SPLIT}`, samples, answers);
    const rows = samples.map((s) => {
      const a = answers.get(s.id);
      return { questionId: s.id, prediction: a && !a.error ? convertAnswer(a.text) : '' };
    });
    await writeFile(outFile, pyJsonDumps(rows));
  },

  writeSynthetic: writeGqaSynthetic,

  async writeFixture(root) {
    const d = path.join(root, DIR);
    const items: Array<[string, string, string, string, string, string[]]> = [
      // [qid, question, answer, structural, semantic, semantic operations]
      ['20968388', 'Is it overcast?', 'no', 'verify', 'global', ['select: scene', 'verify weather: overcast']],
      ['20968389', 'Who is wearing the dress?', 'woman', 'query', 'rel', ['select: dress', 'relate: person,wearing,s', 'query: name']],
      ['20968390', 'What color is the car on the left?', 'gray', 'query', 'attr', ['select: car', 'filter hposition: left', 'query: color']],
      ['20968391', 'Is the cup on the left or on the right?', 'left', 'choose', 'attr', ['select: cup', 'choose hposition: left|right']],
      [
        '20968392',
        'Are there both cars and trucks in the picture?',
        'yes',
        'logical',
        'obj',
        ['select: car', 'exist: ?', 'select: truck', 'exist: ?', 'and: '],
      ],
      ['20968393', 'Do the shirt and the pants have the same color?', 'no', 'compare', 'attr', ['select: shirt', 'select: pants', 'same color: ']],
      ['20968394', 'What is the animal on the sofa?', 'cat', 'query', 'cat', ['select: sofa', 'relate: animal,on,s', 'query: name']],
      ['20968395', 'Which kind of furniture is white?', 'table', 'query', 'cat', ['select: furniture', 'filter color: white', 'query: name']],
    ];
    const questions: Record<string, unknown> = {};
    const llava = [];
    for (let i = 0; i < items.length; i++) {
      const [qid, question, answer, structural, semantic, ops] = items[i];
      const imageId = `n${1000 + i}`;
      questions[qid] = questionRecord({
        questionId: qid,
        question,
        answer,
        imageId,
        types: { structural, semantic, detailed: `${semantic}${structural}` },
        ops,
        globalGroup: structural === 'query' ? semantic : null,
      });
      llava.push(llavaRow(qid, `${imageId}.jpg`, question));
      await writeFixtureImage(path.join(d, 'images', `${imageId}.jpg`), i);
    }
    await writeGqaFiles(d, questions, llava);
  },
};

export default adapter;
