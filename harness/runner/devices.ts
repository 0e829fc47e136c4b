// `--devices 0,1,2,3`: one host, several accelerators. Each device gets its own eve-eval process running one
// shard (--shard i/n) with CUDA_VISIBLE_DEVICES naming that device alone, so onnxruntime's device 0 is
// that card; when all have finished, the shards are merged in this process as `eve-eval merge` would.
// Separate processes, not threads: onnxruntime holds one native context per process and a crash on one
// card must not take the others' finished answers down (each shard's answers are already on disk).
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { UserError } from '../../core/errors.ts';
import { PACKAGE_ROOT, resolveConfig, type RunFlags } from '../config.ts';

/** This process's arguments without --devices (and its value), which the children must not see. */
function argsWithoutDevices(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--devices') i++;
    else if (!argv[i].startsWith('--devices=')) out.push(argv[i]);
  }
  return out;
}

function runShard(args: string[], device: string, index: number): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, CUDA_VISIBLE_DEVICES: device },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Each line prefixed, so four shards' logs stay readable interleaved.
    const prefix = `[shard ${index} / device ${device}] `;
    createInterface({ input: child.stdout! }).on('line', (l) => process.stdout.write(`${prefix}${l}\n`));
    createInterface({ input: child.stderr! }).on('line', (l) => process.stderr.write(`${prefix}${l}\n`));
    child.on('error', fail);
    child.on('close', (code, signal) => done(code ?? (signal === 'SIGINT' ? 130 : 143)));
  });
}

export async function runOnDevices(flags: RunFlags, devices: string[]): Promise<number> {
  if (devices.length === 0) throw new UserError('--devices needs at least one device id');
  if (new Set(devices).size !== devices.length) throw new UserError(`--devices names a device twice (${devices.join(',')})`);
  if (flags.shard !== undefined) throw new UserError('--devices and --shard do not go together: --devices makes its own shards');
  // Validates everything (config file, models, benchmarks) once, before any child starts.
  const config = await resolveConfig({ ...flags, shard: `0/${devices.length}` });
  const n = devices.length;
  const base = [join(PACKAGE_ROOT, 'bin/eve-eval.js'), ...argsWithoutDevices(process.argv.slice(2)), '--out', resolve(config.out)];
  const codes = await Promise.all(devices.map((d, i) => runShard([...base, '--shard', `${i}/${n}`], d, i)));
  // 0 and 1 (error rate above the limit) leave complete shards; anything else stopped a shard early.
  const failed = codes.map((c, i) => ({ c, i })).filter(({ c }) => c !== 0 && c !== 1);
  if (failed.length) {
    throw new UserError(
      `${failed.map(({ c, i }) => `shard ${i}/${n} (device ${devices[i]}) exited ${c}`).join('; ')}: ` +
        `its log is above; rerun the same command to resume, or \`eve-eval merge ${config.out}\` once the shards are complete`,
    );
  }
  const { mergeAndPresent } = await import('./merge.ts');
  return mergeAndPresent(config.out);
}
