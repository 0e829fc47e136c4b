// The checkpoint tensors an export reads, with bookkeeping: every key is either used by a graph,
// skipped for a stated reason (training-only modules, RoPE buffers), or reported as unused.
import type { Checkpoint } from './checkpoint/types.ts';
import { CheckpointError } from './checkpoint/errors.ts';
import type { Tensor } from './onnx/layers.ts';

export class Weights {
  private used = new Set<string>();
  private skipped = new Map<string, string>();

  /** sources: the main checkpoint, and others by name (LLaVA's separate CLIP tower). */
  constructor(readonly sources: Record<string, Checkpoint>) {}

  has(source: string, key: string): boolean {
    return this.sources[source]?.info(key) !== undefined;
  }

  /** A tensor as float32, checked against the shape the family expects (when given). */
  get(source: string, key: string, shape?: number[]): Tensor {
    const ck = this.sources[source];
    const info = ck?.info(key);
    if (!ck || !info) throw new CheckpointError(ck?.dir ?? source, key, 'is missing from the checkpoint (the family needs it)');
    if (shape && (shape.length !== info.shape.length || shape.some((d, i) => d !== info.shape[i]))) {
      throw new CheckpointError(info.file, key, `has shape [${info.shape.join(', ')}], config.json implies [${shape.join(', ')}]`);
    }
    this.used.add(`${source}\u0000${key}`);
    return { data: ck.readFloat32(key), shape: info.shape };
  }

  /** Mark keys matching `test` as deliberately not exported. */
  skip(source: string, test: (key: string) => boolean, reason: string): void {
    for (const key of this.sources[source]?.keys() ?? [])
      if (test(key) && !this.used.has(`${source}\u0000${key}`)) this.skipped.set(`${source}\u0000${key}`, reason);
  }

  /** Keys of a source that were neither read nor skipped. */
  unused(source: string): string[] {
    return (this.sources[source]?.keys() ?? []).filter((k) => !this.used.has(`${source}\u0000${k}`) && !this.skipped.has(`${source}\u0000${k}`));
  }

  summary(): { used: number; skipped: Record<string, number>; unused: Record<string, string[]> } {
    const skipped: Record<string, number> = {};
    for (const reason of this.skipped.values()) skipped[reason] = (skipped[reason] ?? 0) + 1;
    const unused: Record<string, string[]> = {};
    for (const s of Object.keys(this.sources)) {
      const u = this.unused(s);
      if (u.length) unused[s] = u;
    }
    return { used: this.used.size, skipped, unused };
  }

  close(): void {
    for (const c of Object.values(this.sources)) c.close();
  }
}
