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
  // Only the named subcommand's module is loaded (each pulls in its own dependencies: onnxruntime, sharp);
  // --version needs none; --help and anything unknown load them all, so commander lists them or reports the typo.
  const named = COMMANDS.find((c) => c === argv[2]);
  const versionOnly = argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V');
  for (const name of versionOnly ? [] : named ? [named] : COMMANDS) {
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
