// Whether two results read the same data files. Each result carries the sha256 of the data files its
// benchmark read (BenchmarkResult.dataFiles, paths relative to the data root); older files only have the
// run manifest's list, which is used then. A difference is a warning that names the files: the numbers
// may still be right, but they no longer measure the same questions or labels.
import type { BenchmarkResult, ResultsFile } from '../core/records.ts';
import { BENCHMARKS } from '../benchmarks/registry.ts';

/** One line naming what differs between `a` and `b` (labelled), or undefined when they read the same files. */
export function describeDataDifference(a: Record<string, string>, b: Record<string, string>, labels: [string, string]): string | undefined {
  const changed: string[] = [];
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  for (const [path, hash] of Object.entries(a)) {
    if (!(path in b)) onlyA.push(path);
    else if (b[path] !== hash) changed.push(`${path} (${hash.slice(0, 12)} vs ${b[path].slice(0, 12)})`);
  }
  for (const path of Object.keys(b)) if (!(path in a)) onlyB.push(path);
  if (!changed.length && !onlyA.length && !onlyB.length) return undefined;
  const list = (xs: string[]) => (xs.length > 4 ? `${xs.slice(0, 4).join(', ')} and ${xs.length - 4} more` : xs.join(', '));
  const parts: string[] = [];
  if (changed.length) parts.push(`different contents: ${list(changed)}`);
  if (onlyA.length) parts.push(`only in ${labels[0]}: ${list(onlyA)}`);
  if (onlyB.length) parts.push(`only in ${labels[1]}: ${list(onlyB)}`);
  return parts.join('; ');
}

/**
 * The manifest-level list covers every benchmark of a run; for a result without its own list it is cut to
 * the files under that benchmark's folder, so POPE is not warned about MME's files.
 */
function filesFor(result: BenchmarkResult, manifest: ResultsFile['manifest']): Record<string, string> {
  if (result.dataFiles) return result.dataFiles;
  const folder = BENCHMARKS[result.benchmark]?.folder;
  return Object.fromEntries(Object.entries(manifest.dataFiles ?? {}).filter(([p]) => folder !== undefined && p.startsWith(`${folder}/`)));
}

/** Warnings for the gate: per model + benchmark present in both files, when their data files differ. */
export function gateDataWarnings(baseline: ResultsFile, current: ResultsFile): string[] {
  const out: string[] = [];
  const cur = new Map(current.results.map((r) => [`${r.model}\u0000${r.benchmark}`, r]));
  for (const b of baseline.results) {
    const c = cur.get(`${b.model}\u0000${b.benchmark}`);
    if (!c) continue;
    const diff = describeDataDifference(filesFor(b, baseline.manifest), filesFor(c, current.manifest), ['baseline', 'current']);
    if (diff) out.push(`${b.model} / ${b.benchmark}: baseline and current read different data: ${diff}`);
  }
  return out;
}

/** Warnings for a report: per benchmark, models whose results read other data than the first model's. */
export function reportDataWarnings(file: ResultsFile): string[] {
  const out: string[] = [];
  const first = new Map<string, BenchmarkResult>();
  for (const r of file.results) {
    const f = first.get(r.benchmark);
    if (!f) {
      first.set(r.benchmark, r);
      continue;
    }
    if (!f.dataFiles || !r.dataFiles) continue; // one manifest list for the whole file: the same data by construction
    const diff = describeDataDifference(f.dataFiles, r.dataFiles, [f.model, r.model]);
    if (diff) out.push(`${r.benchmark}: ${f.model} and ${r.model} were scored on different data: ${diff}`);
  }
  return out;
}
