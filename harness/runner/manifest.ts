// The run manifest in every results file (DESIGN.md, "Results"): enough to say exactly what produced
// the numbers. Secrets never reach it: the config carries only the names of key variables.
import { execFileSync } from 'node:child_process';
import fs, { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../version.ts';
import type { RunManifest } from '../records.ts';
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

/** Image files are covered by the cache key; the manifest hashes question, label and answer files. */
const IMAGE_EXT = /\.(jpe?g|png|gif|bmp|webp|tiff?|heic)$/i;
const MAX_DATA_FILES = 5000;

/** sha256 of every non-image file under the data root (question, label, TSV files), by relative path. */
export async function hashDataFiles(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true, recursive: true });
  } catch {
    return out;
  }
  const files = entries
    .filter((e) => e.isFile() && !IMAGE_EXT.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort()
    .slice(0, MAX_DATA_FILES);
  for (const f of files) out[relative(root, f)] = await sha256File(f);
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

/**
 * Run `fn` and return the paths of every file it opened for reading. Why: `score` records the hashes of
 * the data files the adapter actually read (question, label and answer files), and only the adapter knows
 * which those are. node:fs is patched for the duration and restored after; module.syncBuiltinESMExports()
 * makes ESM named imports (`import { readFile } from 'node:fs/promises'`) see the patch too.
 * Not safe to overlap with other work that reads files in the same process: callers are CLI commands.
 */
export async function traceFileReads<T>(fn: () => Promise<T>): Promise<{ value: T; files: string[] }> {
  const files = new Set<string>();
  const note = (p: unknown) => {
    if (typeof p === 'string') files.add(resolve(p));
    else if (p instanceof URL && p.protocol === 'file:') files.add(fileURLToPath(p));
  };
  type Fn = (...args: unknown[]) => unknown;
  const targets: Array<[Record<string, unknown>, string]> = [
    [fs as unknown as Record<string, unknown>, 'readFile'],
    [fs as unknown as Record<string, unknown>, 'readFileSync'],
    [fs as unknown as Record<string, unknown>, 'createReadStream'],
    [fs as unknown as Record<string, unknown>, 'openSync'],
    [fs.promises as unknown as Record<string, unknown>, 'readFile'],
    [fs.promises as unknown as Record<string, unknown>, 'open'],
  ];
  const saved = targets.map(([obj, name]) => obj[name] as Fn);
  targets.forEach(([obj, name], i) => {
    obj[name] = function (this: unknown, ...args: unknown[]) {
      note(args[0]);
      return saved[i].apply(this, args);
    };
  });
  syncBuiltinESMExports();
  try {
    const value = await fn();
    return { value, files: [...files].sort() };
  } finally {
    targets.forEach(([obj, name], i) => (obj[name] = saved[i]));
    syncBuiltinESMExports();
  }
}

/** sha256 of each file, keyed by its path relative to `root` (absolute when outside it); images skipped. */
export async function hashFiles(files: string[], root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of files) {
    if (IMAGE_EXT.test(f)) continue;
    const rel = relative(root, f);
    out[rel.startsWith('..') || isAbsolute(rel) ? f : rel] = await sha256File(f);
  }
  return out;
}
