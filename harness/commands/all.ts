// `eve-eval all`: every configured model through every configured benchmark. With no flags at all,
// the tiny EVE, Fuyu and LLaVA bundles on the built-in fixtures, on the CPU, into runs/default.
import type { Command } from 'commander';
import { addRunOptions, flagsFrom, runCommand } from '../runner/command.ts';

export function register(program: Command): void {
  addRunOptions(
    program.command('all').description('run every model on every benchmark, print the comparison table, write results.json and report.html'),
  ).action(async (opts: Record<string, unknown>) => {
    process.exitCode = await runCommand(flagsFrom(opts));
  });
}
