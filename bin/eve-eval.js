#!/usr/bin/env node
// Runs the compiled CLI (bin/build-cache.js: built on first use, cached by source hash), so a call starts in
// a fraction of a second; where it cannot be built, the TypeScript sources run through tsx as before.
// EVE_EVAL_FROM_SOURCE=1 always runs the sources (e.g. while editing with a debugger).
import { fileURLToPath } from 'node:url';
import { buildRoot, compiledEntry } from './build-cache.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = process.env.EVE_EVAL_FROM_SOURCE ? null : await compiledEntry(root, 'harness/cli.ts');
let main;
if (compiled) {
  // Where worker threads find their compiled entries (harness/runtime/preprocess-pool.ts).
  globalThis.__eveEvalCompiled = buildRoot(compiled, 'harness/cli.ts');
  ({ main } = await import(compiled));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../harness/cli.ts'));
}
process.exitCode = await main(process.argv);
