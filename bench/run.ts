// `npm run bench`: runs every bench/*.ts module's exported `main` in turn (conformance, the GPU check and this runner excluded).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// gpu-check, export-gpu: run by bench/gpu.sh on a GPU machine; export-worker: a child process of export.ts.
const skip = new Set(['run.ts', 'conformance.ts', 'gpu-check.ts', 'export-gpu.ts', 'export-worker.ts']);
for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !skip.has(f))
  .sort()) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { main?: () => unknown };
  if (typeof mod.main !== 'function') continue;
  console.log(`== bench/${file}`);
  await mod.main();
}
