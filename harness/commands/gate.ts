// `eve-eval gate`: exit 0 when nothing regressed, 1 when something did, 2 on bad input.
import type { Command } from 'commander';
import { UserError } from '../../core/errors.ts';
import { compareResults, renderGate } from '../../reports/gate.ts';
import { loadResultsFile } from '../../reports/load.ts';

function number(flag: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UserError(`${flag} must be a number in [${min}, ${max}], got "${v}"`);
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('gate')
    .description('compare two results files; exit 1 when a model + benchmark regressed')
    .requiredOption('--baseline <file>', 'baseline results.json')
    .requiredOption('--current <file>', 'current results.json')
    .option('--tolerance <points>', 'headline points a score may drop', number('--tolerance', 0, 1e6), 0.5)
    .option(
      '--significance <p>',
      'p-value a drop must be under to count, in the paired test on the headline statistic (McNemar or a paired bootstrap of the statistic)',
      number('--significance', 0, 1),
      0.05,
    )
    .option('--allow-missing', 'do not fail when the current file lacks a model + benchmark of the baseline (a number that became unscored still fails)')
    .action(async (opts: { baseline: string; current: string; tolerance: number; significance: number; allowMissing?: boolean }) => {
      const baseline = await loadResultsFile(opts.baseline);
      const current = await loadResultsFile(opts.current);
      const report = compareResults(baseline, current, opts);
      process.stdout.write(`${renderGate(report)}\n`);
      process.exitCode = report.failed ? 1 : 0;
    });
}
