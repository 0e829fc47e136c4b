// The big-TSV read (issue 12): a ~1 GB synthetic TSV in VLMEvalKit's MMBench layout (base64 images inline,
// generated under the OS temp folder at bench time and deleted after), read by eve-eval's MMBench reader
// scoring-only (images skipped) and with images, beside pandas.read_table on the same file (with
// usecols for the scoring-only case, as a scorer would call it). Each read runs in a fresh process, so its
// peak RSS is its own. pandas comes from /usr/bin/python3 (Debian's python3-pandas); without it the bench
// says "pandas absent" and times eve-eval alone. BENCH_TSV_MB sets the size (default 1024).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readMMBenchTsv } from '../benchmarks/mmbench/read.ts';

const PY = '/usr/bin/python3';
const HEADER = ['index', 'question', 'hint', 'A', 'B', 'C', 'D', 'answer', 'category', 'image', 'source', 'l2-category', 'comment', 'split'];

export async function writeTsv(file: string, mb: number): Promise<number> {
  const out = createWriteStream(file);
  const write = (s: string) => new Promise<void>((res) => (out.write(s) ? res() : out.once('drain', () => res())));
  await write(HEADER.join('\t') + '\n');
  let bytes = 0;
  let rows = 0;
  let seed = 1;
  const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  while (bytes < mb * 2 ** 20) {
    // Images of 40–250 KB (base64 ~55–340 KB), as MMBench's photos and charts run.
    const img = randomBytes(40_000 + Math.floor(rand() * 210_000)).toString('base64');
    const q = rows % 1000;
    const row =
      [
        rows,
        `Which option describes image ${q} best?`,
        rand() < 0.4 ? '' : `A hint, with "quotes" ${q}`,
        `red ${q}`,
        `green ${q}`,
        rand() < 0.2 ? '' : `blue ${q}`,
        rand() < 0.3 ? '' : `yellow ${q}`,
        'ABCD'[rows % 4],
        `cat${q % 20}`,
        img,
        'bench',
        `l2_${q % 6}`,
        '',
        'dev',
      ].join('\t') + '\n';
    bytes += row.length;
    rows++;
    await write(row);
  }
  await new Promise<void>((res) => out.end(res));
  return rows;
}

/** A read in a fresh process: seconds and peak RSS (MB). */
function measure(cmd: string, args: string[]): { s: number; rssMb: number; rows: number } | { error: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || '').trim().split('\n').pop() ?? 'failed' };
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const PANDAS = `
import json, resource, sys, time
import pandas as pd
t = time.perf_counter()
cols = None if sys.argv[2] == 'full' else [c for c in ${JSON.stringify(HEADER)} if c != 'image']
df = pd.read_table(sys.argv[1], usecols=cols)
s = time.perf_counter() - t
print(json.dumps({'s': s, 'rssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'rows': len(df)}))
`;

/** The child side: read the file once with eve-eval's reader and print {s, rssMb, rows}. */
export async function child(file: string, mode: string): Promise<void> {
  const t = performance.now();
  let rows = 0;
  let imageChars = 0;
  for await (const row of readMMBenchTsv(file, mode === 'full')) {
    rows++;
    imageChars += row.image?.length ?? 0; // touch the image as a consumer would
  }
  const s = (performance.now() - t) / 1000;
  process.stdout.write(JSON.stringify({ s, rssMb: process.resourceUsage().maxRSS / 1024, rows, imageChars }) + '\n');
}

export async function main(): Promise<Record<string, number>> {
  const mb = Number(process.env.BENCH_TSV_MB ?? 1024);
  const dir = await mkdtemp(join(tmpdir(), 'bench-tsv-'));
  const file = join(dir, 'MMBench_synthetic.tsv');
  const figures: Record<string, number> = {};
  try {
    const rows = await writeTsv(file, mb);
    const size = (await stat(file)).size;
    console.log(`tsv: ${(size / 2 ** 30).toFixed(2)} GiB, ${rows} rows (VLMEvalKit MMBench layout, base64 images)`);
    const hasPandas = spawnSync(PY, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0;
    const self = fileURLToPath(import.meta.url);
    for (const mode of ['scoring', 'full'] as const) {
      const ours = measure(process.execPath, [
        '--import',
        'tsx',
        '-e',
        `import(${JSON.stringify(pathToFileURL(self).href)}).then((m) => m.child(${JSON.stringify(file)}, '${mode}'))`,
      ]);
      const theirs = hasPandas ? measure(PY, ['-c', PANDAS, file, mode]) : { error: 'pandas absent' };
      const fmt = (r: ReturnType<typeof measure>) => ('error' in r ? r.error : `${r.s.toFixed(2)} s, peak RSS ${r.rssMb.toFixed(0)} MB, ${r.rows} rows`);
      console.log(
        `tsv ${mode === 'scoring' ? 'scoring-only (images skipped)' : 'with images'}: eve-eval ${fmt(ours)} | pandas.read_table${mode === 'scoring' ? ' (usecols)' : ''} ${fmt(theirs)}`,
      );
      if (!('error' in ours)) Object.assign(figures, { [`tsv.${mode}.s`]: ours.s, [`tsv.${mode}.rss_mb`]: ours.rssMb });
      if (!('error' in theirs)) Object.assign(figures, { [`tsv.${mode}.pandas_s`]: theirs.s, [`tsv.${mode}.pandas_rss_mb`]: theirs.rssMb });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
