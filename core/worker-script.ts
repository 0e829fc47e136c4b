// Where a worker thread's code comes from. The compiled CLI (bin/build-cache.js) builds every *.worker.ts of
// the sources at the same relative path beside the CLI, and says where through globalThis.__eveEvalCompiled;
// otherwise (tsx, vitest, benches) the worker registers tsx and imports the TypeScript source.
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** `new Worker(script, { eval })` arguments for the worker source `source` (a *.worker.ts file URL). */
export function workerScript(source: URL): { script: string | URL; eval: boolean } {
  const compiled = (globalThis as { __eveEvalCompiled?: string }).__eveEvalCompiled;
  if (compiled) {
    const rel = relative(REPO, fileURLToPath(source)).split('\\').join('/').replace(/\.ts$/, '.js');
    return { script: new URL(rel, compiled), eval: false };
  }
  // tsx's ES module API by file (an eval'd worker resolves bare names from the working directory, not from here).
  const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  return { script: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source.href)}); })`, eval: true };
}
