// `eve-eval run`: the same as `all` for a chosen subset; --models and --benchmarks are required.
import type { Command } from 'commander';
import { UserError } from '../../core/errors.ts';
import { addRunOptions, flagsFrom, runCommand } from '../runner/command.ts';

export function register(program: Command): void {
  addRunOptions(
    program
      .command('run')
      .description('run the chosen models on the chosen benchmarks (both required), as `all` does'),
  ).action(async (opts: Record<string, unknown>) => {
    const flags = flagsFrom(opts);
    if (!flags.models?.length || !flags.benchmarks?.length) {
      throw new UserError('run needs --models and --benchmarks (use `all` to run everything)');
    }
    process.exitCode = await runCommand(flags);
  });
}
