// `eve-eval run`: the same as `all` for a chosen subset: models and benchmarks named by flags or by the config file.
import type { Command } from 'commander';
import { UserError } from '../../core/errors.ts';
import { loadConfigFile } from '../config.ts';
import { addRunOptions, flagsFrom, runCommand } from '../runner/command.ts';

export function register(program: Command): void {
  addRunOptions(
    program.command('run').description('run the chosen models on the chosen benchmarks (both required, as flags or in --config), as `all` does'),
  ).action(async (opts: Record<string, unknown>) => {
    const flags = flagsFrom(opts);
    const file = flags.config ? await loadConfigFile(flags.config) : undefined;
    if (!(flags.models?.length || file?.models?.length) || !(flags.benchmarks?.length || file?.benchmarks?.length)) {
      throw new UserError('run needs models and benchmarks: --models and --benchmarks, or a --config naming them (use `all` to run everything)');
    }
    process.exitCode = await runCommand(flags);
  });
}
