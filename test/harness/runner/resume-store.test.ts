import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResumeStore, parsePredictionLines } from '../../../harness/runner/resume-store.ts';
import { InputError } from '../../../core/errors.ts';
import type { PredictionRecord } from '../../../core/records.ts';

const rec = (id: string, extra: Partial<PredictionRecord> = {}): PredictionRecord => ({
  id,
  benchmark: 'pope',
  split: 'test',
  model: 'm',
  text: `answer ${id}`,
  cacheKey: `k-${id}`,
  ...extra,
});
const line = (r: PredictionRecord) => `${JSON.stringify(r)}\n`;
const ids = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).id);

describe('ResumeStore', () => {
  it('drops a torn last line left by kill -9 and rewrites the file cleanly', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'rs-')), 'p.jsonl');
    await writeFile(file, line(rec('a')) + line(rec('b')) + line(rec('c')).slice(0, 25));
    const store = await ResumeStore.open(file);
    expect(store.dropped.torn).toBe(1);
    expect(store.get('a', 'k-a')?.text).toBe('answer a');
    expect(store.get('c', 'k-c')).toBeUndefined();
    await store.append([rec('c')]);
    await store.close();
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(await ids(file)).toEqual(['a', 'b', 'c']);
  });

  it('drops failed records on open so they are rerun, and a stale key is not a hit', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'rs-')), 'p.jsonl');
    await writeFile(file, line(rec('a', { text: '', error: { kind: 'image', message: 'bad' } })) + line(rec('b')));
    const store = await ResumeStore.open(file);
    expect(store.dropped.failed).toBe(1);
    expect(store.latest('a')).toBeUndefined();
    expect(store.get('b', 'other-key')).toBeUndefined();
    await store.close();
    expect(await ids(file)).toEqual(['b']);
  });

  it('never leaves two lines for one id after a rerun under a new cache key', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'rs-')), 'p.jsonl');
    await writeFile(file, line(rec('a')) + line(rec('b')));
    const store = await ResumeStore.open(file);
    await store.append([rec('a', { cacheKey: 'new', text: 'new answer' })]);
    await store.close();
    expect(await ids(file)).toEqual(['a', 'b']);
    expect(await readFile(file, 'utf8')).toContain('new answer');
  });

  it('a corrupt line in the middle is an error naming file and line', () => {
    expect(() => parsePredictionLines(line(rec('a')) + '{oops\n' + line(rec('b')), 'p.jsonl')).toThrow(InputError);
    expect(() => parsePredictionLines(line(rec('a')) + '{oops\n' + line(rec('b')), 'p.jsonl')).toThrow('p.jsonl:2');
  });
});
