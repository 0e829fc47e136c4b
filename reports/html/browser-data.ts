// The sample browser's data: one compact row per sample, embedded as JSON and drawn by client.js.
import type { BenchmarkId } from '../../core/benchmark.ts';
import { indexResults, type RunData } from '../load.ts';
import { BENCHMARK_TITLES } from '../table.ts';
import { COLORS } from './charts.ts';
import { clip } from './escape.ts';

/** Size budget (README.md): text per field and thumbnails per benchmark embedded in the page. */
export const HTML_LIMITS = {
  promptChars: 300,
  answerChars: 300,
  truthChars: 160,
  thumbsPerBenchmark: 200,
  /** A thumbnail data URL longer than this (not a 96-px JPEG) is dropped. */
  thumbMaxChars: 12_000,
};

export interface BrowserData {
  models: string[];
  colors: string[];
  /** suffix: the prompt ending every sample of the benchmark shares, stored once (saves ~50 B a sample). */
  benchmarks: Array<{ id: BenchmarkId; title: string; n: number; suffix: string }>;
  thumbs: string[];
  rows: Array<[number, string, string, string | null, number, number, number, Array<string | null>, Array<number | null>, Array<0 | string>]>;
}

/** Longest suffix every prompt shares (the benchmark's answer instruction), or '' when under 8 characters. */
function commonSuffix(prompts: string[]): string {
  if (prompts.length < 2) return '';
  let suffix = prompts[0];
  for (const p of prompts) {
    while (suffix && !p.endsWith(suffix)) suffix = suffix.slice(1);
    if (!suffix) return '';
  }
  return suffix.length >= 8 ? suffix : '';
}

export function buildBrowserData(run: RunData, models: string[]): BrowserData {
  const idx = indexResults(run.results.results);
  const data: BrowserData = { models, colors: COLORS, benchmarks: [], thumbs: [], rows: [] };
  const benches = [...new Set<BenchmarkId>([...idx.benchmarks, ...run.samples.keys()])];
  for (const b of benches) {
    const bi = data.benchmarks.length;
    const summaries = run.samples.get(b) ?? [];
    const ids: string[] = summaries.map((s) => s.id);
    const known = new Set(ids);
    // Samples scored or predicted but absent from the summaries still get a row (prompt unknown).
    for (const m of models) {
      for (const id of Object.keys(idx.get(m, b)?.perSample ?? {})) if (!known.has(id)) known.add(id), ids.push(id);
      for (const id of run.predictions.get(m)?.get(b)?.keys() ?? []) if (!known.has(id)) known.add(id), ids.push(id);
    }
    if (!ids.length) continue;
    const byId = new Map(summaries.map((s) => [s.id, s]));
    const suffix = commonSuffix(summaries.map((s) => s.prompt));
    let thumbs = 0;
    for (const id of ids) {
      const s = byId.get(id);
      let thumb = -1;
      if (s?.thumb && thumbs < HTML_LIMITS.thumbsPerBenchmark && s.thumb.startsWith('data:image/') && s.thumb.length <= HTML_LIMITS.thumbMaxChars) {
        thumb = data.thumbs.push(s.thumb) - 1;
        thumbs++;
      }
      const answers: Array<string | null> = [];
      const credits: Array<number | null> = [];
      const errors: Array<0 | string> = [];
      for (const m of models) {
        const rec = run.predictions.get(m)?.get(b)?.get(id);
        const credit = idx.get(m, b)?.perSample?.[id];
        answers.push(rec ? clip(rec.text, HTML_LIMITS.answerChars) : null);
        credits.push(credit === undefined ? null : credit);
        errors.push(rec?.error ? clip(`${rec.error.kind}: ${rec.error.message}`, HTML_LIMITS.truthChars) : 0);
      }
      // Options are appended only when the prompt does not already list them (MMBench and ScienceQA prompts do).
      const options = s?.choices?.length ? s.choices.map((c, i) => `${String.fromCharCode(65 + i)}. ${c}`) : [];
      const listed = options.length > 0 && options.every((o) => s!.prompt.includes(o));
      const prompt = s ? s.prompt.slice(0, s.prompt.length - suffix.length) + (options.length && !listed ? `\n${options.join('\n')}` : '') : '';
      data.rows.push([
        bi,
        id,
        clip(prompt, HTML_LIMITS.promptChars),
        s?.truth == null ? null : clip(s.truth, HTML_LIMITS.truthChars),
        thumb,
        s?.image?.width ?? 0,
        s?.image?.height ?? 0,
        answers,
        credits,
        errors,
      ]);
    }
    data.benchmarks.push({ id: b, title: BENCHMARK_TITLES[b], n: ids.length, suffix });
  }
  return data;
}
