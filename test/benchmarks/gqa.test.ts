import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import gqa, { convertAnswer, stepsNum } from '../../benchmarks/gqa/index.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';

const answers = (pairs: Array<[string, string]>) => new Map<string, Answer>(pairs.map(([id, text]) => [id, { id, text }]));
async function load(root: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of gqa.load(root)) out.push(s);
  return out;
}

describe('gqa adapter', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'gqa-'));
    await gqa.writeFixture(root);
  });

  it('uses LLaVA prompts (frozen) and attaches the official answers', async () => {
    const s = await load(root);
    expect(s.length).toBe(8);
    expect(s[1].prompt).toMatchInlineSnapshot(`
      "Who is wearing the dress?
      Answer the question using a single word or phrase."
    `);
    expect(s[1]).toMatchObject({ id: '20968389', answer: 'woman', meta: { structural: 'query', semantic: 'rel', steps: 2, words: 5 } });
  });

  it("converts as LLaVA does (rstrip '.', lower) and then matches exactly", () => {
    expect(convertAnswer('Woman...')).toBe('woman');
    expect(convertAnswer('A man.')).toBe('a man'); // no article handling
    expect(convertAnswer('grey ')).toBe('grey '); // no strip either
    expect(
      stepsNum([
        { operation: 'select', argument: 'x' },
        { operation: 'exist', argument: '?' },
        { operation: 'query', argument: 'name' },
      ]),
    ).toBe(1);
  });

  it('scores accuracy, binary and open as eval.py (hand-computed)', async () => {
    const s = await load(root);
    // right: 0 (No), 1 (Woman.), 3 (Left), 4 (Yes); wrong: 2 (grey≠gray), 5 (yes), 6 (a cat); 7 missing.
    const sc = gqa.score(
      s,
      answers([
        [s[0].id, 'No'],
        [s[1].id, 'Woman.'],
        [s[2].id, 'Grey'],
        [s[3].id, 'Left'],
        [s[4].id, 'Yes'],
        [s[5].id, 'yes'],
        [s[6].id, 'A cat'],
      ]),
    );
    expect(sc.headline).toBe(50);
    expect(sc.metrics.binary).toBe(75); // verify, choose, logical right; compare wrong
    expect(sc.metrics.open).toBe(25); // 4 query questions, 1 right
    expect(sc.breakdowns.structural).toEqual({ choose: 100, compare: 0, logical: 100, query: 25, verify: 100 });
    // distribution over the 4 query questions' global groups: rel {woman:1 ok}, attr {gray:1 vs grey},
    // cat {cat:1 vs "a cat", table:1 vs ""} → (0 + 1 + 2·2)/4 ... each gold e=1, o=0 → 1 per missed answer.
    // score·overall: rel 0·1, attr 1·1, cat 2·2 = 5; /4 overall = 1.25; /100 → 0.0125 → 0.01
    expect(sc.metrics.distribution).toBe(0.01);
    expect(sc.counts).toMatchObject({ samples: 8, missing: 1 });
  });

  it('writes testdev_balanced_predictions.json for eval.py', async () => {
    const s = await load(root);
    const out = path.join(root, 'pred.json');
    await gqa.writeSubmission!(s.slice(0, 2), answers([[s[0].id, 'No.']]), out);
    expect(await readFile(out, 'utf8')).toBe('[{"questionId": "20968388", "prediction": "no"}, {"questionId": "20968389", "prediction": ""}]');
  });

  const real = '../shared/realdata/gqa';
  if (!existsSync(real)) console.log('gqa realdata check skipped: ../shared/realdata absent');
  it.skipIf(!existsSync(real))('loads the real 12,578 LLaVA testdev-balanced prompts', async () => {
    const s = await load('../shared/realdata');
    expect(s.length).toBe(12578);
    expect(s[0].prompt).toBe('Is it overcast?\nAnswer the question using a single word or phrase.');
    expect(s[0].answer).toBeUndefined(); // no official questions JSON there
  });
});
