// Test doubles for the runner (never used outside tests): a tiny benchmark adapter over generated
// PNGs, and a backend that answers from a function and records every call.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Answer, BenchmarkAdapter, BenchmarkId, Sample, Score } from '../../../core/benchmark.ts';
import type { GenerateItem, GenerateResult, ModelBackend } from '../../../harness/backends/types.ts';

/** Writes n questions (ids q0..q{n-1}) with PNG images of varying shape; `corrupt` ids get garbage bytes. */
export async function writeFakeData(root: string, n: number, corrupt: string[] = []): Promise<void> {
  await mkdir(join(root, 'fake', 'images'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `q${i}`;
    const file = join(root, 'fake', 'images', `${id}.png`);
    if (corrupt.includes(id)) await writeFile(file, Buffer.from('not an image at all'));
    else {
      const png = await sharp({ create: { width: 8 + i, height: 8, channels: 3, background: { r: i * 10, g: 0, b: 0 } } })
        .png()
        .toBuffer();
      await writeFile(file, png);
    }
    lines.push(JSON.stringify({ id, question: `What number is ${i}?`, answer: String(i) }));
  }
  await writeFile(join(root, 'fake', 'questions.jsonl'), `${lines.join('\n')}\n`);
}

export function fakeAdapter(opts: { onPull?: (id: string) => void; id?: BenchmarkId } = {}): BenchmarkAdapter {
  const bid = opts.id ?? 'pope'; // any real id: the runner keys files by it
  return {
    id: bid,
    title: 'Fake',
    folder: 'fake',
    defaultSplit: 'test',
    splits: ['test'],
    references: {},
    async present(root) {
      const { existsSync } = await import('node:fs');
      return existsSync(join(root, 'fake', 'questions.jsonl'));
    },
    async *load(root, o = {}) {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(join(root, 'fake', 'questions.jsonl'), 'utf8');
      let n = 0;
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        if (o.limit !== undefined && n >= o.limit) return;
        const q = JSON.parse(line);
        opts.onPull?.(q.id);
        n++;
        const s: Sample = {
          id: q.id,
          benchmark: bid,
          split: 'test',
          image: { kind: 'file', path: join(root, 'fake', 'images', `${q.id}.png`) },
          prompt: q.question,
          answer: q.answer,
          maxNewTokens: 128,
          meta: {},
        };
        yield s;
      }
    },
    score(samples: Sample[], answers: Map<string, Answer>): Score {
      const perSample: Record<string, number> = {};
      let errors = 0;
      let missing = 0;
      for (const s of samples) {
        const a = answers.get(s.id);
        if (!a) missing++;
        else if (a.error) errors++;
        perSample[s.id] = a && !a.error && a.text === s.answer ? 1 : 0;
      }
      const v = Object.values(perSample);
      const acc = (100 * v.reduce((x, y) => x + y, 0)) / v.length;
      return {
        headline: acc,
        headlineName: 'accuracy',
        metrics: { accuracy: acc },
        breakdowns: {},
        counts: { samples: samples.length, predicted: samples.length - missing, missing, errors, failedExtraction: 0 },
        perSample,
      };
    },
    async writeFixture() {},
  };
}

/** Answers "<n>" for "What number is <n>?" when right(id) says so, else "wrong"; records batches. */
export class FakeBackend implements ModelBackend {
  readonly executionProvider = 'fake';
  readonly modelFiles = {};
  readonly adapterVersions = { fake: '1' };
  calls: GenerateItem[][] = [];
  constructor(
    readonly id = 'fake-model',
    readonly fingerprint = 'fp-1',
    readonly maxBatch = 64,
    private readonly answer: (item: GenerateItem) => GenerateResult = (it) => ({ text: /(\d+)/.exec(it.prompt)![1] }),
  ) {}
  async generate(items: GenerateItem[]): Promise<GenerateResult[]> {
    this.calls.push(items);
    await new Promise((r) => setTimeout(r, 1));
    return items.map((it) => this.answer(it));
  }
  async dispose() {}
  get generatedIds(): string[] {
    return this.calls.flat().map((c) => c.id);
  }
}
