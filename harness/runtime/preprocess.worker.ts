// A preprocessing worker thread (harness/runtime/preprocess-pool.ts): decodes and preprocesses one image at a
// time with the family's own code, so the tensors are the ones the main thread would make, byte for byte.
import { parentPort } from 'node:worker_threads';
import { getFamily } from '../../adapters/registry.ts';
import { InputError } from '../../core/errors.ts';

export interface PreprocessJob {
  id: number;
  family: string;
  image: Uint8Array;
  source: string;
  cfg: Record<string, unknown>;
}

parentPort!.on('message', async (job: PreprocessJob) => {
  try {
    const px = await getFamily(job.family).preprocess(Buffer.from(job.image.buffer, job.image.byteOffset, job.image.byteLength), job.source, job.cfg);
    const transfer: ArrayBuffer[] = [px.data.buffer as ArrayBuffer];
    for (const e of Object.values(px.extra ?? {})) if (!transfer.includes(e.data.buffer as ArrayBuffer)) transfer.push(e.data.buffer as ArrayBuffer);
    parentPort!.postMessage({ id: job.id, pixels: px }, transfer);
  } catch (err) {
    const e = err as Error;
    const input = err instanceof InputError ? { file: err.file, where: err.where } : undefined;
    parentPort!.postMessage({ id: job.id, error: { name: e?.name, message: String(e?.message ?? err), input } });
  }
});
