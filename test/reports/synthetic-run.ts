// Builds a small run directory by hand, in the shared run contract's layout, for the report tests.
// Headlines are computed here from per-sample credit the way the scorers define them (POPE mean F1,
// MME Σ acc + acc+, accuracy elsewhere) so the tables have real numbers to show.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { BenchmarkId, Sample } from '../../core/benchmark.ts';
import type { BenchmarkResult, PredictionRecord, ResultsFile } from '../../core/records.ts';
import { summarizeSample, type SampleSummary } from '../../reports/sample-summary.ts';

export const MODELS = ['tiny-eve', 'tiny-fuyu', 'tiny-llava'];
export const SCRIPT_ANSWER = '<script>window.__pwned=1</script>';
export const IMG_ANSWER = '<img src=x onerror="window.__pwned=2">';

const SIZES: Array<[number, number]> = [
  [640, 480],
  [200, 500],
  [120, 120],
  [900, 300],
  [1400, 1000],
  [100, 400],
];

async function png(w: number, h: number, seed: number): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    raw[i * 3] = (seed * 53 + (i % w)) & 255;
    raw[i * 3 + 1] = (seed * 97 + Math.floor(i / w)) & 255;
    raw[i * 3 + 2] = (seed * 31) & 255;
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}

/** Deterministic "is model m right on sample i" so the models disagree on some samples. */
function right(m: number, i: number): boolean {
  return (i * (m + 3) + m) % (m === 0 ? 4 : m === 1 ? 7 : 5) !== 0;
}

interface Built {
  samples: Sample[];
  summaries: SampleSummary[];
}

async function buildSamples(bench: BenchmarkId, n: number): Promise<Built> {
  const samples: Sample[] = [];
  const summaries: SampleSummary[] = [];
  for (let i = 0; i < n; i++) {
    let meta: Sample['meta'] = {};
    let answer: unknown;
    let prompt = `Question ${i} about the image?`;
    if (bench === 'pope') {
      meta = { category: ['adversarial', 'popular', 'random'][i % 3] };
      answer = i % 2 ? 'yes' : 'no';
      prompt = `Is there a dog in the image?\nAnswer the question using a single word or phrase.`;
    } else if (bench === 'mme') {
      const img = Math.floor(i / 2);
      meta = { category: img % 2 ? 'count' : 'existence', image: `${img}.jpg` };
      answer = i % 2 ? 'No' : 'Yes';
    } else if (bench === 'vqav2') {
      answer = ['two', 'two', 'two', '2', 'three', 'two', 'two', 'two', 'two', '2'];
    } else {
      answer = 'left';
    }
    if (i === 1 && bench !== 'pope') prompt = 'Dataset text </script><script>window.__pwned=3</script> & <b>bold</b>?';
    const s: Sample = { id: `${bench}-${i}`, benchmark: bench, split: 'test', prompt, answer, maxNewTokens: 128, meta };
    const [w, h] = SIZES[i % SIZES.length];
    samples.push(s);
    summaries.push(await summarizeSample(s, await png(w, h, i), { thumbnail: i < 8 }));
  }
  return { samples, summaries };
}

function f1(pairs: Array<[string, boolean]>): number {
  let tp = 0,
    fp = 0,
    fn = 0;
  for (const [truth, ok] of pairs) {
    if (truth === 'yes' && ok) tp++;
    else if (truth === 'yes') fn++;
    else if (!ok) fp++;
  }
  const p = tp / (tp + fp),
    r = tp / (tp + fn);
  return tp === 0 ? 0 : (2 * p * r) / (p + r);
}

