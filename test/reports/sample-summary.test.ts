import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../core/benchmark.ts';
import { readSampleSummaries, renderTruth, summarizeSample } from '../../reports/sample-summary.ts';

const dir = mkdtempSync(join(tmpdir(), 'eve-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample: Sample = {
  id: 'q1',
  benchmark: 'vqav2',
  split: 'val',
  prompt: 'What color?',
  answer: ['red', 'red', 'dark red', 'red'],
  maxNewTokens: 128,
  meta: { question_type: 'what color' },
};

describe('renderTruth', () => {
  it('renders each ground-truth shape as one short string', () => {
    expect(renderTruth('B')).toBe('B');
    expect(renderTruth(3)).toBe('3');
    expect(renderTruth(undefined)).toBeNull();
    expect(renderTruth(['red', 'red', 'dark red', 'red'])).toBe('red (3/4; +1 other)');
    expect(renderTruth(['yes'])).toBe('yes');
    expect(renderTruth({ letter: 'A' })).toBe('{"letter":"A"}');
    expect(renderTruth('x'.repeat(500))!.length).toBe(160);
  });
});

describe('summarizeSample', () => {
  it('makes a JPEG thumbnail at most 96 px on the long side and keeps the original size', async () => {
    const img = await sharp({ create: { width: 640, height: 240, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
    const s = await summarizeSample(sample, img);
    expect(s.image).toEqual({ width: 640, height: 240 });
    expect(s.truth).toBe('red (3/4; +1 other)');
    expect(s.thumb!.startsWith('data:image/jpeg;base64,')).toBe(true);
    const thumb = await sharp(Buffer.from(s.thumb!.split(',')[1], 'base64')).metadata();
    expect([thumb.width, thumb.height]).toEqual([96, 36]);
    expect(s.thumb!.length).toBeLessThan(4000);
    const noThumb = await summarizeSample(sample, img, { thumbnail: false });
    expect(noThumb.thumb).toBeNull();
    expect(noThumb.image).toEqual({ width: 640, height: 240 });
  });
  it('gives image null for undecodable bytes instead of stopping the run', async () => {
    const s = await summarizeSample(sample, Buffer.from('not an image'));
    expect(s.image).toBeNull();
    expect(s.thumb).toBeNull();
    expect((await summarizeSample({ ...sample, choices: ['a', 'b'] })).choices).toEqual(['a', 'b']);
  });
});

describe('readSampleSummaries', () => {
  const line = (id: string) => JSON.stringify({ id, prompt: 'p', truth: null, meta: {}, image: null, thumb: null });
  it('keeps the last line per id and skips a torn last line', async () => {
    const f = join(dir, 'ok.jsonl');
    writeFileSync(f, `${line('a')}\n${line('b')}\n${line('a')}\n{"id": "c", "pro`);
    expect((await readSampleSummaries(f)).map((s) => s.id)).toEqual(['a', 'b']);
  });
  it('names file and line for a bad line', async () => {
    const f = join(dir, 'bad.jsonl');
    writeFileSync(f, `${line('a')}\n{oops\n${line('b')}\n`);
    await expect(readSampleSummaries(f)).rejects.toThrow(`${f}:2: not valid JSON`);
    writeFileSync(f, `${line('a')}\n{"id": 3}\n`);
    await expect(readSampleSummaries(f)).rejects.toThrow(`${f}:2: not a sample summary`);
  });
});
