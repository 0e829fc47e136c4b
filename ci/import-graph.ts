// Checks that imports between the project's top-level folders form no cycle, so the layout keeps showing
// the data flow (core at the bottom, commands at the top). Prints the folder graph; exits 1 on a cycle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SOURCE_FOLDERS = ['core', 'benchmarks', 'adapters', 'export', 'reports', 'harness', 'bench', 'ci', 'fixtures'];
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|js)$/.test(name)) yield path;
  }
}

function topFolder(path: string): string | undefined {
  const top = relative(ROOT, path).split(sep)[0];
  return top !== undefined && SOURCE_FOLDERS.includes(top) ? top : undefined;
}

export function folderGraph(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>(); // from -> (to -> one example "file -> target")
  for (const folder of SOURCE_FOLDERS) {
    let files: string[];
    try {
      files = [...sourceFiles(join(ROOT, folder))];
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const target = resolve(dirname(file), (m[1] ?? m[2])!);
        const to = topFolder(target);
        if (to === undefined || to === folder) continue;
        const out = edges.get(folder) ?? new Map<string, string>();
        if (!out.has(to)) out.set(to, `${relative(ROOT, file)} -> ${relative(ROOT, target)}`);
        edges.set(folder, out);
      }
    }
  }
  return edges;
}

export function findCycle(edges: Map<string, Map<string, string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const c = visit(next);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys())
    if (!state.has(node)) {
      const c = visit(node);
      if (c) return c;
    }
  return undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const edges = folderGraph();
  for (const [from, out] of [...edges].sort()) console.log(`${from} -> ${[...out.keys()].sort().join(', ')}`);
  const cycle = findCycle(edges);
  if (cycle) {
    console.error(`import cycle between top-level folders: ${cycle.join(' -> ')}`);
    for (let i = 0; i + 1 < cycle.length; i++) console.error(`  e.g. ${edges.get(cycle[i]!)!.get(cycle[i + 1]!)}`);
    process.exitCode = 1;
  } else console.log('no import cycle between top-level folders');
}
