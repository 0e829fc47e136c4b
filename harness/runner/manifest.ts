// The run manifest in every results file (docs/design.md, "Results"): enough to say exactly what produced
// the numbers. Secrets never reach it: the config carries only the names of key variables.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { VERSION } from '../../core/version.ts';
import type { RunManifest } from '../../core/records.ts';
import { PACKAGE_ROOT, redactConfig, type ResolvedConfig } from '../config.ts';
import { sha256File } from './cache-key.ts';

export function gitSha(dir = PACKAGE_ROOT): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

export function onnxruntimeVersion(): string | null {
  try {
    const req = createRequire(import.meta.url);
    return JSON.parse(readFileSync(req.resolve('onnxruntime-node/package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** Image files are covered by the cache key; the manifest hashes question and label files. */
const IMAGE_EXT = /\.(jpe?g|png|gif|bmp|webp|tiff?|heic)$/i;
const MAX_DATA_FILES = 5000;
/** Model outputs in the LLaVA/EVE layout (`<benchmark>/answers/`, `answers_upload/`) are not data. */
const ANSWERS_DIR = /(^|[\\/])answers[^\\/]*[\\/]/;

/**
 * sha256 of every non-image file (question, label, TSV files) under the given folders of the data root, by path
 * relative to the root. Images are covered by the cache keys; `skip` leaves out e.g. the predictions being scored.
 */
export async function hashDataFiles(root: string, folders: string[] = ['.'], skip: (file: string) => boolean = () => false): Promise<Record<string, string>> {
  const files: string[] = [];
  for (const folder of folders) {
    let entries;
    try {
      entries = await readdir(join(root, folder), { withFileTypes: true, recursive: true });
    } catch {
      continue; // a benchmark folder that is absent has nothing to hash
    }
    for (const e of entries) {
      const f = resolve(e.parentPath, e.name);
      if (e.isFile() && !IMAGE_EXT.test(e.name) && !ANSWERS_DIR.test(relative(root, f)) && !skip(f)) files.push(f);
    }
  }
  const out: Record<string, string> = {};
  for (const f of [...new Set(files)].sort().slice(0, MAX_DATA_FILES)) out[relative(root, f)] = await sha256File(f);
  return out;
}

/** The entries of a hashDataFiles list under one benchmark folder (what that benchmark's result read). */
export function filesUnder(files: Record<string, string>, folder: string): Record<string, string> {
  const prefix = folder === '.' ? '' : `${folder}/`;
  return Object.fromEntries(Object.entries(files).filter(([p]) => p.startsWith(prefix)));
}

/** sha256 of a predictions file, or of every file in a predictions folder (MME eval_tool), by path relative to cwd. */
export async function hashPredictions(path: string): Promise<Record<string, string>> {
  const full = resolve(path);
  const files = statSync(full).isDirectory()
    ? (await readdir(full, { withFileTypes: true, recursive: true })).filter((e) => e.isFile()).map((e) => resolve(e.parentPath, e.name))
    : [full];
  const out: Record<string, string> = {};
  for (const f of files.sort()) out[relative(process.cwd(), f)] = await sha256File(f);
  return out;
}

export interface ManifestInput {
  config: ResolvedConfig;
  executionProviders: string[];
  modelFiles: Record<string, string>;
  dataFiles: Record<string, string>;
  adapterVersions: Record<string, string>;
  startedAt: string;
}

export function buildManifest(m: ManifestInput): RunManifest {
  return {
    eveEvalVersion: VERSION,
    gitSha: gitSha(),
    node: process.version,
    onnxruntime: onnxruntimeVersion(),
    executionProvider: [...new Set(m.executionProviders)].join(',') || null,
    modelFiles: m.modelFiles,
    dataFiles: m.dataFiles,
    adapterVersions: m.adapterVersions,
    config: redactConfig(m.config),
    seed: m.config.seed,
    startedAt: m.startedAt,
  };
}
