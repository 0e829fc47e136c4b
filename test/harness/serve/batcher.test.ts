import { describe, expect, it } from 'vitest';
import { Batcher, QueueFull } from '../../../harness/serve/batcher.ts';
import type { GenerateItemResult, PreparedItem } from '../../../harness/runtime/model.ts';

/** A model whose generate() takes `ms` and answers each item with its source; records every call's sources. */
function fakeModel(ms = 20) {
  const calls: string[][] = [];
  return {
    calls,
    async generate(items: PreparedItem[]): Promise<GenerateItemResult[]> {
      calls.push(items.map((i) => i.source));
      await new Promise((r) => setTimeout(r, ms));
      return items.map((i) => ({
        text: i.source,
        imageTokens: 0,
        promptTokens: 1,
        generatedTokens: 1,
        tokenIds: [2],
        timings: { preprocess_ms: 0, prefill_ms: 0, decode_ms: 0 },
        image: null,
      }));
    },
  };
}
const item = (source: string) => ({ kind: 'prepared', source }) as unknown as PreparedItem;

describe('Batcher', () => {
  it('a lone request goes at once; requests arriving during a batch share the next one, in arrival order, up to maxBatch', async () => {
    const model = fakeModel();
    const b = new Batcher(model, 3, 100);
    const first = b.run(async () => item('a'));
    await new Promise((r) => setTimeout(r, 5));
    const rest = ['b', 'c', 'd', 'e', 'f'].map((s) => b.run(async () => item(s)));
    const out = await Promise.all([first, ...rest]);
    expect(out.map((o) => ('text' in o.result ? o.result.text : ''))).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(model.calls).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f']]);
    expect(out.map((o) => o.batchSize)).toEqual([1, 3, 3, 3, 2, 2]);
    expect(b.batches).toBe(3);
    expect(b.items).toBe(6);
  });

  it('refuses past maxQueue waiting (the batch in the model does not count), and frees the slots as batches start', async () => {
    const model = fakeModel(30);
    const b = new Batcher(model, 1, 2);
    const running = b.run(async () => item('r'));
    await new Promise((r) => setTimeout(r, 5));
    const waiting = [b.run(async () => item('w1')), b.run(async () => item('w2'))];
    await new Promise((r) => setTimeout(r, 1));
    await expect(b.run(async () => item('x'))).rejects.toBeInstanceOf(QueueFull);
    expect(b.queued).toBe(2);
    await Promise.all([running, ...waiting]);
    expect(b.queued).toBe(0);
    await expect(b.run(async () => item('y'))).resolves.toMatchObject({ batchSize: 1 });
  });

  it('a request that fails to prepare or check frees its slot and reaches no batch', async () => {
    const model = fakeModel(5);
    const b = new Batcher(model, 4, 1);
    await expect(
      b.run(async () => {
        throw new Error('bad image');
      }),
    ).rejects.toThrow('bad image');
    await expect(
      b.run(
        async () => item('long'),
        () => {
          throw new Error('too long');
        },
      ),
    ).rejects.toThrow('too long');
    expect(b.queued).toBe(0);
    expect(model.calls).toEqual([]);
    await expect(b.run(async () => item('ok'))).resolves.toMatchObject({ batchSize: 1 });
  });
});
