// VLMEvalKit's MMBench TSV layout as a data source: the same columns as mmbench_dev_20230712.tsv, but a
// circular copy's image cell may name the index of the row holding the image (VLMEvalKit's loader resolves
// cells of at most 64 characters that way). Read with images, every copy gets its base question's image.
// On the hand-made fixture (writeFixture, in a temporary folder): it has circular copies, the synthetic set does not.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mmbench from '../../benchmarks/mmbench/index.ts';
import type { Sample } from '../../core/benchmark.ts';

let FIXTURE: string;
let root: string;

async function all(dataRoot: string, images: boolean): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of mmbench.load(dataRoot, { split: 'dev', images })) out.push(s);
  return out;
}

beforeAll(async () => {
  FIXTURE = await mkdtemp(join(tmpdir(), 'mmb-fixture-'));
  await mmbench.writeFixture(FIXTURE);
  root = await mkdtemp(join(tmpdir(), 'mmb-vlmevalkit-'));
  mkdirSync(join(root, 'mmbench'));
  const lines = readFileSync(join(FIXTURE, 'mmbench', 'mmbench_dev_20230712.tsv'), 'utf8')
    .trimEnd()
    .split('\n');
  const head = lines[0].split('\t');
  const [ix, im] = [head.indexOf('index'), head.indexOf('image')];
  const out = [lines[0]];
  for (const l of lines.slice(1)) {
    const c = l.split('\t');
    const index = Number(c[ix]);
    if (index >= 1_000_000) c[im] = String(index % 1_000_000);
    out.push(c.join('\t'));
  }
  writeFileSync(join(root, 'mmbench', 'MMBench_DEV_EN.tsv'), out.join('\n') + '\n');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(FIXTURE, { recursive: true, force: true });
});

describe('MMBench from a VLMEvalKit TSV', () => {
  it("is found as the dev split and resolves image references to the referenced row's image", async () => {
    expect(await mmbench.present(root, 'dev')).toBe(true);
    const ours = await all(FIXTURE, true);
    const theirs = await all(root, true);
    expect(theirs.map((s) => s.id)).toEqual(ours.map((s) => s.id));
    expect(theirs.filter((s) => Number(s.id) >= 1_000_000).length).toBeGreaterThan(0);
    for (let i = 0; i < ours.length; i++) {
      expect(theirs[i].image, ours[i].id).toEqual(ours[i].image);
      expect(theirs[i].prompt).toBe(ours[i].prompt);
    }
    const lean = await all(root, false);
    expect(lean.every((s) => s.image === undefined)).toBe(true);
  });

  it('names file and line when a reference points at no earlier row', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'mmb-badref-'));
    mkdirSync(join(bad, 'mmbench'));
    const text = readFileSync(join(root, 'mmbench', 'MMBench_DEV_EN.tsv'), 'utf8').split('\n');
    const head = text[0].split('\t');
    const c = text[1].split('\t');
    c[head.indexOf('image')] = '999';
    text[1] = c.join('\t');
    writeFileSync(join(bad, 'mmbench', 'MMBench_DEV_EN.tsv'), text.join('\n'));
    await expect(all(bad, true)).rejects.toThrow(/MMBench_DEV_EN\.tsv:2: image cell "999" refers to index 999/);
    await rm(bad, { recursive: true, force: true });
  });
});
