// The failures a user meets, each through the real CLI: one line naming the file, the field or the sample, the
// documented exit code, and nothing written that should not be. (A full disk, Ctrl-C / SIGTERM, kill -9, a
// second run into a locked folder and remote-server faults have their own e2e files.)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'eve-eval.js');
const MODELS = join(ROOT, 'fixtures', 'models');
const DATA = join(ROOT, 'fixtures', 'data');
const tmp = mkdtempSync(join(tmpdir(), 'faults-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, last: r.stderr.trim().split('\n').at(-1) ?? '' };
}
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at /);

describe('faults, through the CLI', () => {
  it("a bundle whose vision encoder is another family's is refused at load, naming the file and the mismatch", () => {
    const bundle = join(tmp, 'eve-with-llava-vision');
    cpSync(join(MODELS, 'tiny-eve'), bundle, { recursive: true });
    const file = join(bundle, 'onnx', 'vision_encoder.onnx');
    cpSync(join(MODELS, 'tiny-llava', 'onnx', 'vision_encoder.onnx'), file);
    const out = join(tmp, 'run-mismatch');
    const r = cli('run', '--models', bundle, '--benchmarks', 'pope', '--out', out);
    expect(r.status).toBe(2);
    expect(r.last).toBe(`eve-eval: ${file}: input "pixel_values" has size 3 at axis 1 [1,3,336,336], config.json needs 4`);
    noStack(r.stderr);
    expect(existsSync(join(out, 'predictions'))).toBe(false); // refused before any sample ran
  });

  it('a model name from a config is never a path segment: "../../x" is refused before anything is written', () => {
    const config = join(tmp, 'escape.json');
    writeFileSync(
      config,
      JSON.stringify({ models: [{ name: '../../x', path: join(MODELS, 'tiny-eve') }], benchmarks: ['pope'], out: join(tmp, 'run-escape') }),
    );
    const r = cli('run', '--config', config);
    expect(r.status).toBe(2);
    expect(r.last).toMatch(/^eve-eval: model name "\.\.\/\.\.\/x" cannot name a folder of the run/);
    expect(existsSync(join(tmp, 'run-escape'))).toBe(false);
    expect(existsSync(join(tmp, '..', 'x'))).toBe(false);
  });

  it('answers made for other prompts are refused (exact prompt check), naming the file, line and id', () => {
    const file = join(tmp, 'pope-x.jsonl');
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    writeFileSync(file, ids.map((id) => JSON.stringify({ question_id: id, prompt: 'Is there a', text: 'Yes' })).join('\n') + '\n');
    const r = cli('score', '--benchmark', 'pope', '--data', DATA, '--predictions', file);
    expect(r.status).toBe(2);
    expect(r.last).toMatch(
      new RegExp(`^eve-eval: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1: 12 of 12 answers were made for other prompts or images than pope/test holds`),
    );
    noStack(r.stderr);
  });

  it('a malformed answer line is one line naming the file and line; a file in no known format says what it looks like', () => {
    const bad = join(tmp, 'pope-bad.jsonl');
    writeFileSync(bad, `${JSON.stringify({ question_id: 1, text: 'Yes' })}\n{"question_id": 2, "text": \n`);
    const r = cli('score', '--benchmark', 'pope', '--data', DATA, '--predictions', bad);
    expect(r.status).toBe(2);
    expect(r.last).toMatch(new RegExp(`^eve-eval: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: malformed JSON`));
    const odd = join(tmp, 'answers.csv');
    writeFileSync(odd, 'question_id,answer\n1,yes\n');
    const o = cli('score', '--benchmark', 'pope', '--data', DATA, '--predictions', odd);
    expect(o.status).toBe(2);
    expect(o.last).toMatch(/is text starting "question_id,answer", not a predictions format eve-eval reads; it reads/);
  });

  it('data ids that are JavaScript prototype keys score as plain ids ("constructor", "__proto__")', () => {
    // A GQA question file and its official questions with the ids "constructor" and "__proto__".
    const data = join(tmp, 'gqa-proto');
    cpSync(join(DATA, 'gqa'), join(data, 'gqa'), { recursive: true });
    const questions = { constructor: { answer: 'yes', imageId: 'n1' }, __proto__: { answer: 'no', imageId: 'n1' } };
    writeFileSync(
      join(data, 'gqa', 'testdev_balanced_questions.json'),
      `{"constructor": ${JSON.stringify(questions.constructor)}, "__proto__": ${JSON.stringify(questions.__proto__)}}`,
    );
    const image = readdirSync(join(data, 'gqa', 'images'))[0]!;
    const lines = ['constructor', '__proto__'].map((id) =>
      JSON.stringify({ question_id: id, image, text: `Is it ${id}?\nAnswer the question using a single word or phrase.` }),
    );
    writeFileSync(join(data, 'gqa', 'llava_gqa_testdev_balanced.jsonl'), lines.join('\n') + '\n');
    const answers = join(tmp, 'gqa-proto-answers.jsonl');
    writeFileSync(
      answers,
      [JSON.stringify({ question_id: 'constructor', text: 'yes' }), JSON.stringify({ question_id: '__proto__', text: 'no' })].join('\n') + '\n',
    );
    const r = cli('score', '--benchmark', 'gqa', '--data', data, '--predictions', answers, '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { headline: number; counts: { samples: number } };
    expect(out.counts.samples).toBe(2);
    expect(out.headline).toBe(100);
  });
});
