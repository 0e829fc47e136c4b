import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vizwiz, { averagePrecision, buildSubmission } from '../../benchmarks/vizwiz/index.ts';
import { readJsonlObjects } from '../../benchmarks/shared/data-files.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';

const answers = (pairs: Array<[string, string]>) => new Map<string, Answer>(pairs.map(([id, text]) => [id, { id, text }]));
async function load(root: string, split?: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of vizwiz.load(root, { split })) out.push(s);
  return out;
}

describe('vizwiz adapter', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vizwiz-'));
    await vizwiz.writeFixture(root);
  });

  it('builds the LLaVA prompt with the unanswerable line (frozen)', async () => {
    const s = await load(root);
    expect(s[0].split).toBe('val');
    expect(s[0].id).toBe('VizWiz_val_00000000.jpg');
    expect(s[0].prompt).toMatchInlineSnapshot(`
      "What is this?
      When the provided information is insufficient, respond with 'Unanswerable'.
      Answer the question using a single word or phrase."
    `);
    const t = await load(root, 'test');
    expect(t[0].prompt).toBe(
      `What is this?\nWhen the provided information is insufficient, respond with 'Unanswerable'.\nAnswer the question using a single word or phrase.`,
    );
  });

  it('scores val as the vizwiz.org scorer (raw GT) with the unanswerability task', async () => {
    const s = await load(root);
    const ids = s.map((x) => x.id);
    // 0 "Soup" → 1; 1 "Blue" → blue×7 → 1 ("Blue" GT raw is not counted); 2 "Yes" vs 10×"Yes" raw → 0;
    // 3 "3" → 8 matches → 1; 4 "Unanswerable" → 1; 5 "unanswerable" → 1 match → 0.3.
    const sc = vizwiz.score(
      s,
      answers([
        [ids[0], 'Soup'],
        [ids[1], 'Blue'],
        [ids[2], 'Yes'],
        [ids[3], '3'],
        [ids[4], 'Unanswerable'],
        [ids[5], 'unanswerable'],
      ]),
    );
    expect(sc.headline).toBe(71.67); // 100 * 4.3 / 6
    expect(sc.breakdowns.answerType).toEqual({ other: 76.67, 'yes/no': 0, number: 100, unanswerable: 100 });
    // positives (unanswerable GT): #4; predicted unanswerable: #4, #5 → P = .5, R = 1 → F1 66.67;
    // AP = R1·P1 + (1-R1)·P0 = 1·0.5 = 50.
    expect(sc.metrics['unanswerability.f1_score']).toBe(66.67);
    expect(sc.metrics['unanswerability.average_precision']).toBe(50);
  });

  it('average precision follows sklearn on binary scores', () => {
    expect(averagePrecision([1, 0, 1, 0], [1, 1, 0, 0])).toBeCloseTo(0.5 * 0.5 + 0.5 * 0.5, 12);
    expect(averagePrecision([0, 0], [1, 0])).toBeNull();
  });

  it('refuses a submission with a missing answer, and refuses to score test', async () => {
    const t = await load(root, 'test');
    expect(() => buildSubmission(t, answers([['0', 'x']]))).toThrow(/no prediction for question 1/);
    expect(() => vizwiz.score(t, answers([]))).toThrow(/no public ground truth/);
  });

  const real = '../shared/realdata/vizwiz';
  if (!existsSync(real)) console.log('vizwiz realdata check skipped: ../shared/realdata absent');
  it.skipIf(!existsSync(real))(
    'submission from LLaVA-1.5-13B answers equals answers_upload/llava-v1.5-13b.json, entry for entry and byte for byte',
    async () => {
      const samples = await load('../shared/realdata', 'test');
      const preds = new Map<string, Answer>();
      for await (const { value } of readJsonlObjects(`${real}/answers/llava-v1.5-13b.jsonl`))
        preds.set(String(value.question_id), { id: String(value.question_id), text: value.text });
      const expectedText = await readFile(`${real}/answers_upload/llava-v1.5-13b.json`, 'utf8');
      const expected = JSON.parse(expectedText);
      const got = buildSubmission(samples, preds);
      expect(got.length).toBe(8000);
      expect(got).toEqual(expected);
      const out = path.join(root, 'upload.json');
      await vizwiz.writeSubmission!(samples, preds, out);
      expect(await readFile(out, 'utf8')).toBe(expectedText);
    },
  );
});
