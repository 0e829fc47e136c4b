import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pope from '../../../../benchmarks/pope/index.ts';
import mme from '../../../../benchmarks/mme/index.ts';
import { cli } from './cli-helpers.ts';

const REAL = join(import.meta.dirname, '../../../../../shared/realdata');
if (!existsSync(REAL)) console.warn(`score.test: ${REAL} is absent; the realdata cases are skipped`);

describe('eve-eval score', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'score-'));
    await pope.writeFixture(root);
    await mme.writeFixture(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('--json prints one object with benchmark, headline, metrics, counts', () => {
    const r = cli('score', '--benchmark', 'pope', '--data', root, '--predictions', join(root, 'pope/answers/fixture.jsonl'), '--json');
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.benchmark).toBe('pope');
    expect(o.headline).toBe(76.67); // (50 + 100 + 80) / 3
    expect(o.metrics['random.f1']).toBe(80);
    expect(o.counts.samples).toBe(12);
  });

  it('--timings prints its phases and peak RSS on stderr, leaving stdout one JSON object', () => {
    const r = cli('score', '--benchmark', 'pope', '--data', root, '--predictions', join(root, 'pope/answers/fixture.jsonl'), '--json', '--timings');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).headline).toBe(76.67);
    const line = /eve-eval: timings: (.*)/.exec(r.stderr)?.[1] ?? '';
    const phases = [...line.matchAll(/([a-z -]+) (\d+\.\d\d) s/g)].map((m) => m[1].replace(/^[,; ]+/, ''));
    expect(phases).toEqual(['start-up', 'read data and predictions', 'score', 'output', 'total']);
    expect(Number(/peak RSS (\d+) MB/.exec(line)?.[1])).toBeGreaterThan(10);
  });

  it('prints a readable summary with the official scorer lines', () => {
    const r = cli('score', '--benchmark', 'mme', '--data', root, '--predictions', join(root, 'MME/eval_tool/fixture_results'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('mme/test: perception score (sum of 10 subtasks, max 2000) = 250');
    expect(r.stdout).toContain('total score: 250.0 ');
  });

  it('exits 2 with one line for an unknown benchmark, a malformed line, a file of another benchmark', async () => {
    const unknown = cli('score', '--benchmark', 'nope', '--data', root, '--predictions', 'x');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe('eve-eval: unknown benchmark "nope"; known: vqav2, gqa, vizwiz, textvqa, pope, mme, mmbench, seed, mmvet, sqa');

    const bad = join(root, 'bad.jsonl');
    await writeFile(bad, '{"question_id": 1, "text": "Yes"}\nnot json\n');
    const malformed = cli('score', '--benchmark', 'pope', '--data', root, '--predictions', bad);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr.trim().split('\n')).toHaveLength(1);
    expect(malformed.stderr).toContain(`${bad}:2: malformed JSON`);

    const other = cli('score', '--benchmark', 'pope', '--data', root, '--predictions', join(root, 'MME/answers/fixture.jsonl'));
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/none of its 12 predictions match pope\/test/);
  });

  it.skipIf(!existsSync(REAL))('reproduces POPE 85.95 on ../shared/realdata', () => {
    const r = cli('score', '--benchmark', 'pope', '--data', REAL, '--predictions', join(REAL, 'pope/answers/llava-v1.5-13b.jsonl'), '--json');
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.headline).toBe(85.95);
    expect([o.metrics['adversarial.f1'], o.metrics['popular.f1'], o.metrics['random.f1']]).toEqual([84.46, 86.25, 87.14]);
  });

  it('--results writes a results file with perSample, ci95 and a manifest; rescoring replaces the entry', async () => {
    const file = join(root, 'out', 'results.json');
    const args = ['score', '--benchmark', 'pope', '--data', root, '--predictions', join(root, 'pope/answers/fixture.jsonl'), '--results', file];
    expect(cli(...args).status).toBe(0);
    const again = cli(...args, '--json');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout).headline).toBe(76.67); // stdout stays one JSON object
    expect(
      cli('score', '--benchmark', 'mme', '--data', root, '--predictions', join(root, 'MME/eval_tool/fixture_results'), '--model', 'm2', '--results', file)
        .status,
    ).toBe(0);
    const r = JSON.parse(readFileSync(file, 'utf8'));
    expect(r.schema).toBe('eve-eval/results@1');
    expect(r.results.map((x: { model: string; benchmark: string }) => `${x.model}/${x.benchmark}`)).toEqual(['fixture/pope', 'm2/mme']);
    const pope = r.results[0];
    expect(pope.headline).toBeCloseTo(76.667, 2);
    expect(Object.keys(pope.perSample)).toHaveLength(12);
    expect(pope.ci95[0]).toBeLessThanOrEqual(pope.headline);
    expect(pope.ci95[1]).toBeGreaterThanOrEqual(pope.headline);
    // Hashes of the files the adapters read: question and label files, not images, not the answers.
    expect(Object.keys(r.manifest.dataFiles)).toContain('pope/llava_pope_test.jsonl');
    expect(Object.keys(r.manifest.dataFiles).some((f) => f.startsWith('MME/'))).toBe(true);
    expect(Object.keys(r.manifest.dataFiles).some((f) => /\.(jpe?g|png)$/.test(f) || /(^|\/)answers\//.test(f))).toBe(false);
    const officialFiles = readdirSync(join(root, 'MME/eval_tool/fixture_results')).length;
    expect(Object.keys(r.manifest.predictionFiles).filter((f) => f.includes('MME/eval_tool/fixture_results/'))).toHaveLength(officialFiles);
    expect(Object.keys(r.manifest.predictionFiles).some((f) => f.endsWith('pope/answers/fixture.jsonl'))).toBe(true);
    expect(r.manifest.modelFiles).toEqual({});
    expect(r.manifest.config.scored).toHaveLength(2);
  });

  it.skipIf(!existsSync(REAL))('realdata: score POPE (LLaVA-1.5-13B) and MME (LaVIN) into one file, then report it beside the paper rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'score-real-'));
    const file = join(dir, 'results.json');
    const pope = cli(
      'score',
      '--benchmark',
      'pope',
      '--data',
      REAL,
      '--predictions',
      join(REAL, 'pope/answers/llava-v1.5-13b.jsonl'),
      '--model',
      'llava-v1.5-13b',
      '--results',
      file,
    );
    expect(pope.status, pope.stderr).toBe(0);
    const mmeRun = cli(
      'score',
      '--benchmark',
      'mme',
      '--data',
      REAL,
      '--predictions',
      join(REAL, 'MME/eval_tool/LaVIN'),
      '--model',
      'LaVIN-13B',
      '--results',
      file,
    );
    expect(mmeRun.status, mmeRun.stderr).toBe(0);
    const md = join(dir, 'table.md');
    const csv = join(dir, 'table.csv');
    const report = cli('report', file, '--delta-vs', 'LLaVA-1.5-7B', '--markdown', md, '--csv', csv);
    expect(report.status, report.stderr).toBe(0);
    const text = readFileSync(md, 'utf8');
    // 85.95 as the table rounds it (one decimal, with its bootstrap half-width), the paper's 85.9 beside it.
    expect(text).toMatch(/\| \*\*llava-v1\.5-13b\*\* \| 85\.9 ±0\.\d \| – \|/); // no "0 err" under a cell where nothing failed
    expect(text).toContain('| *LLaVA-1.5-7B (published)* | *85.9* | *1510.7* |');
    expect(text).toMatch(/\| \*\*LaVIN-13B\*\* \| – \| 963\.6 ±\d+\.\d \|/);
    expect(text).toContain('| -547.1 |'); // 963.6 − 1510.7
    expect(readFileSync(csv, 'utf8')).toMatch(/^llava-v1\.5-13b,measured,pope,test,headline,.*,85\.946/m);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('LLaVA-1.5-7B <span class="tag">published</span>');
    expect(html).not.toContain('id="sample-list"'); // no predictions/ or samples/ beside the file
    await rm(dir, { recursive: true, force: true });
  });
});
