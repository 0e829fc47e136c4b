import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import textvqa, { buildPrompt, readLlavaAnswers, recoverQuestion } from '../../benchmarks/textvqa/index.ts';
import type { Answer, Sample } from '../../core/benchmark.ts';

async function load(root: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of textvqa.load(root)) out.push(s);
  return out;
}

describe('textvqa adapter', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'textvqa-'));
    await textvqa.writeFixture(root);
  });

  it("reads the images from EVE's textvqa/images/ when LLaVA's train_images/ is absent", async () => {
    const eve = await mkdtemp(path.join(tmpdir(), 'textvqa-eve-'));
    await textvqa.writeFixture(eve);
    await rename(path.join(eve, 'textvqa', 'train_images'), path.join(eve, 'textvqa', 'images'));
    const samples = await load(eve);
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) {
      expect(s.image?.kind === 'file' && s.image.path.includes(`${path.sep}images${path.sep}`)).toBe(true);
      expect(s.image?.kind === 'file' && existsSync(s.image.path)).toBe(true);
    }
  });

  it('builds the OCR-token prompt (frozen) and recovers the question as prompt_processor does', async () => {
    expect(buildPrompt('What is the brand of this camera?', ['DAKOTA', 'DIGITAL'])).toMatchInlineSnapshot(`
      "What is the brand of this camera?
      Reference OCR token: DAKOTA, DIGITAL
      Answer the question using a single word or phrase."
    `);
    expect(recoverQuestion('Reference OCR token: a, b\nWhat Is It?\nAnswer.')).toBe('what is it?');
    expect(recoverQuestion('OCR tokens: x Question: Why? Short answer:')).toBe('why?');
    expect(recoverQuestion('Q?\nAnswer the question using a single word or phrase.')).toBe('q?');
    expect(recoverQuestion('just one line')).toBeNull();
    const s = await load(root);
    expect(s.length).toBe(7);
    expect(s[1].id).toBe("a1b2c3d4e5f60002|what is the store's name?");
    expect(s[2].id).toBe('a1b2c3d4e5f60002|is the store open?'); // same image, distinct id
  });

  it('scores with the EvalAI processor on both sides (hand-computed)', async () => {
    const s = await load(root);
    const by = (i: number, text: string): [string, Answer] => [s[i].id, { id: s[i].id, text }];
    // 0 "Dakota" → 8 → 1; 1 "McDonald's" → "mcdonald 's" ×7 → 1; 2 "Open" → 1 match → 0.3;
    // 3 "23." → 1; 4 "$1,000" → "$1000" ×5 → 1; 5 "Stop sign" → 1 → 0.3; 6 missing → 0.
    const sc = textvqa.score(s, new Map([by(0, 'Dakota'), by(1, "McDonald's"), by(2, 'Open'), by(3, '23.'), by(4, '$1,000'), by(5, 'Stop sign')]));
    // eval_textvqa.py's denominator is the answer lines: the missing question is not in it (100 * 4.6 / 6);
    // the strict variant (missing counted wrong, 100 * 4.6 / 7) is reported beside it.
    expect(sc.headline).toBe(76.67);
    expect(sc.metrics['accuracy.strict']).toBe(65.71);
    expect(sc.metrics.missing).toBe(1);
    expect(sc.perSample[s[6].id]).toBeUndefined(); // not scored, as the official script does not score it
    expect(sc.counts).toMatchObject({ samples: 7, predicted: 6, missing: 1 });
  });

  it('joins LLaVA answer JSONL (question_id = image id) through the prompt', async () => {
    const file = path.join(root, 'answers.jsonl');
    const s = await load(root);
    await writeFile(file, s.map((x) => JSON.stringify({ question_id: x.meta.image_id, prompt: x.prompt, text: 'yes' })).join('\n') + '\n');
    const m = (await readLlavaAnswers(file))!;
    expect([...m.keys()]).toEqual(s.map((x) => x.id));
    expect(textvqa.score(s, m).perSample[s[2].id]).toBe(1);
    await writeFile(file, '{"question_id": "x", "prompt": "one line", "text": "a"}\n');
    await expect(readLlavaAnswers(file)).rejects.toThrow(`${file}:1: prompt layout not recognised`);
  });

  const real = '../shared/realdata/textvqa';
  if (!existsSync(real)) console.log('textvqa realdata check skipped: ../shared/realdata absent');
  it.skipIf(!existsSync(real))('every real LLaVA-1.5-13B answer joins one of the 5,000 real questions', async () => {
    const s = await load('../shared/realdata');
    expect(s.length).toBe(5000);
    const m = (await readLlavaAnswers(`${real}/answers/llava-v1.5-13b.jsonl`))!;
    expect(m.size).toBe(5000);
    const ids = new Set(s.map((x) => x.id));
    expect([...m.keys()].every((k) => ids.has(k))).toBe(true);
  });
});
