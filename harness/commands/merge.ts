// `eve-eval merge OUT`: join the shards of a sharded run (OUT/shards/<i>-of-<n>/) into OUT, refusing with the
// missing ids when a shard is incomplete, then score and write results.json, the table and report.html.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { addJudgeOptions, resolveJudge, resolveMmbenchRules, type JudgeFlags } from '../judge/index.ts';

export function register(program: Command): void {
  const cmd = program
    .command('merge')
    .description(
      'join the shards of a --shard run into OUT (every sample exactly once, else refused naming the ids), score, write results.json and report.html',
    )
    .argument('<out>', 'the --out folder the shards ran into')
    .option('--data <dir>', 'the benchmark data root on this machine (default: where the shards read it)');
  addJudgeOptions(cmd).action(async (out: string, o: { data?: string } & JudgeFlags) => {
    const { mergeAndPresent } = await import('../runner/merge.ts');
    process.exitCode = await mergeAndPresent(resolve(out), {
      data: o.data === undefined ? undefined : resolve(o.data),
      judge: await resolveJudge(o),
      mmbenchRules: resolveMmbenchRules(o.mmbenchRules),
    });
  });
}
