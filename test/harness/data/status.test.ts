// `data status|check` on fixtures in the real formats, one mismatch at a time, and on ../shared/realdata
// (the real question and label files, no images) when it is there.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../../../benchmarks/registry.ts';
import { DATA_CATALOG } from '../../../benchmarks/data-catalog.ts';
import { benchmarkStatus } from '../../../harness/data/status.ts';
import { renderGuide, renderStatus } from '../../../harness/data/render.ts';
import { dataStatus } from '../../../harness/commands/data.ts';
import { BENCHMARK_IDS } from '../../../core/benchmark.ts';

const REAL = join(import.meta.dirname, '../../../../shared/realdata');
if (!existsSync(REAL)) console.warn(`data status test: ${REAL} is absent; the realdata cases are skipped`);

const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');

describe('data status on fixtures', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'data-status-'));
    for (const id of ['pope', 'mmbench', 'gqa', 'seed', 'vqav2'] as const) await BENCHMARKS[id].writeFixture(root);
  });
  const copies: string[] = [];
  afterAll(async () => {
    for (const d of [root, ...copies]) await rm(d, { recursive: true, force: true });
  });

  /** A copy of the fixture root to break one thing in. */
  const fresh = (name: string) => {
    const dir = join(root, '..', `${root.split('/').pop()}-${name}`);
    rmSync(dir, { recursive: true, force: true });
    cpSync(root, dir, { recursive: true });
    copies.push(dir);
    return dir;
  };

  it('counts questions and images of every present split, and says which splits are absent', async () => {
    const [pope] = await dataStatus(root, { benchmarks: ['pope'] });
    const test = pope.splits.find((s) => s.split === 'test')!;
    expect(test.samples).toBe(12);
    expect(test.expected).toBe(8_910);
    expect(test.images!.missing).toBe(0);
    expect(test.images!.referenced).toBeGreaterThan(0);
    expect(pope.problems).toContain('pope/test: 12 questions, expected 8,910');
    const all = await dataStatus(root);
    expect(all.map((s) => s.benchmark)).toEqual([...BENCHMARK_IDS]);
    const mme = all.find((s) => s.benchmark === 'mme')!;
    expect(mme.splits.every((s) => !s.present)).toBe(true);
    expect(mme.problems).toEqual([]); // absent and not asked for: a status, not a problem
    expect((await dataStatus(root, { benchmarks: ['mme'] }))[0].problems[0]).toMatch(/^mme: no split's files under/);
  });

  it('reports a missing image folder and a short image count', async () => {
    const dir = fresh('images');
    rmSync(join(dir, 'pope', 'val2014'), { recursive: true });
    const [pope] = await dataStatus(dir, { benchmarks: ['pope'] });
    const test = pope.splits.find((s) => s.split === 'test')!;
    expect(test.absentFolders).toEqual(['pope/val2014']);
    expect(test.images!.missing).toBe(test.images!.referenced);
    expect(renderStatus([pope], dir)).toContain('absent: pope/val2014');

    const dir2 = fresh('short');
    const gqaImages = join(dir2, 'gqa', 'images');
    const [first] = (await import('node:fs')).readdirSync(gqaImages).sort();
    rmSync(join(gqaImages, first));
    const [gqa] = await dataStatus(dir2, { benchmarks: ['gqa'] });
    const s = gqa.splits[0];
    expect(s.images!.missing).toBe(1);
    expect(s.images!.firstMissing).toBe(`gqa/images/${first}`);
    expect(gqa.problems.some((p) => p.startsWith(`gqa/testdev_balanced: 1 of ${s.images!.referenced} images missing`))).toBe(true);
  });

  it("accepts TextVQA's images in train_images/ or images/, as its reader does, and names both when neither is there", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'data-status-textvqa-'));
    copies.push(dir);
    await BENCHMARKS.textvqa.writeFixture(dir);
    const val = async () => (await dataStatus(dir, { benchmarks: ['textvqa'] }))[0].splits.find((s) => s.split === 'val')!;
    const inTrain = await val();
    expect(inTrain.images!.referenced).toBeGreaterThan(0);
    expect(inTrain.images!.missing).toBe(0);
    renameSync(join(dir, 'textvqa', 'train_images'), join(dir, 'textvqa', 'images'));
    const inImages = await val();
    expect(inImages.images).toEqual(inTrain.images);
    expect(inImages.absentFolders).toBeUndefined();
    rmSync(join(dir, 'textvqa', 'images'), { recursive: true });
    const none = await val();
    expect(none.images!.missing).toBe(none.images!.referenced);
    expect(none.absentFolders).toEqual(['textvqa/train_images (or textvqa/images)']);
    expect(renderGuide('textvqa')).toContain('textvqa/images/<image_id>.jpg');
  });

  it('reports SEED video questions without an extracted frame apart from missing images', async () => {
    const dir = fresh('seed');
    rmSync(join(dir, 'seed_bench', 'SEED-Bench-video-image'), { recursive: true });
    const [seed] = await dataStatus(dir, { benchmarks: ['seed'] });
    const all = seed.splits.find((s) => s.split === 'all')!;
    const image = seed.splits.find((s) => s.split === 'image')!;
    expect(all.videoWithoutFrames).toBe(1);
    expect(all.images!.missing).toBe(0);
    expect(image.videoWithoutFrames ?? 0).toBe(0);
    expect(seed.problems.some((p) => p.startsWith('seed/all: 1 video questions have no extracted frame'))).toBe(true);
    expect(renderStatus([seed], dir)).toContain('1 video questions without a frame');
  });

  it('names the file and line of a truncated JSON file and goes on with the other benchmarks', async () => {
    const dir = fresh('truncated');
    const file = join(dir, 'vqav2', 'v2_mscoco_val2014_annotations.json');
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const all = await dataStatus(dir, { benchmarks: ['vqav2', 'pope'] });
    const val = all[0].splits.find((s) => s.split === 'val')!;
    expect(val.error).toMatch(/v2_mscoco_val2014_annotations\.json(:\d+)?: malformed JSON/);
    expect(all[0].problems.some((p) => p.startsWith('vqav2/val: ') && p.includes('malformed JSON'))).toBe(true);
    expect(all[1].splits.find((s) => s.split === 'test')!.samples).toBe(12);
  });

  it('flags a TSV row whose base64 image is broken, naming the sample; --deep decodes every image', async () => {
    const dir = fresh('base64');
    const tsv = join(dir, 'mmbench', 'mmbench_dev_20230712.tsv');
    const lines = readFileSync(tsv, 'utf8').split('\n');
    const cols = lines[2].split('\t');
    const at = lines[0].split('\t').indexOf('image');
    cols[at] = cols[at].slice(0, 40) + '*' + cols[at].slice(41);
    lines[2] = cols.join('\t');
    writeFileSync(tsv, lines.join('\n'));
    const [mmb] = await dataStatus(dir, { benchmarks: ['mmbench'] });
    const dev = mmb.splits.find((s) => s.split === 'dev')!;
    expect(dev.images!.unreadable).toBe(1);
    expect(dev.images!.firstUnreadable).toBe(`sample ${cols[0]}`);

    // A file that is there but is not an image: only --deep finds it.
    const dir2 = fresh('deep');
    const img = join(dir2, 'pope', 'val2014');
    const [victim] = (await import('node:fs')).readdirSync(img).sort();
    writeFileSync(join(img, victim), 'not an image at all');
    const shallow = (await dataStatus(dir2, { benchmarks: ['pope'] }))[0].splits.find((s) => s.split === 'test')!;
    const progress: string[] = [];
    const test = (await dataStatus(dir2, { benchmarks: ['pope'], deep: true, progress: (l) => progress.push(l) }))[0].splits.find((s) => s.split === 'test')!;
    expect(shallow.images!.unreadable).toBe(0);
    expect(test.images!.unreadable).toBe(1);
    expect(test.images!.firstUnreadable).toBe(`pope/val2014/${victim}`);
    expect(progress.some((l) => /decoded \d+ \/ \d+ images/.test(l))).toBe(true);
  });

  it('reports a file that is another known release, and a checksum that matches no release', async () => {
    const dir = fresh('release');
    const label = join(dir, 'pope', 'coco', 'coco_pope_random.json');
    const entry = DATA_CATALOG.pope;
    const catalog = {
      ...DATA_CATALOG,
      pope: {
        ...entry,
        files: entry.files.map((f) =>
          f.path.endsWith('coco_pope_random.json')
            ? {
                ...f,
                releases: [
                  { md5: 'f'.repeat(32), release: 'the expected one', source: 'test', expected: true },
                  { md5: md5(label), release: 'an older one', source: 'test', expected: false },
                ],
              }
            : f.path.endsWith('llava_pope_test.jsonl')
              ? { ...f, releases: [{ md5: md5(join(dir, f.path)), release: 'fixture', source: 'test', expected: true }] }
              : f,
        ),
      },
    };
    let s = await benchmarkStatus(BENCHMARKS.pope, dir, { catalog });
    expect(s.problems).toContain('pope/coco/coco_pope_random.json is an older one, not the release eve-eval expects');
    expect(s.files.find((f) => f.path === 'pope/llava_pope_test.jsonl')!.release).toBe('fixture');
    writeFileSync(join(dir, 'pope', 'llava_pope_test.jsonl'), readFileSync(join(dir, 'pope', 'llava_pope_test.jsonl'), 'utf8') + '\n');
    s = await benchmarkStatus(BENCHMARKS.pope, dir, { catalog });
    expect(s.problems.some((p) => p.startsWith('pope/llava_pope_test.jsonl: checksum ') && p.endsWith('matches no known release'))).toBe(true);
  });

  it('recognises a VLMEvalKit TSV by name and checks its MD5', async () => {
    const dir = fresh('vlmevalkit');
    writeFileSync(join(dir, 'POPE.tsv'), 'index\tquestion\timage\n');
    const [pope] = await dataStatus(dir, { benchmarks: ['pope'] });
    const f = pope.files.find((x) => x.path === 'POPE.tsv')!;
    expect(f.unknownChecksum).toBe(true);
    expect(pope.problems.some((p) => p.startsWith('POPE.tsv: checksum'))).toBe(true);
  });
});

