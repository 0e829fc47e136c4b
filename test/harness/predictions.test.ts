import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pope from '../../benchmarks/pope/index.ts';
import mme from '../../benchmarks/mme/index.ts';
import mmvet from '../../benchmarks/mmvet/index.ts';
import gqa from '../../benchmarks/gqa/index.ts';
import seed from '../../benchmarks/seed/index.ts';
import vqav2 from '../../benchmarks/vqav2/index.ts';
import type { Sample } from '../../core/benchmark.ts';
import { InputError, UserError } from '../../core/errors.ts';
import { readPredictions } from '../../harness/predictions.ts';

let root: string;
let popeSamples: Sample[];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'preds-'));
  await pope.writeFixture(root);
  await mme.writeFixture(root);
  await mmvet.writeFixture(root);
  popeSamples = [];
  for await (const s of pope.load(root)) popeSamples.push(s);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('readPredictions', () => {
  it('reads the file while the samples still load, then joins: the same answers as with the samples in hand', async () => {
    const file = join(root, 'pope/answers/fixture.jsonl');
    let release: (s: Sample[]) => void = () => {};
    const later = new Promise<Sample[]>((resolve) => (release = resolve));
    const reading = readPredictions(file, pope, later, root);
    await new Promise((r) => setTimeout(r, 20)); // the file is read meanwhile; the join waits for the samples
    release(popeSamples);
    const a = await reading;
    const b = await readPredictions(file, pope, popeSamples, root);
    expect(a.answers.size).toBeGreaterThan(0);
    expect([...a.answers].map(([id, x]) => [id, x.text])).toEqual([...b.answers].map(([id, x]) => [id, x.text]));
    // Samples that fail to load fail the read with their own error.
    const failing = Promise.reject(new UserError('pope/test: no questions found'));
    await expect(readPredictions(file, pope, failing, root)).rejects.toThrow('pope/test: no questions found');
  });

  it('reads LLaVA answer JSONL joined by question_id', async () => {
    const r = await readPredictions(join(root, 'pope/answers/fixture.jsonl'), pope, popeSamples, root);
    expect(r.format).toBe('llava');
    expect(r.answers.get('3')?.text).toBe('There is not a car.');
  });

  it("reads eve-eval's own records, errors included, later lines replacing earlier ones", async () => {
    const f = join(root, 'records.jsonl');
    const rec = (id: string, text: string, extra = {}) => JSON.stringify({ id, benchmark: 'pope', split: 'test', model: 'm', text, cacheKey: 'k', ...extra });
    await writeFile(f, [rec('1', 'No'), rec('1', 'Yes'), rec('2', '', { error: { kind: 'oom', message: 'out of memory' } })].join('\n') + '\n');
    const r = await readPredictions(f, pope, popeSamples, root);
    expect(r.format).toBe('eve-eval');
    expect(r.answers.get('1')?.text).toBe('Yes');
    expect(r.answers.get('2')?.error?.kind).toBe('oom');
  });

  it('names file and line for a malformed JSON line', async () => {
    const f = join(root, 'bad.jsonl');
    await writeFile(f, '{"question_id": 1, "text": "Yes"}\n{"question_id": 2, "text": \n');
    await expect(readPredictions(f, pope, popeSamples, root)).rejects.toThrow(InputError);
    await expect(readPredictions(f, pope, popeSamples, root)).rejects.toThrow(`${f}:2: malformed JSON`);
  });

  it('refuses a record for another benchmark, naming the line', async () => {
    const f = join(root, 'other.jsonl');
    await writeFile(f, JSON.stringify({ id: '1', benchmark: 'gqa', split: 'test', model: 'm', text: 'x', cacheKey: 'k' }) + '\n');
    await expect(readPredictions(f, pope, popeSamples, root)).rejects.toThrow(`${f}:1: prediction record for benchmark "gqa", not "pope"`);
  });

  it('refuses LLaVA answers of another benchmark whose numeric ids collide', async () => {
    // MM-Vet's question_ids 0..3 overlap POPE's 1..12, but the prompts are MM-Vet questions.
    await expect(readPredictions(join(root, 'mm-vet/answers/fixture.jsonl'), pope, popeSamples, root)).rejects.toThrow(
      /answers were made for other prompts or images/,
    );
  });

  it('refuses a file whose ids match nothing', async () => {
    const f = join(root, 'gqa.jsonl');
    await writeFile(f, JSON.stringify({ question_id: '201307251', prompt: 'Is it overcast?', text: 'no' }) + '\n');
    await expect(readPredictions(f, pope, popeSamples, root)).rejects.toThrow(UserError);
    await expect(readPredictions(f, pope, popeSamples, root)).rejects.toThrow(/none of its 1 predictions match pope\/test/);
  });

  it('joins lines in any order to the same answers: repeats counted, a LLaVA line after a record not one', async () => {
    const file = join(root, 'pope/answers/fixture.jsonl');
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const read = async (ls: string[], name: string) => {
      const f = join(root, name);
      await writeFile(f, ls.join('\n') + '\n');
      const r = await readPredictions(f, pope, popeSamples, root);
      return { answers: Object.fromEntries([...r.answers].map(([id, a]) => [id, a.text])), repeated: r.repeated };
    };
    const inOrder = await read(lines, 'in-order.jsonl');
    expect(Object.keys(inOrder.answers).length).toBe(lines.length);
    expect(inOrder.repeated).toEqual({ questions: 0, extraLines: 0 });
    expect(await read([...lines].reverse(), 'reversed.jsonl')).toEqual(inOrder);
    // The second line again at the end, answered otherwise: the last line wins, one repeat.
    const again = { ...JSON.parse(lines[1]), text: 'Maybe.' };
    const repeated = await read([...lines, JSON.stringify(again)], 'repeated.jsonl');
    expect(repeated.answers).toEqual({ ...inOrder.answers, [String(again.question_id)]: 'Maybe.' });
    expect(repeated.repeated).toEqual({ questions: 1, extraLines: 1 });
    // A record, then a LLaVA line for the same question: replaced, not a repeat.
    const first = JSON.parse(lines[0]);
    const record = JSON.stringify({ id: String(first.question_id), benchmark: 'pope', split: 'test', model: 'm', text: 'No', cacheKey: 'k' });
    const mixed = await read([record, ...lines], 'mixed.jsonl');
    expect(mixed).toEqual(inOrder);
  });

  it("tells MME's two questions of one image apart by prompt", async () => {
    const samples: Sample[] = [];
    for await (const s of mme.load(root)) samples.push(s);
    const r = await readPredictions(join(root, 'MME/answers/fixture.jsonl'), mme, samples, root);
    expect(r.answers.get('existence/000000000102.jpg#1')?.text).toBe('Yes, there is.');
    expect(r.answers.get('existence/000000000102.jpg#2')?.text).toBe('Yes');
    // In reverse order too (the lookup by key and prompt rather than the next sample).
    const lines = (await readFile(join(root, 'MME/answers/fixture.jsonl'), 'utf8')).trim().split('\n');
    await writeFile(join(root, 'mme-reversed.jsonl'), lines.reverse().join('\n') + '\n');
    const reversed = await readPredictions(join(root, 'mme-reversed.jsonl'), mme, samples, root);
    expect(Object.fromEntries([...reversed.answers].map(([id, a]) => [id, a.text]))).toEqual(Object.fromEntries([...r.answers].map(([id, a]) => [id, a.text])));
  });
});

