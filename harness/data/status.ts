// `eve-eval data status|check`: what of each benchmark is under a data root, against benchmarks/data-catalog.ts.
// Samples are read through the benchmark adapters themselves (so what is counted is what a run would read),
// without image bytes; image files are then looked up (and with `deep`, decoded). A split whose files are
// broken (truncated JSON, a short TSV row) is reported with the reader's one-line error, and the other
// benchmarks go on.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import pLimit from 'p-limit';
import type { BenchmarkAdapter, BenchmarkId } from '../../core/benchmark.ts';
import { decodeImage } from '../../core/image.ts';
import { UserError } from '../../core/errors.ts';
import { DATA_CATALOG, type CatalogEntry, type CatalogFile, type KnownRelease } from '../../benchmarks/data-catalog.ts';
import { isBase64 } from '../../benchmarks/shared/tsv.ts';

export interface FileStatus {
  path: string;
  what: string;
  present: boolean;
  optional: boolean;
  bytes?: number;
  md5?: string;
  /** The known release the checksum matches; absent when none matches or none is listed. */
  release?: string;
  /** true: the release eve-eval expects; false: another known release (a mismatch); absent: unknown. */
  expectedRelease?: boolean;
  /** Known releases exist for this file and its checksum matches none of them. */
  unknownChecksum?: boolean;
}

export interface SplitStatus {
  split: string;
  present: boolean;
  samples?: number;
  expected?: number;
  /** Samples with an image, and of those the ones whose image is absent or cannot be read. */
  images?: { referenced: number; missing: number; unreadable: number; firstMissing?: string; firstUnreadable?: string };
  /** Image folders (relative to the root) that do not exist at all. */
  absentFolders?: string[];
  /** SEED video questions whose extracted frame is absent (reported apart from missing images). */
  videoWithoutFrames?: number;
  error?: string;
}

export interface BenchmarkStatus {
  benchmark: BenchmarkId;
  title: string;
  files: FileStatus[];
  splits: SplitStatus[];
  /** What makes `data check` fail, one line each. */
  problems: string[];
}

export interface StatusOptions {
  /** Decode every image (in parallel), not only look it up. */
  deep?: boolean;
  /** Progress lines (deep decoding) go here. */
  progress?: (line: string) => void;
  /** The catalog to check against (tests give their own; default benchmarks/data-catalog.ts). */
  catalog?: typeof DATA_CATALOG;
}

async function md5File(file: string): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

function matchRelease(md5: string, releases: KnownRelease[] | undefined): Pick<FileStatus, 'release' | 'expectedRelease' | 'unknownChecksum'> {
  if (!releases?.length) return {};
  const hit = releases.find((r) => r.md5 === md5);
  if (!hit) return { unknownChecksum: true };
  return { release: hit.release, expectedRelease: hit.expected };
}

async function fileStatus(root: string, f: CatalogFile): Promise<FileStatus> {
  const found = [f.path, ...(f.alternatives ?? [])].find((p) => existsSync(join(root, p)));
  const base = { what: f.what, optional: f.optional === true };
  if (!found) return { path: f.path, ...base, present: false };
  const full = join(root, found);
  const info = await stat(full);
  if (!info.isFile()) return { path: found, ...base, present: false };
  const md5 = await md5File(full);
  return { path: found, ...base, present: true, bytes: info.size, md5, ...(found === f.path ? matchRelease(md5, f.releases) : {}) };
}

/** VLMEvalKit TSVs present in the root or the benchmark's folder. */
async function vlmevalkitFiles(root: string, entry: CatalogEntry, folder: string): Promise<FileStatus[]> {
  const out: FileStatus[] = [];
  for (const t of entry.vlmevalkit) {
    for (const rel of [`${t.name}.tsv`, join(folder, `${t.name}.tsv`)]) {
      const full = join(root, rel);
      if (!existsSync(full)) continue;
      const md5 = await md5File(full);
      const m = matchRelease(md5, t.releases);
      out.push({ path: rel, what: `VLMEvalKit ${t.name} (${t.url})`, present: true, optional: true, bytes: (await stat(full)).size, md5, ...m });
    }
  }
  return out;
}