describe.skipIf(!existsSync(REAL))('data status on ../shared/realdata (question and label files, no images)', () => {
  it('counts every present split as expected, names the releases, and reports the absent image folders', async () => {
    const all = await dataStatus(REAL);
    const split = (b: string, s: string) => all.find((x) => x.benchmark === b)!.splits.find((x) => x.split === s)!;
    for (const [b, s] of [
      ['pope', 'test'],
      ['pope', 'random'],
      ['mme', 'test'],
      ['gqa', 'testdev_balanced'],
      ['textvqa', 'val'],
      ['vizwiz', 'test'],
      ['sqa', 'test'],
      ['mmvet', 'test'],
    ]) {
      expect(split(b, s).samples, `${b}/${s}`).toBe(split(b, s).expected);
      expect(split(b, s).images!.missing, `${b}/${s}`).toBe(split(b, s).images!.referenced);
    }
    expect(split('sqa', 'test').images!.referenced).toBe(DATA_CATALOG.sqa.expected.test.images);
    expect(split('pope', 'test').absentFolders).toEqual(['pope/val2014']);
    const pope = all.find((x) => x.benchmark === 'pope')!;
    expect(pope.files.find((f) => f.path === 'pope/coco/coco_pope_random.json')!.release).toMatch(/@e3e3926/);
    expect(all.flatMap((b) => b.files).filter((f) => f.unknownChecksum || f.expectedRelease === false)).toEqual([]);
    expect(split('vqav2', 'val').present).toBe(false);
    expect(renderStatus(all, REAL)).toContain('mme        test              2,374 ✓');
  });
});

describe('data guide', () => {
  it('names sources, layout and licence for every benchmark', () => {
    const all = renderGuide();
    for (const id of BENCHMARK_IDS) expect(all).toContain(`== ${id}\n`);
    const pope = renderGuide('pope');
    expect(pope).toContain('pope/coco/coco_pope_random.json');
    expect(pope).toContain('licence: POPE: MIT');
    expect(pope).toContain('POPE.tsv');
  });
});
