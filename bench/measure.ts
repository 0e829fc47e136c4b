// Whole commands timed as a user runs them: a fresh process each run, wall time and peak RSS, summarised as
// min / median / max over several runs (the shared 2-core machine moves single figures 2–4×). Peak RSS
// comes from GNU time (/usr/bin/time) when it is installed; without it, figures are wall time only.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';

const GNU_TIME = '/usr/bin/time';

export interface CommandRun {
  seconds: number;
  /** Peak resident set size in MB, null without GNU time. */
  peakRssMb: number | null;
  stdout: string;
  stderr: string;
}

/** Run `argv` (no shell) once; rejects on a non-zero exit with the stderr tail. */
export function runCommand(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandRun> {
  const timed = existsSync(GNU_TIME);
  const [cmd, ...args] = timed ? [GNU_TIME, '-f', '@@peak-kb %M', ...argv] : argv;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const m = /@@peak-kb (\d+)\s*$/.exec(stderr);
      if (m) stderr = stderr.slice(0, m.index);
      if (code !== 0) return reject(new Error(`${argv.join(' ')}: exit ${code}: ${stderr.slice(-2000)}`));
      resolve({ seconds, peakRssMb: m ? Number(m[1]) / 1024 : null, stdout, stderr });
    });
  });
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return { min: v[0], median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2, max: v[v.length - 1] };
}

/** "1.23 / 1.40 / 2.01 s" (min / median / max). */
export function formatSpread(s: Spread, unit: string, digits = 2): string {
  return `${s.min.toFixed(digits)} / ${s.median.toFixed(digits)} / ${s.max.toFixed(digits)} ${unit}`;
}

/** `runs` fresh runs of one command: the runs, and wall time and peak RSS spreads. */
export async function measureCommand(argv: string[], runs: number, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const all: CommandRun[] = [];
  const load: number[] = [];
  for (let i = 0; i < runs; i++) {
    load.push(loadavg()[0]);
    all.push(await runCommand(argv, options));
  }
  const rss = all.map((r) => r.peakRssMb).filter((x): x is number => x !== null);
  return { runs: all, seconds: spread(all.map((r) => r.seconds)), peakRssMb: rss.length ? spread(rss) : null, loadAverage: spread(load) };
}

/** How many runs per figure: BENCH_RUNS, default 3 (min / median / max need at least that). */
export function benchRuns(fallback = 3): number {
  const n = Number(process.env.BENCH_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
