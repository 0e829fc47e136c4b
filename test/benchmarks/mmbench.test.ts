import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import mmbench from '../../benchmarks/mmbench/index.ts';
import { InputError, ScoreRefusal } from '../../core/errors.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';

async function loadAll(root: string, opts = {}): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of mmbench.load(root, opts)) out.push(s);
  return out;
}
const answersOf = (pairs: Array<[string, string]>) => new Map<string, Answer>(pairs.map(([id, text]) => [id, { id, text }]));

describe('mmbench fixture, prompts and circular scoring', () => {
  let root: string;
  let samples: Sample[];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mmb-'));
    await mmbench.writeFixture(root);
    samples = await loadAll(root);
  });

  it('reads every row with its circular copies, images as base64', async () => {
    expect(samples.length).toBe(4 + 3 + 2 + 4); // copies = number of options
    expect(samples.map((s) => s.id).slice(0, 5)).toEqual(['0', '1', '2', '3', '1000000']);
    expect(samples[0].image?.kind).toBe('base64');
    expect(await mmbench.present(root)).toBe(true);
    expect(await mmbench.present(root, 'test')).toBe(false);
    const noImages = await loadAll(root, { images: false, limit: 2 });
    expect(noImages.length).toBe(2);
    expect(noImages[0].image).toBeUndefined();
  });

  it('prompt snapshot: no hint / hint, options up to the first NaN', () => {
    expect(samples[0].prompt).toBe(
      "What is the main color of the image?\nA. red\nB. green\nC. blue\nD. yellow\nAnswer with the option's letter from the given choices directly.",
    );
    expect(samples[1].prompt).toBe(
      "The image is three times wider than it is tall.\nWhich shape is this image?\nA. wide\nB. tall\nC. square\nAnswer with the option's letter from the given choices directly.",
    );
    expect(samples[2].choices).toEqual(['yes', 'no']);
    expect(samples.every((s) => s.maxNewTokens === 1024)).toBe(true);
  });

  it('circular: a question is right only if all copies are; per l2-category and category', () => {
    const ans = answersOf(samples.map((s) => [s.id, s.answer as string]));
    expect(mmbench.score(samples, ans).headline).toBe(100);
    // Question 1 (3 options): copy 1000001 wrong → question 1 fails; vanilla (base rows only) stays 100.
    const wrong = samples.find((s) => s.id === '1000001')!;
    ans.set('1000001', { id: '1000001', text: wrong.answer === 'A' ? 'B' : 'A' });
    // Question 3: copy 2000003 unparseable → failed extraction, wrong.
    ans.set('2000003', { id: '2000003', text: 'I cannot tell' });
    // Question 2: copy 1000002 missing.
    ans.delete('1000002');
    const sc = mmbench.score(samples, ans);
    expect(sc.headline).toBe(25);
    expect(sc.metrics.vanilla).toBe(100);
    expect(sc.counts).toMatchObject({ samples: 13, predicted: 12, missing: 1, failedExtraction: 1 });
    expect(sc.breakdowns['l2-category']).toEqual({ coarse_perception: 50, 'finegrained_perception (instance-level)': 0, relation_reasoning: 0 });
    expect(sc.breakdowns.category.image_color).toBe(100);
    expect(sc.perSample).toEqual({ '0': 1, '1': 0, '2': 0, '3': 0 });
  });

  it('text answers are matched by option text per copy (rotated options)', () => {
    // In every copy of question 0 the right option text is "red", wherever it moved.
    const ans = answersOf(samples.map((s) => [s.id, s.meta.group === 0 ? 'The color is red' : (s.answer as string)]));
    expect(mmbench.score(samples, ans).headline).toBe(100);
  });

  it('refuses predictions for another benchmark', () => {
    expect(() => mmbench.score(samples, answersOf([['q-1', 'A']]))).toThrow(ScoreRefusal);
  });

  it('submission: LLaVA columns, TSV and xlsx', async () => {
    const ans = answersOf(samples.map((s) => [s.id, 'A']));
    const tsv = join(root, 'sub.tsv');
    await mmbench.writeSubmission!(samples, ans, tsv);
    const lines = (await readFile(tsv, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('index\tquestion\tA\tB\tC\tD\tprediction\tanswer\tsplit');
    expect(lines.length).toBe(14);
    expect(lines[3]).toBe('2\tIs the image taller than it is wide?\tyes\tno\t\t\tA\tA\tdev');
    const xlsx = join(root, 'sub.xlsx');
    await mmbench.writeSubmission!(samples, ans, xlsx);
    const buf = await readFile(xlsx);
    expect(buf.readUInt32LE(0)).toBe(0x04034b50); // a zip
    // find the sheet part and inflate it
    const name = 'xl/worksheets/sheet1.xml';
    const at = buf.indexOf(Buffer.from(name));
    const size = buf.readUInt32LE(at - 30 + 18);
    const sheet = inflateRawSync(buf.subarray(at + name.length, at + name.length + size)).toString('utf8');
    expect(sheet).toContain('<c r="G1" t="inlineStr"><is><t xml:space="preserve">prediction</t></is></c>');
    expect(sheet).toContain('<c r="A14"><v>3000003</v></c>');
  });
});

describe('mmbench TSV errors and pandas NaN rules', () => {
  const header = 'index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\timage\tsource\tl2-category\tcomment\tsplit';
  async function tsv(rows: string[]): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'mmb-bad-'));
    await mkdir(join(root, 'mmbench'));
    await writeFile(join(root, 'mmbench', 'mmbench_dev_20230712.tsv'), [header, ...rows].join('\n') + '\n');
    return root;
  }
  it('a row with a missing column names file and line', async () => {
    const root = await tsv(['0\tq\tnan\ta\tb\t\t\tA\tcat\t\tsrc\tl2\t\tdev', '1\tq\th\ta\tb\tA\tcat']);
    await expect(loadAll(root)).rejects.toThrow(InputError);
    await expect(loadAll(root)).rejects.toThrow(/mmbench_dev_20230712\.tsv:3: row has 7 columns, the header has 14/);
  });
  it('hint "nan"/empty is dropped; option "None" ends the prompt options (pandas NaN)', async () => {
    const root = await tsv(['0\tWhich?\tnan\tx\tNone\ty\t\tA\tcat\t\tsrc\tl2\t\tdev', '1\tWhich?\t\tx\ty\tNA\t\tA\tcat\t\tsrc\tl2\t\tdev']);
    const s = await loadAll(root);
    expect(s[0].prompt).toBe("Which?\nA. x\nAnswer with the option's letter from the given choices directly.");
    expect(s[1].choices).toEqual(['x', 'y']);
    // The scorer's choices keep every non-NaN cell (C "y" of row 0 is matchable by text)
    expect(
      mmbench.score(
        s,
        answersOf([
          ['0', 'it is y'],
          ['1', 'A'],
        ]),
      ).counts.failedExtraction,
    ).toBe(0);
  });
});
