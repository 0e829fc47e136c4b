// Image decoding + family preprocessing on worker threads, so every core works while the main thread runs
// the model: the runner's read-ahead (harness/runner/pipeline.ts) calls prepare(), which hands the bytes to the
// least busy worker. The worker runs the family's own preprocess() (harness/runtime/preprocess.worker.ts):
// the tensors are byte-identical to the main thread's, and a bad image is the same one-line InputError.
//
// Where the worker's code comes from: core/worker-script.ts.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PixelInput } from '../../core/model-family.ts';
import { InputError } from '../../core/errors.ts';
import type { PreprocessJob } from './preprocess.worker.ts';
import { workerScript } from '../../core/worker-script.ts';

const SOURCE = new URL('./preprocess.worker.ts', import.meta.url);

interface Pending {
  resolve(p: PixelInput): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  busy: number;
}

export class PreprocessPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  /** `size` workers (default: one per core), started now; they do not keep the process alive. */
  constructor(readonly size = availableParallelism()) {
    const { script, eval: isEval } = workerScript(SOURCE);
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script, { eval: isEval });
      const slot: Slot = { worker, busy: 0 };
      worker.on(
        'message',
        (m: { id: number; pixels?: PixelInput; error?: { name: string; message: string; input?: { file: string; where: string | number | undefined } } }) => {
          if (--slot.busy === 0) worker.unref();
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          if (!p) return;
          if (m.pixels) p.resolve(m.pixels);
          else if (m.error?.input) {
            // The message already names the file; rebuild the InputError so callers classify it as before.
            const err = new InputError(m.error.input.file, m.error.input.where, '');
            err.message = m.error.message;
            p.reject(err);
          } else p.reject(Object.assign(new Error(m.error?.message ?? 'preprocessing failed'), { name: m.error?.name ?? 'Error' }));
        },
      );
      worker.on('error', (err) => {
        // A crashed worker fails what it holds; the pool goes on with the others.
        for (const [id, p] of this.pending)
          if ((p as Pending & { slot?: Slot }).slot === slot) {
            this.pending.delete(id);
            p.reject(err);
          }
        this.slots.splice(this.slots.indexOf(slot), 1);
      });
      // Ref'd only while it holds jobs: an idle worker must not keep the process alive after the command is
      // done, and a busy one must (its reply is all the main thread waits for). After the listeners, which ref.
      worker.unref();
      this.slots.push(slot);
    }
  }

  /** The family's preprocess(image, source, cfg), on the least busy worker. The image bytes are copied, not moved. */
  preprocess(family: string, image: Uint8Array, source: string, cfg: Record<string, unknown>): Promise<PixelInput> {
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a), this.slots[0]);
    if (!slot) return Promise.reject(new Error('no preprocessing worker is running'));
    const id = this.nextId++;
    if (slot.busy++ === 0) slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, Object.assign({ resolve, reject }, { slot }));
      const job: PreprocessJob = { id, family, image, source, cfg };
      slot.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}

let shared: PreprocessPool | undefined;

/** One pool per process, shared by every model of a run (started on first use, `size` fixed then). */
export function sharedPreprocessPool(size: number): PreprocessPool {
  shared ??= new PreprocessPool(size);
  return shared;
}

/**
 * Workers for a run: EVE_EVAL_PREPROCESS_WORKERS when set (0: the main thread), else one per core beyond two,
 * at most 8. On two cores onnxruntime already keeps both busy (README, Performance: read-ahead gained nothing
 * there), and each worker costs ~30 MB, so preprocessing stays on the main thread.
 */
export function defaultPreprocessWorkers(): number {
  const env = process.env.EVE_EVAL_PREPROCESS_WORKERS;
  if (env !== undefined && /^\d+$/.test(env)) return Number(env);
  const cores = availableParallelism();
  return cores > 2 ? Math.min(cores - 1, 8) : 0;
}
