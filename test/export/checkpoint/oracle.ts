// Finds the reference Python (torch, safetensors, transformers) and runs torch_oracle.py; tests that need it
// skip, saying why, when it is missing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { CheckpointError } from '../../../export/checkpoint/errors.ts';
import { PYTHON } from '../python.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, 'torch_oracle.py');

export interface Oracle {
  python?: string;
  /** why the oracle tests are skipped */
  reason?: string;
  safetensors: boolean;
  transformers: boolean;
}

function probe(): Oracle {
  const python = PYTHON;
  const none = { safetensors: false, transformers: false };
  if (!fs.existsSync(python)) return { reason: `no reference Python at ${python} (set EVE_EVAL_PYTHON)`, ...none };
  try {
    const code = 'import json, importlib.util as u, torch, numpy; print(json.dumps([u.find_spec(m) is not None for m in ("safetensors", "transformers")]))';
    const out = execFileSync(python, ['-c', code], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const [safetensors, transformers] = JSON.parse(out.trim()) as boolean[];
    return { python, safetensors, transformers: transformers && safetensors };
  } catch (e) {
    const msg = String((e as { stderr?: string }).stderr || (e as Error).message)
      .trim()
      .split('\n')
      .pop();
    return { reason: `${python} cannot import torch and numpy (${msg})`, ...none };
  }
}

export const oracle = probe();
if (oracle.reason) console.warn(`skipping the torch oracle tests: ${oracle.reason}`);
else {
  if (!oracle.safetensors) console.warn(`skipping the safetensors oracle tests: ${oracle.python} cannot import safetensors`);
  if (!oracle.transformers) console.warn(`skipping the transformers oracle tests: ${oracle.python} cannot import transformers and safetensors`);
}

/** Runs the named tasks of torch_oracle.py in one Python process; returns {task: result}. */
export function runOracle(dir: string, tasks: string[]): Record<string, any> {
  if (!oracle.python) throw new Error(oracle.reason);
  const out = execFileSync(oracle.python, [SCRIPT, dir, ...tasks], {
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONWARNINGS: 'ignore', TRANSFORMERS_VERBOSITY: 'error', HF_HUB_OFFLINE: '1' },
  });
  return JSON.parse(out);
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `eve-ckpt-${label}-`));
}

/** A raw little-endian float32 file as the oracle writes it. */
export function readF32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function writeF32(file: string, data: Float32Array): void {
  fs.writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Bit-exact equality (NaNs included), reporting the first difference. */
export function bitsEqual(got: Float32Array, want: Float32Array): string | undefined {
  if (got.length !== want.length) return `length ${got.length}, want ${want.length}`;
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < g.length; i++) if (g[i] !== w[i]) return `element ${i}: ${got[i]}, want ${want[i]}`;
  return undefined;
}

/**
 * Float32 values that probe f16/bf16 rounding: exact ties (both parities), f16 subnormals and overflow, signed
 * zeros and infinities, then random finite bit patterns, half of them inside f16's exponent range.
 */
export function roundingProbe(n: number, rand: () => number): Float32Array {
  const bits: number[] = [];
  const u = () => Math.floor(rand() * 0x100000000) >>> 0;
  for (const e of [103, 110, 113, 120, 127, 142]) {
    for (const low of [0x1000, 0x3000, 0x0fff, 0x1001]) bits.push((e << 23) | (0x2a0000 & ~0x1fff) | low, (1 << 31) | (e << 23) | low);
    for (const low of [0x8000, 0x18000, 0x7fff, 0x8001]) bits.push((e << 23) | 0x400000 | low);
  }
  const specials = [0, -0, Infinity, -Infinity, 65504, 65519.99, 65520, -65520, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 3 * 2 ** -26, 3.4028234663852886e38];
  const out = new Float32Array(n);
  const ob = new Uint32Array(out.buffer);
  let i = 0;
  for (const b of bits) if (i < n) ob[i++] = b >>> 0;
  for (const v of specials) if (i < n) out[i++] = v;
  for (; i < n; i++) {
    let x = u();
    if (i % 2) x = (x & 0x807fffff) | ((100 + (u() % 46)) << 23);
    if (((x >>> 23) & 0xff) === 0xff) x &= 0xff7fffff; // keep finite: NaN encodings differ between libraries
    ob[i] = x >>> 0;
  }
  return out;
}

/** The message of the CheckpointError `fn` throws, checked to be one line. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a CheckpointError');
}

export const f32 = (xs: number[]) => new Float32Array(xs);
