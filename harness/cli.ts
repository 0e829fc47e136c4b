// The eve-eval command line: one file per subcommand in harness/commands/.
import { Command, CommanderError } from 'commander';
import { UserError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';

export type CommandModule = { register(program: Command): void };

const COMMANDS = ['list', 'data', 'score', 'submission', 'predict', 'all', 'run', 'report', 'gate', 'export', 'merge', 'serve'] as const;

export async function main(argv: string[]): Promise<number> {
  const program = new Command('eve-eval')
    .description('Evaluate encoder-free vision-language models (EVE) and their baselines on ten benchmarks.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const name of COMMANDS) {
    const mod = (await import(`./commands/${name}.ts`)) as CommandModule;
    mod.register(program);
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors with 1, which we map to 2 (bad input).
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UserError) {
      process.stderr.write(`eve-eval: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
