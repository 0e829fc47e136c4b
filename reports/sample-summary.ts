// One line of RUN_DIR/samples/<benchmark>.jsonl: what the report's sample browser shows about a sample.
// The runner writes these with summarizeSample(); the report reads them with readSampleSummaries().
import sharp from 'sharp';
import type { Sample } from '../core/benchmark.ts';
import { readRunJsonl } from '../core/run-jsonl.ts';

export interface SampleSummary {
  id: string;
  prompt: string;
  /** Ground truth as a short display string, or null where the split has none. */
  truth: string | null;
  choices?: string[];
  meta: Record<string, string | number | boolean | null>;
  image: { width: number; height: number } | null;
  /** data:image/jpeg;base64 thumbnail, at most THUMB_MAX_SIDE px on the long side, or null. */
  thumb: string | null;
}

export const THUMB_MAX_SIDE = 96;
export const THUMB_QUALITY = 60;
/** Thumbnails are made for the first N samples of each benchmark only (runner default). */
export const DEFAULT_THUMB_LIMIT = 200;
const TRUTH_MAX = 160;

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * Ground truth as one short string. Adapters keep truth in their own shape: a string, a number, a
 * list of annotator answers (soft-credit benchmarks: shown as the most frequent, then the count of distinct others),
 * or an object (shown as compact JSON).
 */
export function renderTruth(answer: unknown): string | null {
  if (answer === undefined || answer === null) return null;
  if (typeof answer === 'string') return clip(answer, TRUTH_MAX);
  if (typeof answer === 'number' || typeof answer === 'boolean') return String(answer);
  if (Array.isArray(answer) && answer.every((a) => typeof a === 'string')) {
    const counts = new Map<string, number>();
    for (const a of answer as string[]) counts.set(a, (counts.get(a) ?? 0) + 1);
    const sorted = [...counts.entries()].sort((x, y) => y[1] - x[1]);
    if (sorted.length === 0) return null;
    const [top, n] = sorted[0];
    const rest = sorted.length - 1;
    return clip(sorted.length === 1 ? top : `${top} (${n}/${answer.length}; +${rest} other${rest > 1 ? 's' : ''})`, TRUTH_MAX);
  }
  return clip(JSON.stringify(answer), TRUTH_MAX);
}

export interface SummarizeOptions {
  /** Make a thumbnail (the runner passes false past the first N samples of a benchmark). */
  thumbnail?: boolean;
}

/**
 * Summarize a sample for the browser. Image bytes that sharp cannot decode give image/thumb null:
 * the model side records that error; the summary must not stop the run.
 */
export async function summarizeSample(sample: Sample, imageBytes?: Buffer, opts: SummarizeOptions = {}): Promise<SampleSummary> {
  let image: SampleSummary['image'] = null;
  let thumb: string | null = null;
  if (imageBytes) {
    try {
      const img = sharp(imageBytes, { failOn: 'error' });
      const md = await img.metadata();
      if (md.width && md.height) {
        // Stored (un-rotated) size: PIL's convert('RGB') ignores EXIF orientation, so the model sees this.
        image = { width: md.width, height: md.height };
        if (opts.thumbnail !== false) {
          const jpeg = await img
            .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
            .flatten({ background: '#ffffff' })
            .jpeg({ quality: THUMB_QUALITY, mozjpeg: true })
            .toBuffer();
          thumb = `data:image/jpeg;base64,${jpeg.toString('base64')}`;
        }
      }
    } catch {
      image = null;
      thumb = null;
    }
  }
  const out: SampleSummary = {
    id: sample.id,
    prompt: sample.prompt,
    truth: renderTruth(sample.answer),
    meta: sample.meta,
    image,
    thumb,
  };
  if (sample.choices) out.choices = sample.choices;
  return out;
}

function isSummary(v: unknown): v is SampleSummary {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.id === 'string' &&
    typeof o.prompt === 'string' &&
    (o.truth === null || typeof o.truth === 'string') &&
    (o.image === null || (typeof o.image === 'object' && typeof (o.image as { width?: unknown }).width === 'number')) &&
    (o.thumb === null || typeof o.thumb === 'string') &&
    typeof o.meta === 'object' &&
    o.meta !== null
  );
}

/** Read a samples JSONL file: the last line per id wins; a torn last line from a killed run is skipped. */
export async function readSampleSummaries(file: string): Promise<SampleSummary[]> {
  return [...(await readRunJsonl(file, isSummary, 'a sample summary (needs id, prompt, truth, meta, image, thumb)')).values()];
}
