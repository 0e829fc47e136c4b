import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import sqa from '../../benchmarks/sqa/index.ts';
import { countPromptOptions } from '../../benchmarks/sqa/read.ts';
import { predIndex } from '../../benchmarks/sqa/score.ts';
import { InputError, ScoreRefusal } from '../../core/errors.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';

async function loadAll(root: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of sqa.load(root)) out.push(s);
  return out;
}
const answersOf = (pairs: Array<[string, string]>) => new Map<string, Answer>(pairs.map(([id, text]) => [id, { id, text }]));

describe('sqa fixture', () => {
  let root: string;
  let samples: Sample[];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sqa-'));
    await sqa.writeFixture(root);
    samples = await loadAll(root);
  });

  it('prompts as model_vqa_science.py --single-pred-prompt', () => {
    expect(samples.length).toBe(6);
    const s5 = samples.find((s) => s.id === '5')!;
    expect(s5.prompt).toBe(
      "Context: Look at the wide picture.\nWhich is wider?\nA. the left bar\nB. the right bar\nC. neither\nAnswer with the option's letter from the given choices directly.",
    );
    expect(s5.image).toEqual({ kind: 'file', path: join(resolve(root), 'scienceqa/images/test/5/image.png') });
    expect(existsSync((s5.image as { path: string }).path)).toBe(true);
    expect(samples.find((s) => s.id === '4')!.image).toBeUndefined();
    expect(samples.find((s) => s.id === '15')!.meta.nChoices).toBe(2);
  });

  it('IMG accuracy headline, LLaVA letter rule, official breakdown', () => {
    // gold: 4→B, 5→A, 11→B, 15→A, 22→E, 30→A; images on 5, 11, 22, 30
    const ans = answersOf([
      ['4', 'B'], // right (no image)
      ['5', 'A. the left bar'], // right via "X. "
      ['11', 'The answer is B.'], // right via regex
      ['15', 'The answer is A'], // FAILED: regex needs a char after the letter
      ['22', 'E'], // right, 5 options
      // 30 missing
    ]);
    const sc = sqa.score(samples, ans);
    // eval_science_qa.py: the missing 30 leaves the IMG denominator (3 of 3); strict, counted wrong: 3 of 4.
    expect(sc.headline).toBe(100);
    expect(sc.metrics['IMG-Accuracy.strict']).toBe(75);
    expect(sc.metrics['IMG-Missing']).toBe(1);
    expect(sc.metrics.Accuracy).toBe(66.67); // f'{4 / 6 * 100:.2f}'
    expect(sc.counts).toMatchObject({ samples: 6, predicted: 5, missing: 1, failedExtraction: 1 });
    // '{:.2f}'.format(c / t * 100), as evaluate_acc.py prints
    expect(sc.breakdowns.official).toMatchObject({ NAT: 66.67, SOC: 100, LAN: 50, TXT: 50, IMG: 75, NO: 50, 'G1-6': 66.67, 'G7-12': 66.67 });
  });

  it('a letter beyond the options is wrong (get_pred_idx → -1)', () => {
    expect(predIndex('C', 2)).toBe(-1);
    expect(predIndex('B', 2)).toBe(1);
    const sc = sqa.score(samples, answersOf([['4', 'C']]));
    expect(sc.perSample['4']).toBe(0);
    expect(sc.counts.failedExtraction).toBe(0);
  });

  it('refuses predictions that do not line up', () => {
    expect(() => sqa.score(samples, answersOf([['999', 'A']]))).toThrow(ScoreRefusal);
  });

  it('counts options spanning lines', () => {
    expect(countPromptOptions('Which closing?\nA. Love,\nZoe\nB. love,\nZoe')).toBe(2);
    expect(countPromptOptions('Q\nA. x\nB. y\nC. z\nD. w\nE. v')).toBe(5);
  });

  it('bad question file: one-line error naming the file and item', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'sqa-bad-'));
    await mkdir(join(bad, 'scienceqa'));
    await writeFile(join(bad, 'scienceqa', 'llava_test_CQM-A.json'), JSON.stringify([{ id: '1', conversations: [{ value: 'q' }] }]));
    await expect(loadAll(bad)).rejects.toThrow(InputError);
    await expect(loadAll(bad)).rejects.toThrow(/llava_test_CQM-A\.json \(item 0, id 1\)/);
  });
});

const REAL = resolve(__dirname, '../../../shared/realdata/scienceqa/llava_test_CQM-A.json');
if (!existsSync(REAL)) console.log(`sqa realdata test skipped: ${REAL} is absent`);

describe.skipIf(!existsSync(REAL))('sqa on the real LLaVA question file', () => {
  it('4,241 prompts, 2,017 with images, gold letters A–E', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sqa-real-'));
    await mkdir(join(root, 'scienceqa'));
    await symlink(REAL, join(root, 'scienceqa', 'llava_test_CQM-A.json'));
    await symlink(resolve(REAL, '../pid_splits.json'), join(root, 'scienceqa', 'pid_splits.json'));
    const samples = await loadAll(root);
    expect(samples.length).toBe(4241);
    expect(samples.filter((s) => s.image).length).toBe(2017);
    expect(samples.every((s) => ['A', 'B', 'C', 'D', 'E'].includes(s.answer as string))).toBe(true);
    expect(samples.every((s) => predIndex(s.answer as string, Number(s.meta.nChoices)) >= 0)).toBe(true);
    expect(samples[0].prompt).toBe(
      "Which figure of speech is used in this text?\nSing, O goddess, the anger of Achilles son of Peleus, that brought countless ills upon the Achaeans.\n—Homer, The Iliad\nA. chiasmus\nB. apostrophe\nAnswer with the option's letter from the given choices directly.",
    );
    // Gold letters as answers: 100; all missing: 0, with every sample counted missing.
    const gold = new Map<string, Answer>(samples.map((s) => [s.id, { id: s.id, text: s.answer as string }]));
    expect(sqa.score(samples, gold).headline).toBe(100);
    const none = sqa.score(samples, new Map());
    expect(none.headline).toBe(0);
    expect(none.counts.missing).toBe(4241);
    expect(none.metrics['IMG-Total']).toBe(0); // the official IMG denominator: no image problem answered
    expect(none.metrics['IMG-Missing']).toBe(2017);
    expect(none.metrics['IMG-Accuracy.strict']).toBe(0);
  });
});
