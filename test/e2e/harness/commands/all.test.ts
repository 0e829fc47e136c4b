import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultsFile } from '../../../../core/records.ts';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const BIN = join(ROOT, 'bin/eve-eval.js');
const MODELS = ['tiny-fuyu', 'tiny-eve'].map((m) => join(ROOT, 'fixtures/models', m));
const ready = MODELS.every((m) => existsSync(join(m, 'tokenizer.json'))) && existsSync(join(ROOT, 'fixtures/data/pope'));
if (!ready) console.warn('all.test: tiny model bundles or fixtures/data missing (npm run fixtures); skipped');

// A small but real run: two tiny bundles, three benchmarks, generation capped to keep it quick.
const ARGS = ['--models', MODELS.join(','), '--benchmarks', 'pope,mme,seed', '--max-new-tokens', '6', '--batch-size', '2'];

function predictionFiles(out: string): string[] {
  const dir = join(out, 'predictions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((m) =>
    readdirSync(join(dir, m))
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => join(dir, m, f)),
  );
}
const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean);
/** A minutes-long CLI run, asynchronously: spawnSync would block the test worker, whose calls to vitest time out after 60 s. */
function cliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const run = (out: string, extra: string[] = []) => cliAsync(['all', '--out', out, ...ARGS, ...extra]);

function summary(out: string) {
  const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
  return r.results.map((x) => ({ m: x.model, b: x.benchmark, h: x.headline, metrics: x.metrics, counts: x.counts, per: x.perSample }));
}
function texts(out: string) {
  return Object.fromEntries(
    predictionFiles(out).map((f) => [
      f.slice(out.length),
      Object.fromEntries(
        lines(f)
          .map((l) => JSON.parse(l))
          .map((r) => [r.id, r.text]),
      ),
    ]),
  );
}

