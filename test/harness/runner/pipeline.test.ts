import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPipeline, type PipelineOptions } from '../../../harness/runner/pipeline.ts';
import { ResumeStore } from '../../../harness/runner/resume-store.ts';
import { FakeBackend, fakeAdapter, writeFakeData } from './fakes.ts';
import type { GenerateItem, GenerateResult, PrepareResult } from '../../../harness/backends/types.ts';

async function pass(root: string, backend: FakeBackend, extra: Partial<PipelineOptions> = {}) {
  const store = await ResumeStore.open(join(root, 'out', 'p.jsonl'));
  try {
    return await runPipeline({
      adapter: fakeAdapter(),
      adapterVersion: '1',
      dataRoot: root,
      split: 'test',
      backend,
      store,
      batchSize: 3,
      concurrency: 2,
      maxNewTokensCap: null,
      ...extra,
    });
  } finally {
    await store.close();
  }
}

describe('runPipeline', () => {
  it('generates in batches, records per-sample errors, and resumes without regenerating', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pipe-'));
    await writeFakeData(root, 10, ['q4']);
    const b1 = new FakeBackend();
    const r1 = await pass(root, b1);
    expect(r1.samples.map((s) => s.id)).toEqual(Array.from({ length: 10 }, (_, i) => `q${i}`));
    expect(b1.calls.every((c) => c.length <= 3)).toBe(true);
    expect(b1.generatedIds).not.toContain('q4'); // corrupt image never reaches the model
    expect(r1.answers.get('q4')?.error?.kind).toBe('image');
    expect(r1.answers.get('q4')?.error?.message).toContain('q4.png');
    expect(r1.answers.get('q7')?.text).toBe('7');
    expect(r1.errors).toBe(1);
    const rec7 = r1.records.find((r) => r.id === 'q7')!;
    expect(rec7.image).toEqual({ width: 15, height: 8 });

    const b2 = new FakeBackend();
    const r2 = await pass(root, b2);
    expect(b2.generatedIds).toEqual([]); // q4 is retried but fails again before the model
    expect(r2.resumed).toBe(9);
    expect(r2.answers.get('q4')?.error).toBeDefined();
    const lines = (await readFile(join(root, 'out', 'p.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.length).toBe(10);
  });

  it('reruns everything when the model fingerprint or generation options change', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pipe-'));
    await writeFakeData(root, 4);
    await pass(root, new FakeBackend());
    const b2 = new FakeBackend('fake-model', 'fp-2');
    await pass(root, b2);
    expect(b2.generatedIds.sort()).toEqual(['q0', 'q1', 'q2', 'q3']);
    const b3 = new FakeBackend('fake-model', 'fp-2');
    await pass(root, b3, { maxNewTokensCap: 8 });
    expect(b3.generatedIds.length).toBe(4);
    expect(b3.calls[0][0].maxNewTokens).toBe(8);
  });

  it('retries samples whose generation failed last time', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pipe-'));
    await writeFakeData(root, 5);
    const flaky = new FakeBackend('m', 'fp', 64, (it) => (it.id === 'q2' ? { error: { kind: 'timeout', message: 'slow' } } : { text: 'x' }));
    const r1 = await pass(root, flaky);
    expect(r1.answers.get('q2')?.error?.kind).toBe('timeout');
    const fixed = new FakeBackend('m', 'fp');
    const r2 = await pass(root, fixed);
    expect(fixed.generatedIds).toEqual(['q2']);
    expect(r2.answers.get('q2')?.text).toBe('2');
  });

  it('keeps read-ahead bounded: the adapter is never pulled far ahead of the model', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pipe-'));
    await writeFakeData(root, 30);
    let pulled = 0;
    let maxAhead = 0;
    const backend = new FakeBackend();
    const orig = backend.generate.bind(backend);
    let sent = 0;
    backend.generate = async (items) => {
      sent += items.length;
      return orig(items);
    };
    const store = await ResumeStore.open(join(root, 'out', 'p.jsonl'));
    await runPipeline({
      adapter: fakeAdapter({
        onPull: () => {
          pulled++;
          maxAhead = Math.max(maxAhead, pulled - sent);
        },
      }),
      adapterVersion: '1',
      dataRoot: root,
      split: 'test',
      backend,
      store,
      batchSize: 2,
      concurrency: 2,
      maxNewTokensCap: null,
    });
    await store.close();
    expect(pulled).toBe(30);
    expect(maxAhead).toBeLessThanOrEqual(8); // readAhead = max(2·batch, 2·concurrency, 4) plus the batch being formed
  });
});

