// MM-Vet end to end against a loopback judge that answers like a GPT-4 grader: scores, a malformed first
// reply, replies that never hold a score, a 429 with Retry-After, a reply slower than the timeout. The grades
// and totals are checked against the official evaluator's aggregation (a numpy port, run by Python) on the
// grade file eve-eval writes; a second scoring makes no request; judge failures are counted and shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonl, writeText } from '../../../benchmarks/shared/fixture-files.ts';
import { scoreFile } from '../../../harness/commands/score.ts';
import type { ResolvedJudge } from '../../../harness/judge/index.ts';
import { pythonSkipReason, runPython } from '../../export/python.ts';

const CAP_SETS = [['rec'], ['ocr'], ['ocr', 'math'], ['rec', 'know'], ['rec', 'know', 'gen'], ['ocr', 'spat'], ['rec', 'spat']];
const N = 30;
/** Predictions steer the loopback judge: "ok-i" scores, "mal-i" is malformed once, "bad-i" never scores, "429-i" and "slow-i" fail their first request. */
const predictionOf = (i: number) => (i === 1 ? 'mal-1' : i === 2 ? 'bad-2' : i === 3 ? '429-3' : i === 4 ? 'slow-4' : `ok-${i}`);

interface Seen {
  requests: number;
  byPrediction: Map<string, number[]>;
}

