// Terminal text for `eve-eval data status|check|guide`: a table per benchmark split, then each file with
// the release its checksum matches, then the problems; the guide from benchmarks/data-catalog.ts.
import { BENCHMARK_IDS, type BenchmarkId } from '../../core/benchmark.ts';
import { DATA_CATALOG } from '../../benchmarks/data-catalog.ts';
import type { BenchmarkStatus, FileStatus, SplitStatus } from './status.ts';

const n = (x: number) => x.toLocaleString('en-US');

function questions(s: SplitStatus): string {
  if (!s.present) return 'absent';
  if (s.error) return 'unreadable';
  const got = n(s.samples ?? 0);
  if (s.expected === undefined) return got;
  return s.samples === s.expected ? `${got} ✓` : `${got} of ${n(s.expected)} ✗`;
}

function images(s: SplitStatus): string {
  if (!s.present || s.error) return '';
  const i = s.images;
  if (!i) return 'none referenced';
  const found = i.referenced - i.missing - (s.videoWithoutFrames ?? 0);
  const parts = [`${n(found)} / ${n(i.referenced)} found`];
  if (i.unreadable) parts.push(`${n(i.unreadable)} unreadable`);
  if (s.videoWithoutFrames) parts.push(`${n(s.videoWithoutFrames)} video questions without a frame`);
  if (s.absentFolders?.length) parts.push(`absent: ${s.absentFolders.join(', ')}`);
  return parts.join('; ');
}

function release(f: FileStatus): string {
  if (!f.present) return f.optional ? 'absent (optional)' : 'absent';
  if (f.release) return f.expectedRelease ? f.release : `${f.release} ✗ not the expected release`;
  if (f.unknownChecksum) return `✗ md5 ${f.md5} matches no known release`;
  return `md5 ${f.md5} (no release listed)`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
}

export function renderStatus(statuses: BenchmarkStatus[], root: string): string {
  const rows = [['benchmark', 'split', 'questions', 'images (distinct files, or embedded rows)']];
  for (const b of statuses) for (const s of b.splits) rows.push([b.benchmark, s.split, questions(s), images(s)]);
  const out = [`data root: ${root}`, '', ...table(rows), ''];
  for (const b of statuses) {
    const shown = b.files.filter((f) => f.present || !f.optional);
    if (!shown.length) continue;
    out.push(`${b.benchmark} files:`);
    for (const line of table(shown.map((f) => [`  ${f.path}`, release(f)]))) out.push(line);
  }
  const problems = statuses.flatMap((b) => b.problems);
  out.push('');
  out.push(problems.length ? `${problems.length} problem${problems.length > 1 ? 's' : ''}:` : 'no problems found');
  for (const p of problems) out.push(`  - ${p}`);
  return out.join('\n');
}

export function renderGuide(id?: BenchmarkId): string {
  const out: string[] = [];
  const ids = id ? [id] : BENCHMARK_IDS;
  if (!id) {
    out.push("Where each benchmark's files come from and where eve-eval reads them, relative to --data (the LLaVA-1.5 / EVE");
    out.push('playground/data/eval layout). eve-eval downloads nothing; `eve-eval data check --data DIR` checks what you put there.');
    out.push('');
  }
  for (const b of ids) {
    const e = DATA_CATALOG[b];
    out.push(`== ${b}`);
    out.push(
      '  expected: ' +
        Object.entries(e.expected)
          .map(([s, c]) => `${s} ${n(c.samples)}${c.images !== undefined ? ` (${n(c.images)} with an image)` : ''}`)
          .join(', '),
    );
    out.push('  from:');
    for (const s of e.guide.sources) out.push(`    - ${s}`);
    if (e.vlmevalkit.length) {
      out.push("  VLMEvalKit TSVs (in --data or the benchmark folder): `data status` checks them against VLMEvalKit's MD5:");
      for (const t of e.vlmevalkit)
        out.push(
          `    - ${t.name}.tsv  ${t.url}  md5 ${t.releases[0].md5}  (${t.readByRuns ? 'runs read it from the benchmark folder' : 'runs do not read it yet'})`,
        );
    }
    out.push('  layout:');
    for (const l of e.guide.layout) out.push(`    ${l}`);
    out.push(`  licence: ${e.guide.licence}`);
    out.push('');
  }
  return out.join('\n');
}
