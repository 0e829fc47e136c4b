// The README's first command as a user runs it: `eve-eval all` (three tiny bundles through the ten
// benchmarks' fixtures) into a fresh folder, then the rerun that resumes from the store: wall time and peak
// RSS, min / median / max over fresh processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchRuns, formatSpread, runCommand, spread } from './measure.ts';
import { loadavg } from 'node:os';

const CLI = join(fileURLToPath(new URL('..', import.meta.url)), 'bin', 'eve-eval.js');

export async function main(): Promise<Record<string, unknown>> {
  const runs = benchRuns();
  const fresh: Array<{ seconds: number; rss: number | null }> = [];
  const rerun: Array<{ seconds: number; rss: number | null }> = [];
  const load: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), 'eve-eval-bench-all-'));
    try {
      load.push(loadavg()[0]);
      const a = await runCommand([process.execPath, CLI, 'all', '--out', out]);
      fresh.push({ seconds: a.seconds, rss: a.peakRssMb });
      const b = await runCommand([process.execPath, CLI, 'all', '--out', out]);
      rerun.push({ seconds: b.seconds, rss: b.peakRssMb });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  const show = (xs: typeof fresh) => {
    const rss = xs.map((x) => x.rss).filter((x): x is number => x !== null);
    return `${formatSpread(spread(xs.map((x) => x.seconds)), 's', 1)}, peak RSS ${rss.length ? formatSpread(spread(rss), 'MB', 0) : 'n/a'}`;
  };
  console.log(`eve-eval all (embedded default), ${runs} fresh runs: ${show(fresh)} (load average ${formatSpread(spread(load), '', 1)})`);
  console.log(`  rerun (every answer from the store): ${show(rerun)}`);
  return { fresh, rerun, loadAverage: spread(load) };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
