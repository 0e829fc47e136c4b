// onnxruntime-node sessions: execution provider choice with a CPU fallback, thread counts, and a
// run() wrapper that counts the time spent inside session.run (the benchmark reports the rest as
// host overhead).
import ort from 'onnxruntime-node';
import { InputError, UserError } from '../../core/errors.ts';

export type Device = 'cpu' | 'cuda' | 'webgpu';
export const DEVICES: readonly Device[] = ['cpu', 'cuda', 'webgpu'];

export interface SessionSettings {
  device: Device;
  /** Intra-op threads (onnxruntime's default, all cores, when absent). */
  threads?: number;
  /** Outputs to keep on the device between runs (WebGPU: the KV cache), by name. */
  keepOnDevice?: (outputName: string) => boolean;
}

/** One loaded ONNX part. `provider` is the execution provider actually in use (after any fallback). */
export interface Part {
  file: string;
  session: ort.InferenceSession;
  provider: Device;
  /** Milliseconds spent inside session.run since creation. */
  runMs: number;
  runs: number;
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
}

export function parseDevice(value: string): Device {
  if ((DEVICES as readonly string[]).includes(value)) return value as Device;
  throw new UserError(`--device must be one of ${DEVICES.join(', ')} (got "${value}")`);
}

/** Devices already reported as unavailable, so the fallback notice is printed once per process. */
const noticed = new Set<Device>();

function options(s: SessionSettings, device: Device, outputNames?: readonly string[]): ort.InferenceSession.SessionOptions {
  const o: ort.InferenceSession.SessionOptions = {
    executionProviders: [device],
    graphOptimizationLevel: 'all',
    // No CPU memory arena: it grows in powers of two to the largest batch's activations and keeps them for
    // the session's life, which held ~300 MB of the default run's 1.1 GB peak; without it that run is no
    // slower (bench/default-run.ts). Large models on the CPU: see README, Performance.
    enableCpuMemArena: false,
    // onnxruntime prints its own EP-loading failures at "error" level; the fallback notice says it once.
    logSeverityLevel: 4,
  };
  if (s.threads !== undefined) {
    o.intraOpNumThreads = s.threads;
    o.interOpNumThreads = 1;
  }
  if (device === 'webgpu' && s.keepOnDevice && outputNames) {
    const loc: Record<string, 'gpu-buffer' | 'cpu'> = {};
    for (const n of outputNames) loc[n] = s.keepOnDevice(n) ? 'gpu-buffer' : 'cpu';
    o.preferredOutputLocation = loc;
  }
  return o;
}

function firstLine(err: unknown): string {
  return (
    String((err as Error)?.message ?? err)
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? 'unknown error'
  );
}

/**
 * Create a session for `file` on `settings.device`; when that provider cannot start (no CUDA
 * libraries, no WebGPU adapter), print one notice to stderr and use the CPU instead.
 */
export async function createPart(file: string, settings: SessionSettings): Promise<Part> {
  let provider = settings.device;
  let session: ort.InferenceSession | undefined;
  if (provider !== 'cpu' && !noticed.has(provider)) {
    try {
      // Output names are only known after loading, so a WebGPU session is created twice when outputs
      // are to stay on the device; both are cheap next to the weights transfer.
      session = await ort.InferenceSession.create(file, options(settings, provider));
      if (provider === 'webgpu' && settings.keepOnDevice) {
        const names = session.outputNames;
        await session.release();
        session = await ort.InferenceSession.create(file, options(settings, provider, names));
      }
    } catch (err) {
      noticed.add(provider);
      process.stderr.write(`eve-eval: notice: the ${provider} execution provider is unavailable (${firstLine(err)}); falling back to cpu\n`);
      session = undefined;
    }
  }
  if (!session) {
    try {
      session = await ort.InferenceSession.create(file, options(settings, 'cpu'));
    } catch (err) {
      throw new InputError(file, undefined, `cannot load ONNX model: ${firstLine(err)}`);
    }
    provider = 'cpu';
  }
  const s = session;
  const part: Part = {
    file,
    session: s,
    provider,
    runMs: 0,
    runs: 0,
    async run(feeds) {
      const t0 = performance.now();
      const out = (await s.run(feeds)) as Record<string, ort.Tensor>;
      part.runMs += performance.now() - t0;
      part.runs++;
      return out;
    },
  };
  return part;
}
