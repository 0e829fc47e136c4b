// MMBench letters: VLMEvalKit's rules as an option, and VLMEvalKit's LLM choice extractor for the rows no
// rule reads, against a loopback judge. Each row says how its letter was obtained; the counts stand beside
// the score; an extractor that never gives a letter leaves the row unread (never a random letter); a second
// scoring asks nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mmbench from '../../../benchmarks/mmbench/index.ts';
import type { Sample } from '../../../core/benchmark.ts';
import { scoreFile } from '../../../harness/commands/score.ts';

describe('MMBench letters: rule sets and the LLM choice extractor', () => {
  let root: string;
  let samples: Sample[];
  let server: Server;
  let url: string;
  let requests = 0;
  const predictions = () => join(root, 'answers.jsonl');
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mmb-judge-'));
    await mmbench.writeFixture(root);
    samples = [];
    for await (const s of mmbench.load(root, { images: false })) samples.push(s);
    // Row by row: a bare letter (every rule set reads it), "**X**" (VLMEvalKit's rules only), a sentence with
    // the option's meaning but neither its letter nor its text (the LLM only), and one nothing reads.
    const text = (s: Sample, i: number) => {
      const gold = s.answer as string;
      const goldText = s.choices![gold.charCodeAt(0) - 65];
      if (i === samples.length - 1) return 'NONSENSE';
      return i % 4 === 0 ? gold : i % 4 === 1 ? `**${gold}**` : `the thing called ${goldText.split('').reverse().join('')} backwards`;
    };
    await writeFile(
      predictions(),
      samples.map((s, i) => JSON.stringify({ id: s.id, benchmark: 'mmbench', split: 'dev', model: 'm', text: text(s, i), cacheKey: 'k' })).join('\n') + '\n',
    );
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        requests++;
        const prompt = (JSON.parse(body) as { messages: Array<{ content: string }> }).messages[0].content;
        const options = [...prompt.split('Example 3: ')[1].matchAll(/^([A-D])\. (.*)$/gm)].map((m) => [m[1], m[2]] as const);
        const answer = /Answer: ([\s\S]*)\nYour output: $/.exec(prompt)![1];
        const hit = options.find(([, t]) => answer.includes(t.split('').reverse().join('')));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            model: 'loopback-matcher',
            choices: [{ message: { content: hit ? hit[0] : 'unsure' } }],
            usage: { prompt_tokens: 300, completion_tokens: 1 },
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(root, { recursive: true, force: true });
  });

  it('names the rule set; VLMEvalKit\'s rules read "**B**" where opencompass\'s do not', async () => {
    const oc = await scoreFile({ benchmark: 'mmbench', data: root, predictions: predictions() });
    const vk = await scoreFile({ benchmark: 'mmbench', data: root, predictions: predictions(), mmbenchRules: 'vlmevalkit' });
    expect(oc.score.extraction!.rules).toMatch(/^open-compass\/opencompass@6ca2be6 tools\/eval_mmbench.py/);
    expect(vk.score.extraction!.rules).toMatch(/^open-compass\/VLMEvalKit@e8e78f0 vlmeval\/utils\/matching_util.py/);
    const quarter = samples.filter((_, i) => i % 4 === 1).length;
    expect(vk.score.extraction!.byRule - oc.score.extraction!.byRule).toBe(quarter);
    expect(vk.output.metrics['extraction.unread']).toBe(vk.score.extraction!.unread);
  });

  it('sends the rows no rule reads to the extractor, records how each letter was obtained, and never guesses', async () => {
    const judge = { url, model: 'gpt-3.5-turbo-0125', runs: 1, mmbench: true, backoffMs: 10 };
    const out = join(root, 'out');
    const r = await scoreFile({ benchmark: 'mmbench', data: root, predictions: predictions(), mmbenchRules: 'vlmevalkit', judge, judgeDir: out, model: 'm' });
    const rows = (await readFile(join(out, 'mmbench/m-extraction.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const llm = rows.filter((x) => x.how === 'llm');
    const unread = rows.filter((x) => x.how === 'unread');
    expect(llm.length).toBeGreaterThan(0);
    expect(unread.map((x) => x.id)).toEqual([samples[samples.length - 1].id]);
    expect(unread[0].replies).toEqual(['unsure', 'unsure', 'unsure']); // three tries, then no letter: not a random one
    for (const x of llm) expect(x.letter).toBe(samples.find((s) => s.id === x.id)!.answer);
    expect(r.score.extraction).toMatchObject({ byLlm: llm.length, unread: 1 });
    expect(r.score.extraction!.rules).toContain('then the LLM choice extractor');
    expect(r.judge).toMatchObject({ role: 'mmbench-choice-extractor', failures: 1, answeredBy: ['loopback-matcher'] });
    expect(r.score.counts.failedExtraction).toBe(1);
    const before = requests;
    const again = await scoreFile({
      benchmark: 'mmbench',
      data: root,
      predictions: predictions(),
      mmbenchRules: 'vlmevalkit',
      judge,
      judgeDir: out,
      model: 'm',
    });
    expect(requests).toBe(before);
    expect(again.score.headline).toBe(r.score.headline);
    expect(again.judge!.usage.requests).toBe(0);
  });
});
