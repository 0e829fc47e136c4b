// `eve-eval list [--data DIR]`: the ten benchmarks (id, title, default split) and, with --data, which
// of their splits have files under DIR.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { UserError } from '../../core/errors.ts';
import { allBenchmarks } from '../predictions.ts';

interface Row {
  id: string;
  title: string;
  defaultSplit: string;
  splits: string[];
  present?: string[];
}

export function register(program: Command): void {
  program
    .command('list')
    .description('list the ten benchmarks; with --data, which of them are present under DIR')
    .option('--data <dir>', 'data root (the LLaVA/EVE eval layout) to check')
    .option('--json', 'print one JSON array')
    .action(async (opts: { data?: string; json?: boolean }) => {
      if (opts.data !== undefined && !existsSync(opts.data)) throw new UserError(`${opts.data}: data folder not found`);
      const rows: Row[] = [];
      for (const a of await allBenchmarks()) {
        const row: Row = { id: a.id, title: a.title, defaultSplit: a.defaultSplit, splits: a.splits };
        if (opts.data !== undefined) {
          const root = resolve(opts.data);
          row.present = [];
          for (const s of a.splits) if (await a.present(root, s)) row.present.push(s);
        }
        rows.push(row);
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      const w = (k: (r: Row) => string, min: number) => Math.max(min, ...rows.map((r) => k(r).length));
      const wid = w((r) => r.id, 2);
      const wt = w((r) => r.title, 5);
      const ws = w((r) => r.defaultSplit, 13);
      const header = ['id'.padEnd(wid), 'title'.padEnd(wt), 'default split'.padEnd(ws)];
      if (opts.data !== undefined) header.push(`present under ${opts.data}`);
      const lines = [header.join('  ').trimEnd()];
      for (const r of rows) {
        const cols = [r.id.padEnd(wid), r.title.padEnd(wt), r.defaultSplit.padEnd(ws)];
        if (r.present) cols.push(r.present.length ? `yes (${r.present.join(', ')})` : 'no');
        lines.push(cols.join('  ').trimEnd());
      }
      if (opts.data !== undefined) lines.push(`${rows.filter((r) => r.present?.length).length} of ${rows.length} benchmarks present`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
