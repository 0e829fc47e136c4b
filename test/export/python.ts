// The Python oracles the export tests run: Debian's torch in a venv with transformers from PyPI
// (.ci/run makes <repo>/.venv-ref), or EVE_EVAL_PYTHON. A user's checkout has neither, so each test
// file asks skipReason() and skips with the printed reason instead of failing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');
export const PYTHON = process.env.EVE_EVAL_PYTHON || join(REPO, '.venv-ref', 'bin', 'python');

const cache = new Map<string, string | undefined>();

/** Why the oracle cannot run (undefined when it can): no interpreter, or a module it cannot import. */
export function pythonSkipReason(modules: string[], python = PYTHON, setUp = "run .ci/run's set-up, or set EVE_EVAL_PYTHON"): string | undefined {
  const key = `${python}:${modules.join(',')}`;
  if (!cache.has(key)) {
    let reason: string | undefined;
    if (!existsSync(python)) reason = `no Python at ${python} (${setUp})`;
    else {
      const r = spawnSync(python, ['-c', `import ${modules.join(',')}`], { encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) reason = `${python} cannot import ${modules.join(',')}: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
    }
    cache.set(key, reason);
  }
  return cache.get(key);
}

/**
 * Run a reference script (argument array, no shell) and resolve with its stdout; rejects with its stderr
 * tail. Asynchronous on purpose: a worker blocked for a minute in spawnSync misses vitest's RPC calls,
 * which fails the run ("Timeout calling onTaskUpdate") even with every test green.
 */
export function runPython(script: string, args: string[], timeoutMs = 600_000, python = PYTHON): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script, ...args], {
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', TRANSFORMERS_VERBOSITY: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-6000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${script} ${args[0] ?? ''} failed (${code ?? signal}): ${err.slice(-3000)}`));
    });
  });
}