async function imageStatus(adapter: BenchmarkAdapter, root: string, split: string, entry: CatalogEntry, opts: StatusOptions): Promise<SplitStatus> {
  const status: SplitStatus = { split, present: true, expected: entry.expected[split]?.samples };
  const files = new Map<string, { video: boolean }>();
  let base64 = 0;
  let brokenBase64 = 0;
  let firstBroken: string | undefined;
  let samples = 0;
  let unreadable = 0;
  let firstUnreadable: string | undefined;
  const bad = (what: string) => {
    unreadable++;
    firstUnreadable ??= what;
  };
  const pool = pLimit(Math.max(1, cpus().length));
  // Embedded images are decoded as the rows stream by, a bounded number at a time: a 1 GB TSV is never held.
  const inflight = new Set<Promise<void>>();
  // images: true so that embedded base64 is checked (a decode-length test per cell), and decoded with --deep.
  for await (const s of adapter.load(root, { split, images: true })) {
    samples++;
    if (s.image?.kind === 'file') files.set(s.image.path, { video: s.meta.dataType === 'video' });
    else if (s.image?.kind === 'base64') {
      base64++;
      if (!isBase64(s.image.data)) {
        brokenBase64++;
        firstBroken ??= `sample ${s.id}`;
      } else if (opts.deep) {
        const data = s.image.data;
        const id = s.id;
        const p = pool(() =>
          decodeImage(Buffer.from(data, 'base64'), id).then(
            () => undefined,
            () => bad(`sample ${id}`),
          ),
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        if (inflight.size >= 4 * cpus().length) await Promise.race(inflight);
      }
    }
  }
  await Promise.all(inflight);
  if (opts.deep && base64) opts.progress?.(`${adapter.id}/${split}: decoded ${base64 - brokenBase64} embedded images`);
  status.samples = samples;
  if (files.size === 0 && base64 === 0) return status;

  // A folder that is not there at all makes every image in it missing without one stat per file.
  const dirExists = new Map<string, boolean>();
  const absent = new Set<string>();
  let missing = 0;
  let video = 0;
  let firstMissing: string | undefined;
  const present: string[] = [];
  const limit = pLimit(32);
  await Promise.all(
    [...files].map(([path, { video: isVideo }]) =>
      limit(async () => {
        const dir = dirname(path);
        let ok = dirExists.get(dir);
        if (ok === undefined) {
          ok = existsSync(dir);
          dirExists.set(dir, ok);
          if (!ok) absent.add(topFolder(root, dir, entry, split));
        }
        const there =
          ok &&
          (await stat(path).then(
            (s) => s.isFile() && s.size > 0,
            () => false,
          ));
        if (there) present.push(path);
        else if (isVideo) video++;
        else {
          missing++;
          firstMissing ??= relative(root, path);
        }
      }),
    ),
  );
  unreadable += brokenBase64;
  firstUnreadable ??= firstBroken;
  if (opts.deep) {
    const total = present.length;
    let done = 0;
    const tick = () => {
      done++;
      if (done % 500 === 0 || done === total) opts.progress?.(`${adapter.id}/${split}: decoded ${done} / ${total} images`);
    };
    await Promise.all(
      present.map((p) =>
        pool(async () => {
          await decodeImage(await readFile(p), p).catch(() => bad(relative(root, p)));
          tick();
        }),
      ),
    );
  }
  status.images = {
    referenced: files.size + base64,
    missing,
    unreadable,
    ...(firstMissing ? { firstMissing } : {}),
    ...(firstUnreadable ? { firstUnreadable } : {}),
  };
  if (absent.size) status.absentFolders = [...absent].sort();
  if (adapter.id === 'seed') status.videoWithoutFrames = video;
  else status.images.missing += video;
  return status;
}

/**
 * The catalog's image folder that holds `dir` (for a readable "pope/val2014 absent"), with the other folders its
 * reader would take ("textvqa/train_images (or textvqa/images)"), else dir itself.
 */
function topFolder(root: string, dir: string, entry: CatalogEntry, split: string): string {
  const rel = relative(root, dir);
  const within = (p: string) => rel === p || rel.startsWith(p + '/');
  const f = entry.imageFolders.find((x) => (!x.splits || x.splits.includes(split)) && [x.path, ...(x.alternatives ?? [])].some(within));
  if (!f) return rel;
  const named = [f.path, ...(f.alternatives ?? [])].find(within)!;
  const others = [f.path, ...(f.alternatives ?? [])].filter((p) => p !== named);
  return others.length ? `${named} (or ${others.join(', ')})` : named;
}

export async function benchmarkStatus(adapter: BenchmarkAdapter, dataRoot: string, opts: StatusOptions = {}): Promise<BenchmarkStatus> {
  const root = resolve(dataRoot);
  const catalog = opts.catalog ?? DATA_CATALOG;
  const entry = catalog[adapter.id];
  const files = [...(await Promise.all(entry.files.map((f) => fileStatus(root, f)))), ...(await vlmevalkitFiles(root, entry, adapter.folder))];
  const problems: string[] = [];
  for (const f of files) {
    if (f.expectedRelease === false) problems.push(`${f.path} is ${f.release}, not the release eve-eval expects`);
    if (f.unknownChecksum) problems.push(`${f.path}: checksum ${f.md5} matches no known release`);
  }
  const splits: SplitStatus[] = [];
  for (const split of adapter.splits) {
    if (!(await adapter.present(root, split).catch(() => false))) {
      splits.push({ split, present: false, expected: entry.expected[split]?.samples });
      continue;
    }
    let s: SplitStatus;
    try {
      s = await imageStatus(adapter, root, split, entry, opts);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      s = { split, present: true, expected: entry.expected[split]?.samples, error: err.message };
    }
    splits.push(s);
    const where = `${adapter.id}/${split}`;
    if (s.error) problems.push(`${where}: ${s.error}`);
    if (s.samples !== undefined && s.expected !== undefined && s.samples !== s.expected)
      problems.push(`${where}: ${s.samples.toLocaleString('en-US')} questions, expected ${s.expected.toLocaleString('en-US')}`);
    if (s.images?.missing)
      problems.push(
        `${where}: ${s.images.missing.toLocaleString('en-US')} of ${s.images.referenced.toLocaleString('en-US')} images missing (first: ${s.images.firstMissing ?? '?'})${s.absentFolders ? `; absent: ${s.absentFolders.join(', ')}` : ''}`,
      );
    if (s.images?.unreadable) problems.push(`${where}: ${s.images.unreadable} images unreadable (first: ${s.images.firstUnreadable})`);
    // Reported on their own, never folded into "images missing": the frames are a step users run (LLaVA's extract_video_frames.py).
    if (s.videoWithoutFrames)
      problems.push(
        `${where}: ${s.videoWithoutFrames.toLocaleString('en-US')} video questions have no extracted frame in seed_bench/SEED-Bench-video-image/ (a run counts each as an error; the config's "splits": {"seed": "image"} leaves them out)`,
      );
  }
  return { benchmark: adapter.id, title: adapter.title, files, splits, problems };
}
