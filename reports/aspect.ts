// Score by image aspect ratio and by resolution, per model per benchmark: the EVE paper's own argument
// (does an encoder-free model hold up on extreme shapes?). Joins per-sample credit from results.json
// with each prediction record's image size, image-token count and timings.
import type { BenchmarkId } from '../core/benchmark.ts';
import type { PredictionRecord } from '../core/records.ts';
import type { RunData } from './load.ts';

export interface Bucket {
  label: string;
  /** Half-open [min, max). */
  min: number;
  max: number;
}

/** width / height: tall (<0.5) … wide (>2); 0.8–1.25 is "near square". */
export const ASPECT_BUCKETS: Bucket[] = [
  { label: '<0.5', min: 0, max: 0.5 },
  { label: '0.5–0.8', min: 0.5, max: 0.8 },
  { label: '0.8–1.25', min: 0.8, max: 1.25 },
  { label: '1.25–2', min: 1.25, max: 2 },
  { label: '>2', min: 2, max: Infinity },
];

/** Megapixels; COCO's 640×480 is 0.31 MP, EVE-HD's 1344² canvas is 1.8 MP. */
export const RESOLUTION_BUCKETS: Bucket[] = [
  { label: '<0.25 MP', min: 0, max: 0.25 },
  { label: '0.25–0.5 MP', min: 0.25, max: 0.5 },
  { label: '0.5–1 MP', min: 0.5, max: 1 },
  { label: '1–2 MP', min: 1, max: 2 },
  { label: '≥2 MP', min: 2, max: Infinity },
];

export function bucketOf(buckets: Bucket[], v: number): Bucket | undefined {
  return buckets.find((b) => v >= b.min && v < b.max);
}

export interface BucketStat {
  label: string;
  /** Samples with credit and a known image size in this bucket. */
  n: number;
  /** Mean per-sample credit ×100 (accuracy-like; where the headline is not a mean, e.g. an F1 or a sum, this is per-question accuracy, not the headline). */
  score: number | null;
  meanImageTokens: number | null;
  /** preprocess + prefill + decode, per sample. */
  meanLatencyMs: number | null;
}

export interface AspectBreakdown {
  model: string;
  benchmark: BenchmarkId;
  aspect: BucketStat[];
  resolution: BucketStat[];
  /** Scored samples with no image size on record (text-only questions, decode errors). */
  noSize: number;
}

interface Acc {
  n: number;
  credit: number;
  tokN: number;
  tok: number;
  latN: number;
  lat: number;
}

function finish(buckets: Bucket[], accs: Acc[]): BucketStat[] {
  return buckets.map((b, i) => {
    const a = accs[i];
    return {
      label: b.label,
      n: a.n,
      score: a.n ? (100 * a.credit) / a.n : null,
      meanImageTokens: a.tokN ? a.tok / a.tokN : null,
      meanLatencyMs: a.latN ? a.lat / a.latN : null,
    };
  });
}

function add(acc: Acc, credit: number, rec: PredictionRecord | undefined): void {
  acc.n++;
  acc.credit += credit;
  if (rec?.tokens) {
    acc.tokN++;
    acc.tok += rec.tokens.image;
  }
  if (rec?.timings) {
    acc.latN++;
    acc.lat += rec.timings.preprocess_ms + rec.timings.prefill_ms + rec.timings.decode_ms;
  }
}

export function computeAspectBreakdowns(run: RunData): AspectBreakdown[] {
  const out: AspectBreakdown[] = [];
  for (const r of run.results.results) {
    if (!r.perSample) continue;
    const preds = run.predictions.get(r.model)?.get(r.benchmark);
    const summaries = new Map((run.samples.get(r.benchmark) ?? []).map((s) => [s.id, s]));
    const aspect = ASPECT_BUCKETS.map((): Acc => ({ n: 0, credit: 0, tokN: 0, tok: 0, latN: 0, lat: 0 }));
    const resolution = RESOLUTION_BUCKETS.map((): Acc => ({ n: 0, credit: 0, tokN: 0, tok: 0, latN: 0, lat: 0 }));
    let noSize = 0;
    for (const [id, credit] of Object.entries(r.perSample)) {
      const rec = preds?.get(id);
      const size = rec?.image ?? summaries.get(id)?.image ?? null;
      if (!size || !(size.width > 0) || !(size.height > 0)) {
        noSize++;
        continue;
      }
      const ai = ASPECT_BUCKETS.indexOf(bucketOf(ASPECT_BUCKETS, size.width / size.height)!);
      const ri = RESOLUTION_BUCKETS.indexOf(bucketOf(RESOLUTION_BUCKETS, (size.width * size.height) / 1e6)!);
      add(aspect[ai], credit, rec);
      add(resolution[ri], credit, rec);
    }
    out.push({ model: r.model, benchmark: r.benchmark, aspect: finish(ASPECT_BUCKETS, aspect), resolution: finish(RESOLUTION_BUCKETS, resolution), noSize });
  }
  return out;
}
