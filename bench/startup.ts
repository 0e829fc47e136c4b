// Start-up of the CLI as users call it: `eve-eval --version` and `eve-eval list`, each a fresh process,
// compiled (bin/build-cache.js, the cache already built) and from the TypeScript sources through tsx
// (EVE_EVAL_FROM_SOURCE=1, what every call paid before), beside a bare `node -e 0`. Target: < 0.5 s each.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { benchRuns, formatSpread, measureCommand, runCommand } from './measure.ts';

const CLI = join(fileURLToPath(new URL('..', import.meta.url)), 'bin', 'eve-eval.js');

export async function main(): Promise<Record<string, unknown>> {
  const runs = Math.max(5, benchRuns());
  await runCommand([process.execPath, CLI, '--version']); // builds the cache when the sources changed
  const out: Record<string, unknown> = {};
  const node = await measureCommand([process.execPath, '-e', '0'], runs);
  console.log(`node -e 0: ${formatSpread(node.seconds, 's')} (load average ${formatSpread(node.loadAverage, '', 1)})`);
  out.node = node.seconds;
  for (const args of [['--version'], ['list']]) {
    for (const [how, env] of [
      ['compiled', process.env],
      ['from source (tsx)', { ...process.env, EVE_EVAL_FROM_SOURCE: '1' }],
    ] as const) {
      const m = await measureCommand([process.execPath, CLI, ...args], runs, { env });
      console.log(
        `eve-eval ${args.join(' ')}, ${how}, ${runs} runs: ${formatSpread(m.seconds, 's')}, peak RSS ${m.peakRssMb ? formatSpread(m.peakRssMb, 'MB', 0) : 'n/a'} (load average ${formatSpread(m.loadAverage, '', 1)})`,
      );
      out[`${args.join(' ')} ${how}`] = m.seconds;
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