function score(bench: BenchmarkId, built: Built, m: number, model: string): BenchmarkResult {
  const perSample: Record<string, number> = {};
  built.samples.forEach((s, i) => {
    perSample[s.id] = bench === 'vqav2' ? (right(m, i) ? 1 : i % 2 ? 0.3 : 0) : right(m, i) ? 1 : 0;
  });
  const credits = Object.values(perSample);
  const mean = credits.reduce((a, b) => a + b, 0) / credits.length;
  let headline = 100 * mean;
  let headlineName = 'accuracy';
  const breakdowns: BenchmarkResult['breakdowns'] = {};
  if (bench === 'pope') {
    headlineName = 'mean F1';
    breakdowns.f1 = {};
    for (const split of ['adversarial', 'popular', 'random']) {
      const pairs = built.samples.filter((s) => s.meta.category === split).map((s): [string, boolean] => [String(s.answer), perSample[s.id] === 1]);
      breakdowns.f1[split] = 100 * f1(pairs);
    }
    headline = Object.values(breakdowns.f1).reduce((a, b) => a! + b!, 0)! / 3;
  } else if (bench === 'mme') {
    headlineName = 'perception';
    breakdowns.subtask = {};
    for (const sub of ['existence', 'count']) {
      const ss = built.samples.filter((s) => s.meta.category === sub);
      const acc = ss.filter((s) => perSample[s.id] === 1).length / ss.length;
      const imgs = new Map<string, boolean>();
      for (const s of ss) imgs.set(String(s.meta.image), (imgs.get(String(s.meta.image)) ?? true) && perSample[s.id] === 1);
      const plus = [...imgs.values()].filter(Boolean).length / imgs.size;
      breakdowns.subtask[sub] = 100 * acc + 100 * plus;
    }
    headline = Object.values(breakdowns.subtask).reduce((a, b) => a! + b!, 0)!;
  } else {
    breakdowns.question_type = { what: 100 * mean, other: 50 };
  }
  const errors = model === 'tiny-fuyu' && bench === 'gqa' ? 1 : 0;
  return {
    model,
    benchmark: bench,
    split: 'test',
    headline,
    headlineName,
    metrics: { accuracy: 100 * mean },
    breakdowns,
    counts: { samples: credits.length, predicted: credits.length, missing: 0, errors, failedExtraction: 0 },
    perSample,
  };
}

export const BENCHES: Array<[BenchmarkId, number]> = [
  ['vqav2', 24],
  ['gqa', 24],
  ['pope', 36],
  ['mme', 24],
];

/** Write the run dir; returns its path and the results written. */
export async function writeSyntheticRun(dir?: string): Promise<{ runDir: string; results: ResultsFile }> {
  const runDir = dir ?? (await mkdtemp(join(tmpdir(), 'eve-report-')));
  await mkdir(join(runDir, 'samples'), { recursive: true });
  const results: BenchmarkResult[] = [];
  for (const [bench, n] of BENCHES) {
    const built = await buildSamples(bench, n);
    await writeFile(join(runDir, 'samples', `${bench}.jsonl`), built.summaries.map((s) => JSON.stringify(s)).join('\n') + '\n');
    for (const [m, model] of MODELS.entries()) {
      results.push(score(bench, built, m, model));
      await mkdir(join(runDir, 'predictions', model), { recursive: true });
      const lines = built.samples.map((s, i) => {
        const rec: PredictionRecord = {
          id: s.id,
          benchmark: bench,
          split: 'test',
          model,
          text: right(m, i) ? (typeof s.answer === 'string' ? s.answer : 'two') : 'wrong answer',
          tokens: { image: model === 'tiny-llava' ? 576 : 100 + i * 7, prompt: 20, generated: 3 },
          timings: { preprocess_ms: 2, prefill_ms: 10 + m, decode_ms: 5 },
          image: built.summaries[i].image ?? undefined,
          cacheKey: `k-${model}-${s.id}`,
        };
        if (model === 'tiny-fuyu' && i === 2) rec.text = SCRIPT_ANSWER;
        if (model === 'tiny-fuyu' && i === 3) rec.text = IMG_ANSWER;
        if (model === 'tiny-fuyu' && bench === 'gqa' && i === 5) rec.error = { kind: 'timeout', message: 'generation timed out' };
        return JSON.stringify(rec);
      });
      await writeFile(join(runDir, 'predictions', model, `${bench}.jsonl`), lines.join('\n') + '\n');
    }
  }
  const file: ResultsFile = {
    schema: 'eve-eval/results@1',
    manifest: {
      eveEvalVersion: '0.1.0',
      gitSha: 'abcdef1234567',
      node: process.version,
      onnxruntime: '1.30.0',
      executionProvider: 'cpu',
      modelFiles: {},
      dataFiles: {},
      adapterVersions: {},
      config: {},
      seed: 0,
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:01:00Z',
    },
    results,
  };
  await writeFile(join(runDir, 'results.json'), JSON.stringify(file, null, 2));
  return { runDir, results: file };
}