/** A FakeBackend with prepare(): records what was prepared, how many prepared items are alive, and overlap. */
class PreparingBackend extends FakeBackend {
  preparedIds: string[] = [];
  alive = 0;
  maxAlive = 0;
  /** Prepares that finished while a generate() call was in flight. */
  preparedDuringGenerate = 0;
  inGenerate = false;
  async prepare(item: GenerateItem): Promise<PrepareResult> {
    await new Promise((r) => setTimeout(r, 1));
    if (item.id === 'q5') return { error: { kind: 'input', message: `${item.source}: cannot decode image: bad pixels` } };
    this.preparedIds.push(item.id);
    this.alive++;
    this.maxAlive = Math.max(this.maxAlive, this.alive);
    if (this.inGenerate) this.preparedDuringGenerate++;
    return { prepared: { tag: `prep-${item.id}` } };
  }
  override async generate(items: GenerateItem[]): Promise<GenerateResult[]> {
    // Every item arrives with its own prepared value.
    for (const it of items) if ((it.prepared as { tag: string }).tag !== `prep-${it.id}`) throw new Error(`unprepared ${it.id}`);
    this.inGenerate = true;
    await new Promise((r) => setTimeout(r, 15)); // the "session.run" the next batch's prepare overlaps
    this.inGenerate = false;
    const out = await super.generate(items);
    this.alive -= items.length; // the runner drops them once the batch is done
    return out;
  }
}

describe('runPipeline with backend prepare()', () => {
  it('prepares ahead of generate, within the memory bound, and passes each item its prepared form', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pipe-'));
    await writeFakeData(root, 24, ['q4']);
    const b = new PreparingBackend();
    const r = await pass(root, b, { batchSize: 3, concurrency: 2 });
    // q4 fails the runner's header check, q5 fails prepare(): neither reaches generate().
    expect(b.preparedIds).not.toContain('q4');
    expect(b.generatedIds).not.toContain('q4');
    expect(b.generatedIds).not.toContain('q5');
    expect(r.answers.get('q5')?.error).toEqual({ kind: 'input', message: expect.stringContaining('q5.png: cannot decode image') });
    expect(r.answers.get('q23')?.text).toBe('23');
    expect(r.errors).toBe(2);
    expect(b.generatedIds.length).toBe(22);
    expect(b.maxAlive).toBeLessThanOrEqual(2 * 3); // max(2, concurrency) × batch
    expect(b.preparedDuringGenerate).toBeGreaterThan(0); // preprocessing overlapped the model

    // A resumed pass prepares nothing it does not generate.
    const b2 = new PreparingBackend();
    await pass(root, b2, { batchSize: 3, concurrency: 2 });
    expect(b2.preparedIds).toEqual(b2.generatedIds);
    expect(b2.generatedIds).toEqual([]);
  });

  it('never deadlocks and keeps the bound with one worker, batch 1 and batch larger than the data', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pipe-'));
    await writeFakeData(root, 9);
    for (const [batchSize, concurrency] of [
      [1, 1],
      [4, 1],
      [16, 3],
    ]) {
      const b = new PreparingBackend();
      const r = await pass(root, b, { batchSize, concurrency });
      await rm(join(root, 'out'), { recursive: true });
      expect(b.generatedIds.length).toBe(8); // q5 fails in prepare()
      expect(r.answers.size).toBe(9);
      expect(b.maxAlive).toBeLessThanOrEqual(Math.max(2, concurrency) * batchSize);
    }
  });

  it('a prepare() that throws fails only its sample', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pipe-'));
    await writeFakeData(root, 4);
    const b = new PreparingBackend();
    const orig = b.prepare.bind(b);
    b.prepare = async (it) => {
      if (it.id === 'q1') throw new Error('boom');
      return orig(it);
    };
    const r = await pass(root, b);
    expect(r.answers.get('q1')?.error?.message).toBe('boom');
    expect(b.generatedIds.sort()).toEqual(['q0', 'q2', 'q3']);
  });
});