function startJudge(seen: Seen): Promise<{ server: Server; url: string }> {
  const calls = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.requests++;
      const request = JSON.parse(body) as { model: string; messages: Array<{ content: string }>; temperature: number; max_tokens: number };
      const prompt = request.messages[0].content;
      const rows = prompt.split('\n').filter((l) => l.endsWith(' | '));
      const prediction = rows[rows.length - 1].split(' | ')[2];
      const retry = prompt.endsWith('(digit): ');
      (seen.byPrediction.get(prediction) ?? seen.byPrediction.set(prediction, []).get(prediction)!).push(request.temperature);
      const n = calls.get(prompt) ?? 0;
      calls.set(prompt, n + 1);
      const reply = (content: string) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ model: `${request.model}-loopback`, choices: [{ message: { content } }], usage: { prompt_tokens: 1000, completion_tokens: 2 } }),
        );
      };
      if (prediction.startsWith('429-') && n === 0) {
        res.writeHead(429, { 'retry-after': '1' });
        return res.end('slow down');
      }
      if (prediction.startsWith('slow-') && n === 0) return void setTimeout(() => reply('1.0'), 1500);
      if (prediction.startsWith('bad-')) return reply('I think');
      if (prediction.startsWith('mal-')) return reply(retry ? '0.6' : 'Score: 0.6');
      // Different runs (separate cache entries, same prompt) may grade differently, as GPT-4 does.
      const i = Number(prediction.split('-')[1]);
      const run = request.temperature === 0 ? seen.byPrediction.get(prediction)!.length : 0;
      reply(`${((i * 7 + run * 3) % 11) / 10} `);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1` })),
  );
}

const pySkip = pythonSkipReason(['numpy']);
if (pySkip) console.log(`mmvet-judge: official aggregation oracle skipped: ${pySkip}`);

describe('MM-Vet graded by a loopback judge', () => {
  let root: string;
  let server: Server;
  let url: string;
  const seen: Seen = { requests: 0, byPrediction: new Map() };
  const judge = (): ResolvedJudge => ({
    url,
    model: 'gpt-4-0613',
    runs: 2,
    timeoutMs: 400,
    retries: 2,
    backoffMs: 20,
    concurrency: 4,
    prices: { inputPerMTok: 30, outputPerMTok: 60 },
  });
  const score = () =>
    scoreFile({ benchmark: 'mmvet', data: root, predictions: join(root, 'mm-vet/answers/m.jsonl'), judge: judge(), judgeDir: join(root, 'out'), model: 'm' });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mmvet-judge-'));
    const official: Record<string, unknown> = {};
    const llava: unknown[] = [];
    const answers: unknown[] = [];
    for (let i = 0; i < N; i++) {
      official[`v1_${i}`] = {
        imagename: `v1_${i}.png`,
        capability: CAP_SETS[(i * 5) % CAP_SETS.length],
        question: `Question ${i}?`,
        answer: i % 4 === 0 ? `a${i}<AND>b${i}` : `a${i}<OR>b${i}`,
      };
      llava.push({ image: `v1_${i}.png`, text: `Question ${i}?`, category: 'conv', question_id: i });
      if (i !== N - 1) answers.push({ question_id: i, prompt: `Question ${i}?`, text: predictionOf(i), answer_id: 'x', model_id: 'm', metadata: {} }); // the last has no answer
    }
    await writeText(join(root, 'mm-vet/mm-vet.json'), JSON.stringify(official, null, 2));
    await writeText(join(root, 'mm-vet/llava-mm-vet.jsonl'), jsonl(llava));
    await writeText(join(root, 'mm-vet/answers/m.jsonl'), jsonl(answers));
    ({ server, url } = await startJudge(seen));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(root, { recursive: true, force: true });
  });

  it('grades every answer with the official protocol, counts judge failures, and writes the official grade file', async () => {
    const first = await score();
    const { output, judge: record } = first;
    const gradeFile = join(root, 'out/mm-vet/m_gpt-4-0613-grade-2runs.json');
    expect(existsSync(gradeFile)).toBe(true);
    expect(existsSync(join(root, 'out/mm-vet/m.json'))).toBe(true); // the evaluator's answers file
    const grades = JSON.parse(await readFile(gradeFile, 'utf8'));
    // Every question is in the grade file, so the official evaluator finds it complete and asks nothing; the
    // unanswered one was not sent to the judge and is 0.0 in every run, marked.
    expect(Object.keys(grades)).toHaveLength(N);
    expect(grades[`v1_${N - 1}`]).toMatchObject({ score: [0, 0], not_graded: 'no answer' });

    // The retry rule: a reply with no score is asked again with the nudge, temperatures 0, 0, 0.5, 1.0, 1.5.
    expect(seen.byPrediction.get('bad-2')!.slice(0, 5)).toEqual([0, 0, 0.5, 1, 1.5]);
    expect(grades.v1_2.score).toEqual([0, 0]);
    expect(grades.v1_2.judge_failed).toEqual([true, true]);
    expect(grades.v1_1.content[0]).toBe('0.6'); // malformed once, then read on the retry
    expect(grades.v1_3.score.length).toBe(2); // the 429 was retried after Retry-After
    // The first answer ("1.0") came after the timeout and was dropped; the retried request's grade is kept.
    expect(grades.v1_4.score).toHaveLength(2);
    expect(grades.v1_4.score).not.toContain(1);
    expect(grades.v1_5.model[0]).toBe('gpt-4-0613-loopback'); // the model that answered, as the evaluator records it

    expect(output.counts.judgeFailures).toBe(2);
    expect(output.counts.missing).toBe(1);
    expect(output.metrics.judgeFailures).toBe(2);
    expect(output.notes!.join('\n')).toMatch(/2 judge failures .* scored 0, as the official evaluator scores them/);
    expect(record!.failures).toBe(2);
    expect(record!.protocol).toMatchObject({ temperature: 0, maxTokens: 3, tries: 5, temperatureStep: 0.5, officialModel: 'gpt-4-0613' });
    expect(record!.usage.requests).toBe(seen.requests - 2); // the 429 and the timed-out attempt are transport retries of one request
    expect(record!.usage.costUsd).toBeCloseTo((record!.usage.promptTokens * 30 + record!.usage.completionTokens * 60) / 1e6, 10);
    expect(output.metrics['run1.total']).not.toBe(output.metrics['run2.total']); // the runs graded differently
  }, 60_000);

  it.skipIf(!!pySkip)(
    'equals the official aggregation run on the grade file it wrote',
    async () => {
      const { output, score: s } = await score();
      const oracle = JSON.parse(
        await runPython(join(import.meta.dirname, 'mmvet_official_aggregation.py'), [
          join(root, 'mm-vet/mm-vet.json'),
          join(root, 'out/mm-vet/m_gpt-4-0613-grade-2runs.json'),
          '2',
        ]),
      );
      expect(output.metrics['run1.total']).toBeCloseTo(oracle.runs[0], 9);
      expect(output.metrics['run2.total']).toBeCloseTo(oracle.runs[1], 9);
      expect(output.headline).toBeCloseTo(oracle.total, 9);
      expect(output.metrics.std).toBeCloseTo(oracle.std, 9);
      const { officialRound } = await import('../../../benchmarks/shared/rounding.ts');
      for (const [cap, v] of Object.entries(oracle.printed)) expect(officialRound(s.breakdowns.capability[cap] as number, 1, 'numpy'), cap).toBe(v);
      const sets = Object.fromEntries(
        Object.entries(s.breakdowns.capability_integration).map(([k, v]) => [k.split('_').sort().join('_'), officialRound(v as number, 1, 'numpy')]),
      );
      expect(sets).toEqual(oracle.sets);
    },
    120_000,
  );

  it('reads its own grade file back to the same numbers (the unanswered question still missing)', async () => {
    const fromJudge = await score();
    const fromFile = await scoreFile({ benchmark: 'mmvet', data: root, predictions: join(root, 'out/mm-vet/m_gpt-4-0613-grade-2runs.json') });
    expect(fromFile.output.headline).toBe(fromJudge.output.headline);
    expect(fromFile.output.metrics).toEqual(fromJudge.output.metrics);
    expect(fromFile.output.counts.missing).toBe(1);
    expect(fromFile.output.counts.judgeFailures).toBe(2);
  }, 60_000);

  it('scores again from the cache alone: zero requests, the same numbers', async () => {
    const before = seen.requests;
    const again = await score();
    expect(seen.requests).toBe(before);
    expect(again.judge!.usage.requests).toBe(0);
    expect(again.judge!.usage.cached).toBeGreaterThan(0);
    expect(again.judge!.failures).toBe(2);
  }, 60_000);
});