describe.skipIf(!ready)('eve-eval all (real tiny bundles on the fixtures)', () => {
  it('writes results, predictions, samples and the manifest; a rerun resumes with no new generation', async () => {
    const out = await mkdtemp(join(tmpdir(), 'all-'));
    const first = await run(out);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/POPE/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    expect(results.results).toHaveLength(6);
    for (const r of results.results) {
      expect(Number.isFinite(r.headline)).toBe(true);
      expect(r.counts.samples).toBeGreaterThan(0);
      expect(r.ci95).toHaveLength(2);
    }
    expect(results.manifest.node).toBe(process.version);
    expect(results.manifest.onnxruntime).toMatch(/^\d+\.\d+/);
    expect(results.manifest.executionProvider).toBe('cpu');
    expect(Object.keys(results.manifest.modelFiles).some((k) => k.startsWith('tiny-fuyu/onnx/'))).toBe(true);
    expect(Object.keys(results.manifest.dataFiles)).toContain('pope/llava_pope_test.jsonl');
    expect((results.manifest.config as { maxNewTokens: number }).maxNewTokens).toBe(6);
    expect(existsSync(join(out, 'samples', 'pope.jsonl'))).toBe(true);
    expect(predictionFiles(out)).toHaveLength(6);

    const before = summary(out);
    const files = Object.fromEntries(predictionFiles(out).map((f) => [f, readFileSync(f, 'utf8')]));
    const again = await run(out);
    expect(again.status, again.stderr).toBe(0);
    // Every (model, benchmark) line says all of its samples were resumed, none generated.
    const done = again.stderr.split('\n').filter((l) => l.includes('done in'));
    expect(done).toHaveLength(6);
    for (const l of done) expect(l).toMatch(/: (\d+)\/\1 \| resumed \| .* \1 resumed$/);
    for (const [f, text] of Object.entries(files)) expect(readFileSync(f, 'utf8')).toBe(text);
    expect(summary(out)).toEqual(before);
  });

  it('kill -9 halfway, then rerun: same results as an uninterrupted run, no duplicated predictions', async () => {
    const clean = await mkdtemp(join(tmpdir(), 'all-clean-'));
    expect((await run(clean)).status).toBe(0);

    const out = await mkdtemp(join(tmpdir(), 'all-killed-'));
    const child = spawn(process.execPath, [BIN, 'all', '--out', out, ...ARGS], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Wait until the first predictions file has lines, then kill without warning.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !predictionFiles(out).some((f) => lines(f).length > 0)) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    expect(await exited).toBeNull(); // killed, not finished
    const partial = predictionFiles(out);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(6);
    // What a write cut by the kill leaves: a torn last line.
    appendFileSync(partial[0], '{"id":"torn","benchm');

    const rerun = await run(out);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/torn last line/);
    // The killed run's lock on --out is stale: the rerun takes it over and says so.
    expect(rerun.stderr).toMatch(/stale lock of pid \d+ \(no such process\) taken over/);
    expect(summary(out)).toEqual(summary(clean));
    expect(texts(out)).toEqual(texts(clean));
    for (const f of predictionFiles(out)) {
      const ids = lines(f).map((l) => JSON.parse(l).id);
      expect(new Set(ids).size, f).toBe(ids.length);
      expect(ids).not.toContain('torn');
    }
  });

  it.each([
    ['SIGINT', 130, 'Ctrl-C'],
    ['SIGTERM', 143, "a scheduler's stop"],
  ] as const)('%s halfway (%s, %s): one line saying how to resume, no temporary files; the rerun completes', async (signal, code, _why) => {
    const out = await mkdtemp(join(tmpdir(), `all-${signal}-`));
    const child = spawn(process.execPath, [BIN, 'all', '--out', out, ...ARGS], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: 'true' } });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !predictionFiles(out).some((f) => lines(f).length > 0)) await new Promise((r) => setTimeout(r, 25));
    child.kill(signal);
    expect(await exited).toBe(code);
    expect(stderr).toContain(`eve-eval: interrupted (${signal}); the answers so far are kept in ${out}: rerun the same command to resume`);
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [e.name]));
    expect(walk(out).filter((f) => /\.tmp-\d+$/.test(f))).toEqual([]);
    const rerun = await run(out);
    expect(rerun.status, rerun.stderr).toBe(0);
    for (const f of predictionFiles(out)) {
      const ids = lines(f).map((l) => JSON.parse(l).id);
      expect(new Set(ids).size, f).toBe(ids.length);
    }
  });

  it('a corrupt image is a recorded, counted per-sample error; past --max-error-rate the run exits 1', async () => {
    const data = await mkdtemp(join(tmpdir(), 'all-data-'));
    cpSync(join(ROOT, 'fixtures/data/pope'), join(data, 'pope'), { recursive: true });
    const img = readdirSync(join(data, 'pope', 'val2014'))[0];
    writeFileSync(join(data, 'pope', 'val2014', img), 'not a jpeg');
    const out = await mkdtemp(join(tmpdir(), 'all-err-'));
    const args = ['run', '--models', MODELS[0], '--benchmarks', 'pope', '--data', data, '--out', out, '--max-new-tokens', '4'];
    const strict = spawnSync(process.execPath, [BIN, ...args, '--max-error-rate', '0'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(strict.status, strict.stderr).toBe(1);
    expect(strict.stderr).toMatch(/error rate [\d.]+% is above --max-error-rate 0\.00%/);
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    const errors = r.results[0].counts.errors;
    expect(errors).toBeGreaterThan(0);
    const bad = lines(join(out, 'predictions', 'tiny-fuyu', 'pope.jsonl'))
      .map((l) => JSON.parse(l))
      .filter((p) => p.error);
    expect(bad).toHaveLength(errors);
    expect(bad[0].error.kind).toBe('image');
    expect(bad[0].error.message).toContain(img);
    // Errors explained: by kind with examples in results.json, and one line per kind in the terminal summary.
    expect(r.results[0].errorReasons!.image.count).toBe(errors);
    expect(r.results[0].errorReasons!.image.examples[0].message).toContain(img);
    expect(strict.stdout).toMatch(new RegExp(`errors: tiny-fuyu pope: image ×${errors} \\(e\\.g\\. .*${img.replace('.', '\\.')}`));
    // The same run with a tolerant threshold passes (failed samples are retried, fail again, are counted).
    const lenient = spawnSync(process.execPath, [BIN, ...args, '--max-error-rate', '0.5'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(lenient.status, lenient.stderr).toBe(0);
    expect(lenient.stdout).toMatch(new RegExp(`${errors} err`));
  });

  it('run requires --models and --benchmarks; bad flags exit 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'run', '--benchmarks', 'pope'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--models and --benchmarks/);
    const bad = spawnSync(process.execPath, [BIN, 'all', '--benchmarks', 'pope,nope', '--out', join(tmpdir(), 'x')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown benchmark "nope"/);
  });
});

// What a new user runs first: `all` with no model or benchmark flags (tiny EVE, Fuyu, LLaVA on every fixture).
describe.skipIf(!ready)('eve-eval all, embedded default: ten benchmarks × three models', () => {
  it('results.json holds 30 entries with counts; MM-Vet has headline null and a reason, never a number', async () => {
    const out = await mkdtemp(join(tmpdir(), 'all-default-'));
    const r = await cliAsync(['all', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
    expect(results.results).toHaveLength(30);
    const pairs = new Set(results.results.map((x) => `${x.model}/${x.benchmark}`));
    expect(pairs.size).toBe(30);
    expect(new Set(results.results.map((x) => x.model))).toEqual(new Set(['tiny-eve', 'tiny-fuyu', 'tiny-llava']));
    expect(new Set(results.results.map((x) => x.benchmark)).size).toBe(10);
    for (const x of results.results) {
      expect(x.counts.samples, `${x.model}/${x.benchmark}`).toBeGreaterThan(0);
      expect(x.counts.predicted + x.counts.missing).toBe(x.counts.samples);
      if (x.benchmark === 'mmvet') {
        expect(x.headline).toBeNull();
        // Exactly what it needs: a judge (config or flags) or the official grade file.
        expect(x.unscored).toMatch(/^mmvet: no judge grades: configure a judge \(`judge` in the config, or --judge-url and --judge-model/);
        expect(x.unscored).toContain('grade file');
        expect(x.ci95).toBeUndefined(); // no bootstrap on a number that does not exist
        expect(x.counts.predicted).toBe(x.counts.samples);
        expect(x.counts.errors).toBe(0);
      } else {
        expect(Number.isFinite(x.headline)).toBe(true);
        expect(x.ci95).toHaveLength(2);
      }
    }
    expect(results.unscored).toBeUndefined(); // the old side list is gone: everything is in results
    expect(results.manifest.finishedAt).toBeTruthy();
    expect(Object.keys(results.manifest.modelFiles).length).toBeGreaterThan(0);
    expect(Object.keys(results.manifest.dataFiles)).toContain('pope/llava_pope_test.jsonl');
    // The table says why there is no MM-Vet number, in every row.
    expect(r.stdout.match(/needs judge/g)!.length).toBeGreaterThanOrEqual(3);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<td class="num unscored"');
  }, 480_000); // 1,500 answers (500 synthetic questions × 3 models): 2 min 48 s at load 4–8
});

// The documented CI workflow (.github/workflows/eval.yml), step by step, against the committed baseline.
const BASELINE = join(ROOT, 'ci/baseline-results.json');
describe.skipIf(!ready || !existsSync(BASELINE))('the CI gate workflow', () => {
  it('`all --benchmarks pope,mme,gqa,textvqa` then `gate` against ci/baseline-results.json exits 0; changed answers exit 1', async () => {
    const out = await mkdtemp(join(tmpdir(), 'all-ci-'));
    const all = await cliAsync(['all', '--benchmarks', 'pope,mme,gqa,textvqa', '--out', out]);
    expect(all.status, all.stderr).toBe(0);
    const current = join(out, 'results.json');
    // The workflow's second step: the committed fixture answers, re-scored beside the tiny models.
    const rescore0 = spawnSync('bash', [join(ROOT, 'ci/rescore.sh'), current], { encoding: 'utf8' });
    expect(rescore0.status, rescore0.stderr).toBe(0);
    const gate = (cur: string) =>
      spawnSync(process.execPath, [BIN, 'gate', '--baseline', BASELINE, '--current', cur], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    const pass = gate(current);
    expect(pass.status, pass.stdout + pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/gate: PASS/);
    expect(pass.stdout.match(/unchanged/g)).toHaveLength(16);
    // The fixture answers give the gate numbers that can regress (the tiny models score near 0): every 4th wrong.
    const baseline = JSON.parse(readFileSync(BASELINE, 'utf8')) as ResultsFile;
    const fixturePope = baseline.results.find((x) => x.model === 'fixture-answers' && x.benchmark === 'pope')!;
    expect(fixturePope.headline).toBeGreaterThan(50);
    expect(fixturePope.headline).toBeLessThan(100);
    const pope1 = fixturePope.headline!.toFixed(1).replace('.', '\\.');
    expect(pass.stdout).toMatch(new RegExp(`fixture-answers\\s+POPE\\s+${pope1}\\s+${pope1}`));

    // Change the POPE answers of the tiny model with the best POPE score so that every question it got right is now
    // wrong, re-score them into a copy of the results with `score --results` (the entry is replaced), and gate again.
    const results = JSON.parse(readFileSync(current, 'utf8')) as ResultsFile;
    const target = results.results
      .filter((x) => x.benchmark === 'pope' && x.model.startsWith('tiny-'))
      .sort((a, b) => (b.headline ?? 0) - (a.headline ?? 0))[0].model;
    const credit = results.results.find((x) => x.model === target && x.benchmark === 'pope')!.perSample!;
    const changed = join(out, 'pope-changed.jsonl');
    writeFileSync(
      changed,
      lines(join(out, 'predictions', target, 'pope.jsonl'))
        .map((l) => JSON.parse(l))
        // POPE's scorer reads "no" when the answer has the word no/not and "yes" otherwise (so gibberish is "yes"):
        // each right answer becomes the opposite word, wrong ones stay as they are.
        .map((p) => JSON.stringify({ ...p, text: credit[p.id] === 1 ? (/\b(no|not)\b/i.test(p.text) ? 'Yes' : 'No') : p.text }))
        .join('\n') + '\n',
    );
    const cur2 = join(out, 'changed-results.json');
    cpSync(current, cur2);
    const rescore = spawnSync(
      process.execPath,
      [BIN, 'score', '--benchmark', 'pope', '--data', join(ROOT, 'fixtures/data'), '--predictions', changed, '--model', target, '--results', cur2],
      { encoding: 'utf8' },
    );
    expect(rescore.status, rescore.stderr).toBe(0);
    expect(JSON.parse(readFileSync(cur2, 'utf8')).results).toHaveLength(16); // replaced, not duplicated
    const fail = gate(cur2);
    expect(fail.status, fail.stdout).toBe(1);
    // POPE's headline is mean F1: the gate's paired bootstrap of that statistic over every question.
    const targetPope = results.results.find((x) => x.model === target && x.benchmark === 'pope')!;
    expect(targetPope.headline).toBeGreaterThan(0);
    const [h, n] = [targetPope.headline!.toFixed(1).replace('.', '\\.'), Object.keys(credit).length];
    expect(fail.stdout).toMatch(
      new RegExp(`${target}\\s+POPE\\s+${h}\\s+0\\.0\\s+-${h}\\s+paired bootstrap of pope/mean-f1 \\(n=${n}\\)\\s+(<0\\.001|0\\.0\\d\\d)\\s+regressed`),
    );
    expect(fail.stdout).toMatch(/gate: FAIL: 1 regression/);
  }, 300_000);
});
