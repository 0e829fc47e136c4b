// The compiled CLI, built on first use and cached by the hash of its sources, so a call does not compile
// TypeScript at start-up (tsx did it on every call: 0.5–2.4 s before any work) and nothing has to be built by
// `npm install` (this repo's .npmrc turns install scripts off, so a `prepare` script would never run).
//
// esbuild (tsx's own compiler, a direct dependency) bundles the sources reachable from the entry into ES
// modules, split at every dynamic import, so `--version` loads only what it needs and a lazily imported
// module stays lazy; template-literal imports (`./commands/${name}.ts`) take every matching file, so a new
// subcommand or module needs no build configuration. npm packages stay external and load from node_modules.
// `import.meta.url` in each source is replaced by that source's own URL: files read relative to a module
// (package.json, reports' client script) are found where they are in the checkout.
//
// The cache is `node_modules/.cache/eve-eval/<checkout>/<key>/`, key = hash of every input file esbuild read;
// `latest.json` lists those inputs, and each call re-hashes them (a few ms) to know the build is current.
// Any failure (no esbuild, a read-only node_modules) returns null, and the caller runs the sources with tsx.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const FORMAT = 2; // bump when the build options change: older builds then miss the cache

/**
 * The build's key: every input's path and bytes, and the file names in each input's folder (a new file
 * beside the sources, e.g. a new subcommand that a template-literal import would pick up, is a new build).
 */
function hashInputs(root, inputs) {
  const h = createHash('sha256');
  h.update(`eve-eval-build@${FORMAT}\0${root}\0${process.version}\0`);
  for (const file of inputs) {
    h.update(file);
    h.update('\0');
    h.update(readFileSync(join(root, file)));
    h.update('\0');
  }
  for (const dir of [...new Set(inputs.map((f) => dirname(f)))].sort()) {
    h.update(`${dir}/\0${readdirSync(join(root, dir)).sort().join('\0')}\0`);
  }
  return h.digest('hex').slice(0, 20);
}

/** The cached build's entry when it is current, else undefined. */
function current(root, cacheDir, entryName) {
  let latest;
  try {
    latest = JSON.parse(readFileSync(join(cacheDir, 'latest.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (latest.format !== FORMAT || latest.entry !== entryName || !Array.isArray(latest.inputs)) return undefined;
  let key;
  try {
    key = hashInputs(root, latest.inputs);
  } catch {
    return undefined; // an input was deleted: rebuild
  }
  const out = join(cacheDir, key, latest.out);
  return key === latest.key && existsSync(out) ? out : undefined;
}

/** esbuild plugin: each project source's `import.meta.url` (and dirname/filename) become its own location. */
function sourceLocation(root) {
  return {
    name: 'eve-eval-source-location',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        if (args.path.includes(`${'/'}node_modules${'/'}`) || !args.path.startsWith(root)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta')) return undefined;
        const contents = text
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
        const loader = args.path.endsWith('ts') ? 'ts' : 'js';
        return { contents, loader };
      });
    },
  };
}

/** Every `*.worker.ts` of the sources (worker threads load their own entry), found by name. */
function workerEntries(root, dir = '') {
  const skip = new Set(['node_modules', 'test', 'bench', 'fixtures', 'runs', 'out']);
  const found = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (e.name.startsWith('.') || skip.has(e.name)) continue;
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) found.push(...workerEntries(root, rel));
    else if (e.name.endsWith('.worker.ts')) found.push(rel);
  }
  return found;
}

async function build(root, cacheDir, entry) {
  const esbuild = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  const tmp = join(cacheDir, `tmp-${process.pid}-${Date.now()}`);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry, ...workerEntries(root)],
    outbase: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: tmp,
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'silent',
    plugins: [sourceLocation(root)],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes('node_modules/'))
    .map((f) => relative(root, resolve(root, f)))
    .sort();
  const key = hashInputs(root, inputs);
  const outName = entry.replace(/\.[cm]?[jt]s$/, '.js'); // entryNames: '[dir]/[name]' under outbase root
  const dir = join(cacheDir, key);
  if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
  else {
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process won the race with the same build
    }
  }
  const pointer = join(cacheDir, `latest-${process.pid}.json`);
  writeFileSync(pointer, JSON.stringify({ format: FORMAT, entry, key, out: outName, inputs }));
  renameSync(pointer, join(cacheDir, 'latest.json'));
  // Builds no longer pointed at are removed a day later, not at once: a running command may still import a
  // lazily loaded chunk of the build it started with (best effort).
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(cacheDir)) {
    if (name === key || name.endsWith('.json')) continue;
    const old = join(cacheDir, name);
    try {
      if (statSync(old).mtimeMs < dayAgo) rmSync(old, { recursive: true, force: true });
    } catch {
      /* removed by another process meanwhile */
    }
  }
  return join(dir, outName);
}

/** The folder URL of a compiled entry's build (what worker threads load their compiled entries from). */
export function buildRoot(entryUrl, entry) {
  return new URL('../'.repeat(entry.split('/').length - 1) || './', entryUrl).href;
}

/**
 * node_modules/.cache/eve-eval/<checkout>/: one folder per checkout, as several worktrees may share one
 * node_modules. The compiled modules import npm packages by name, so the cache must lie where those resolve.
 */
function defaultCacheDir(root) {
  const checkout = createHash('sha256').update(resolve(root)).digest('hex').slice(0, 12);
  return join(root, 'node_modules', '.cache', 'eve-eval', checkout);
}

/**
 * The file URL of the compiled `entry`; the build's folder (its URL ends in '/') holds every `*.worker.ts` of
 * the sources compiled at the same relative path, e.g. harness/runtime/preprocess.worker.js. (a path relative to `root`), built when the cache is stale;
 * null when it cannot be built here (the caller then runs the sources through tsx).
 */
export async function compiledEntry(root, entry, cacheDir = defaultCacheDir(root)) {
  try {
    const found = current(root, cacheDir, entry) ?? (await build(root, cacheDir, entry));
    return pathToFileURL(found).href;
  } catch (err) {
    if (process.env.EVE_EVAL_DEBUG_BUILD) process.stderr.write(`eve-eval: build cache unavailable (${err?.message ?? err}); running the sources with tsx\n`);
    return null;
  }
}
