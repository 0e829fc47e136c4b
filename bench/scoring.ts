// `eve-eval score` on a VQAv2-val-sized set (214,354 questions × 10 answers, the official file layout,
// bench/vqav2-files.ts) against the official scorer (GT-Vision-Lab vqaEval.py, ported to Python 3 in
// bench/reference/vqa_eval.py) fed the same answers after the EvalAI processor, as LLaVA/EVE upload them.
// Both are whole commands in fresh processes, timed min / median / max with peak RSS; then the two must
// agree on overall, per-answer-type, per-question-type and every question's accuracy (2 decimals, as
// vqaEval.py rounds them). Python: EVE_EVAL_BENCH_PYTHON or /usr/bin/python3; without it only eve-eval runs.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeVqaFiles } from './vqav2-files.ts';
import { benchRuns, formatSpread, measureCommand, runCommand } from './measure.ts';
import { officialRound } from '../benchmarks/shared/rounding.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'bin', 'eve-eval.js');
const REFERENCE = join(REPO, 'bench', 'reference', 'vqa_eval.py');
const PYTHON = process.env.EVE_EVAL_BENCH_PYTHON || '/usr/bin/python3';

interface Official {
  overall: number;
  perAnswerType: Record<string, number>;
  perQuestionType: Record<string, number>;
  perQuestion: Record<string, number>;
}

/** Every figure the official scorer reports, compared with eve-eval's; the list of differences (empty when equal). */
function compare(
  official: Official,
  ours: { metrics: Record<string, number | null>; breakdowns: Record<string, Record<string, number | null>> },
  perSample: Record<string, number>,
): string[] {
  const diffs: string[] = [];
  const r2 = (x: number | null | undefined) => (x === null || x === undefined ? x : officialRound(x, 2));
  if (r2(ours.metrics.overall) !== official.overall) diffs.push(`overall ${ours.metrics.overall} vs ${official.overall}`);
  for (const [table, theirs] of [
    ['answerType', official.perAnswerType],
    ['questionType', official.perQuestionType],
  ] as const) {
    const mine = ours.breakdowns[table] ?? {};
    if (Object.keys(mine).length !== Object.keys(theirs).length) diffs.push(`${table}: ${Object.keys(mine).length} groups vs ${Object.keys(theirs).length}`);
    for (const [k, v] of Object.entries(theirs)) if (r2(mine[k]) !== v) diffs.push(`${table} ${k}: ${mine[k]} vs ${v}`);
  }
  const ids = Object.keys(official.perQuestion);
  if (ids.length !== Object.keys(perSample).length) diffs.push(`${Object.keys(perSample).length} questions scored vs ${ids.length}`);
  let differing = 0;
  for (const id of ids) {
    if (officialRound(100 * (perSample[id] ?? NaN), 2) !== official.perQuestion[id]) {
      if (differing++ < 3) diffs.push(`question ${id}: ${100 * perSample[id]} vs ${official.perQuestion[id]}`);
    }
  }
  if (differing > 3) diffs.push(`… ${differing} questions differ in all`);
  return diffs;
}

export async function main(): Promise<Record<string, unknown>> {
  const runs = benchRuns();
  const root = mkdtempSync(join(tmpdir(), 'eve-eval-bench-vqav2-'));
  try {
    const files = await writeVqaFiles(root);
    const score = ['score', '--benchmark', 'vqav2', '--data', files.dataRoot, '--predictions', files.answers];
    const ours = await measureCommand([process.execPath, CLI, ...score, '--json', '--timings'], runs);
    const last = ours.runs[ours.runs.length - 1];
    const timings = /timings: (.*)/.exec(last.stderr)?.[1] ?? '';
    console.log(
      `eve-eval score, VQAv2 val size (214,354 questions), ${runs} runs: ${formatSpread(ours.seconds, 's')}, peak RSS ${ours.peakRssMb ? formatSpread(ours.peakRssMb, 'MB', 0) : 'n/a'} (load average ${formatSpread(ours.loadAverage, '', 1)})`,
    );
    console.log(`  last run's phases: ${timings}`);
    const out: Record<string, unknown> = {
      questions: 214_354,
      eveEvalSeconds: ours.seconds,
      eveEvalPeakRssMb: ours.peakRssMb,
      loadAverage: ours.loadAverage,
      phases: timings,
    };

    if (!existsSync(PYTHON)) {
      console.log(`  official scorer skipped: no Python at ${PYTHON} (set EVE_EVAL_BENCH_PYTHON)`);
      return out;
    }
    // The official flow: LLaVA's answers through the EvalAI processor into the results array, then vqaEval.py.
    const results = join(root, 'results.json');
    await runCommand([
      process.execPath,
      CLI,
      'submission',
      '--benchmark',
      'vqav2',
      '--split',
      'val',
      '--data',
      files.dataRoot,
      '--predictions',
      files.answers,
      '--out',
      results,
    ]);
    const officialOut = join(root, 'official.json');
    const official = await measureCommand([PYTHON, REFERENCE, files.annotations, files.questions, results, officialOut], runs);
    const ratio = official.seconds.median / ours.seconds.median;
    console.log(
      `official vqaEval.py (Python 3 port), same set: ${formatSpread(official.seconds, 's')}, peak RSS ${official.peakRssMb ? formatSpread(official.peakRssMb, 'MB', 0) : 'n/a'}; eve-eval ${ratio.toFixed(1)}× faster (medians)`,
    );

    // Every question: eve-eval's per-sample credits from a --results file (the same command, one more run).
    const resultsFile = join(root, 'eve-results.json');
    await runCommand([process.execPath, CLI, ...score, '--results', resultsFile]);
    const written = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
      results: Array<{ metrics: Record<string, number | null>; breakdowns: Record<string, Record<string, number | null>>; perSample: Record<string, number> }>;
    };
    const diffs = compare(JSON.parse(readFileSync(officialOut, 'utf8')) as Official, written.results[0], written.results[0].perSample);
    console.log(
      diffs.length === 0 ? '  accuracies equal: overall, per answer type, per question type, every question' : `  ACCURACIES DIFFER: ${diffs.join('; ')}`,
    );
    return { ...out, officialSeconds: official.seconds, officialPeakRssMb: official.peakRssMb, speedup: ratio, equal: diffs.length === 0 };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