describe('readPredictions on a question file passed by mistake', () => {
  it("refuses lines whose image is not the sample's image", async () => {
    // llava-mm-vet.jsonl-style lines: {image, text, question_id}, no prompt; ids collide with POPE's.
    const f = join(root, 'mmvet-questions.jsonl');
    await writeFile(f, [1, 2, 3].map((i) => JSON.stringify({ image: `v1_${i}.png`, text: 'What is x?', category: 'conv', question_id: i })).join('\n') + '\n');
    await expect(readPredictions(f, pope, popeSamples, root)).rejects.toThrow(/3 of 3 answers were made for other prompts or images/);
  });
});

describe('the prompt check for answer files made elsewhere', () => {
  const line = (qid: number, prompt: string) => JSON.stringify({ question_id: qid, prompt, text: 'yes', answer_id: 'a', model_id: 'm', metadata: {} });
  const byQid = () => popeSamples.map((s) => ({ qid: Number(s.meta.llavaId ?? s.id), prompt: s.prompt }));

  it('refuses prompts that are only a part of the question ("x" is in every prompt that has an x)', async () => {
    const f = join(root, 'pope-x.jsonl');
    await writeFile(
      f,
      byQid()
        .map(({ qid }) => line(qid, 'x'))
        .join('\n') + '\n',
    );
    await expect(readPredictions(f, pope, popeSamples, root)).rejects.toThrow(/answers were made for other prompts or images/);
    const half = join(root, 'pope-half.jsonl');
    await writeFile(
      half,
      byQid()
        .map(({ qid, prompt }) => line(qid, prompt.slice(0, Math.ceil(prompt.length / 2))))
        .join('\n') + '\n',
    );
    await expect(readPredictions(half, pope, popeSamples, root)).rejects.toThrow(/answers were made for other prompts or images/);
  });

  it('accepts the question exactly, with or without its answer instruction, "<image>" and spacing aside', async () => {
    const f = join(root, 'pope-bare.jsonl');
    const bare = byQid().map(({ qid, prompt }) => line(qid, `<image>\n${prompt.split('\n')[0]}  `));
    await writeFile(f, bare.join('\n') + '\n');
    const r = await readPredictions(f, pope, popeSamples, root);
    expect(r.answers.size).toBe(popeSamples.length);
  });
});

describe('readPredictions on the answer files researchers already have', () => {
  const record = (benchmark: string, split: string, id: string, text: string) => JSON.stringify({ id, benchmark, split, model: 'm', text, cacheKey: 'k' });
  const scoreBoth = async (adapter: typeof vqav2 | typeof seed, samples: Sample[], upload: string, records: string) => {
    const a = await readPredictions(upload, adapter, samples, root);
    const b = await readPredictions(records, adapter, samples, root);
    return { a, b, sa: adapter.score(samples, a.answers), sb: adapter.score(samples, b.answers) };
  };

  it('reads the official VQA results array [{question_id, answer}] to the same score as the same answers as records', async () => {
    await vqav2.writeFixture(root);
    const samples: Sample[] = [];
    for await (const s of vqav2.load(root, { split: 'val' })) samples.push(s);
    // A mix of right, wrong and partly right answers: each question's first human answer, or a wrong one.
    const texts = samples.map((s, i) => (i % 3 === 2 ? 'purple elephant' : String((s.answer as string[])[i % 10])));
    const upload = join(root, 'vqa-results.json');
    await writeFile(
      upload,
      JSON.stringify(
        samples.map((s, i) => ({ question_id: Number(s.id), answer: texts[i] })),
        null,
        2,
      ),
    );
    const records = join(root, 'vqa-records.jsonl');
    await writeFile(records, samples.map((s, i) => record('vqav2', 'val', s.id, texts[i])).join('\n') + '\n');
    const { a, sa, sb } = await scoreBoth(vqav2, samples, upload, records);
    expect(a.format).toBe('vqa-results');
    expect(a.answers.size).toBe(samples.length);
    expect(sa.headline).toBeGreaterThan(0);
    expect(sa.headline).toBe(sb.headline);
    expect(sa.metrics).toEqual(sb.metrics);
    expect(sa.perSample).toEqual(sb.perSample);
  });

  it('reads SEED-Bench upload lines {question_id, prediction} (what `submission` writes) back to the same score', async () => {
    await seed.writeFixture(root);
    const samples: Sample[] = [];
    for await (const s of seed.load(root)) samples.push(s);
    // SEED-Bench-1 repeats a question_id ("49914"): an upload line cannot tell those two apart, so they get one
    // answer here, as LLaVA's id-keyed flow gives them.
    const byQuestion = new Map<string, string>();
    const texts = samples.map((s, i) => {
      const q = String(s.meta.questionId);
      if (!byQuestion.has(q)) byQuestion.set(q, i % 2 === 0 ? String(s.answer) : 'B');
      return byQuestion.get(q)!;
    });
    const records = join(root, 'seed-records.jsonl');
    await writeFile(records, samples.map((s, i) => record('seed', s.split, s.id, texts[i])).join('\n') + '\n');
    const fromRecords = await readPredictions(records, seed, samples, root);
    const upload = join(root, 'seed-upload.jsonl');
    await seed.writeSubmission!(samples, fromRecords.answers, upload);
    const { a, sa, sb } = await scoreBoth(seed, samples, upload, records);
    expect(a.format).toBe('seed-upload');
    expect(sa.headline).toBeGreaterThan(0);
    expect(sa.headline).toBe(sb.headline);
    expect(sa.metrics).toEqual(sb.metrics);
  });

  it("reads GQA's predictions array [{questionId, prediction}] (what `submission` writes) back to the same score", async () => {
    await gqa.writeFixture(root);
    const samples: Sample[] = [];
    for await (const s of gqa.load(root)) samples.push(s);
    const texts = samples.map((s, i) => (i % 2 === 0 ? String(s.answer) : 'purple'));
    const records = join(root, 'gqa-records.jsonl');
    await writeFile(records, samples.map((s, i) => record('gqa', s.split, s.id, texts[i])).join('\n') + '\n');
    const fromRecords = await readPredictions(records, gqa, samples, root);
    const upload = join(root, 'testdev_balanced_predictions.json');
    await gqa.writeSubmission!(samples, fromRecords.answers, upload);
    const a = await readPredictions(upload, gqa, samples, root);
    expect(a.format).toBe('gqa-predictions');
    const [sa, sb] = [gqa.score(samples, a.answers), gqa.score(samples, fromRecords.answers)];
    expect(sa.headline).toBeGreaterThan(0);
    expect(sa.headline).toBe(sb.headline);
    expect(sa.metrics).toEqual(sb.metrics);
  });

  it('says what a file in another format looks like and which formats it reads, not a JSON parse error', async () => {
    const cases: Array<[string, string | Buffer, RegExp]> = [
      ['sheet.zip', Buffer.from('PK\x03\x04rest-of-a-zip', 'latin1'), /is a zip archive \(an \.xlsx spreadsheet\?\)/],
      ['sheet.txt', 'index\tquestion\tprediction\n0\tWhat?\tA\n', /is tab-separated text with the header "index\\tquestion\\tprediction"/],
      ['pretty.json', '{\n  "v1_0": "an answer"\n}\n', /is one JSON object with keys "v1_0"/],
      ['vizwiz.json', '[{"image": "VizWiz_val_1.jpg", "answer": "no"}]', /element 1\): an object with keys "image", "answer" is not a predictions format/],
    ];
    for (const [name, body, expected] of cases) {
      const f = join(root, name);
      await writeFile(f, body);
      const err = await readPredictions(f, pope, popeSamples, root).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect(err!.message).toMatch(expected);
      expect(err!.message).toContain('the official VQA results array [{question_id, answer}]');
      expect(err!.message).not.toMatch(/malformed JSON|Unexpected token/);
    }
  });
});
