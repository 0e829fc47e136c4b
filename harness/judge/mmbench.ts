// MMBench letters read before scoring: the chosen rule set on every answer, then (when a judge is set for
// MMBench) VLMEvalKit's LLM choice extractor on the rows no rule reads. Each row records how its letter was
// obtained; the rows and the extractor's replies are written beside the results.
import type { Answer, Sample } from '../../core/benchmark.ts';
import { vlmevalkitCanInfer } from '../../benchmarks/shared/choices.ts';
import { MMBENCH_EXTRACTOR, MMBENCH_RULE_SOURCES, mmbenchChoicePrompt, mmbenchRuleLetter, type MMBenchRules } from '../../benchmarks/mmbench/extract.ts';
import { scorerChoices } from '../../benchmarks/mmbench/score.ts';
import type { Judge } from './client.ts';
import type { JudgeFailure } from './mmvet.ts';

export interface ExtractionRow {
  id: string;
  letter: string | null;
  how: 'rule' | 'llm' | 'unread';
  /** The extractor's replies, when it was asked. */
  replies?: string[];
}

export async function extractMmbench(
  samples: Sample[],
  answers: Map<string, Answer>,
  rules: MMBenchRules,
  judge?: Judge,
): Promise<{ answers: Map<string, Answer>; rows: ExtractionRow[]; failures: JudgeFailure[]; answeredBy: string[] }> {
  const out = new Map(answers);
  const failures: JudgeFailure[] = [];
  const answeredBy = new Set<string>();
  const ruleName = MMBENCH_RULE_SOURCES[rules];
  const rows = await Promise.all(
    samples.map(async (s): Promise<ExtractionRow | null> => {
      const a = answers.get(s.id);
      if (!a || a.error) return null;
      const options = scorerChoices(s);
      let row: ExtractionRow = { id: s.id, letter: mmbenchRuleLetter(rules, a.text, options), how: 'rule' };
      if (row.letter === null) row = judge ? await askExtractor(judge, s, a.text, options, failures, answeredBy) : { id: s.id, letter: null, how: 'unread' };
      out.set(s.id, { ...a, choice: { letter: row.letter, how: row.how, rules: judge ? `${ruleName}, then the LLM choice extractor` : ruleName } });
      return row;
    }),
  );
  return { answers: out, rows: rows.filter((r): r is ExtractionRow => r !== null), failures, answeredBy: [...answeredBy].sort() };
}

async function askExtractor(
  judge: Judge,
  s: Sample,
  prediction: string,
  options: Record<string, string>,
  failures: JudgeFailure[],
  answeredBy: Set<string>,
): Promise<ExtractionRow> {
  const content = mmbenchChoicePrompt(String(s.meta.question ?? ''), options, prediction);
  const replies: string[] = [];
  for (let t = 0; t < MMBENCH_EXTRACTOR.tries; t++) {
    // Each try is its own question to the judge (VLMEvalKit calls generate again), so its own cache entry.
    const reply = await judge.ask(
      { messages: [{ role: 'user', content }], temperature: MMBENCH_EXTRACTOR.temperature },
      t > 0 ? `mmbench-try-${t + 1}` : undefined,
    );
    if ('error' in reply) {
      failures.push({ id: s.id, run: 0, kind: 'judge-request', message: `${reply.error.kind}: ${reply.error.message}` });
      return { id: s.id, letter: null, how: 'unread', replies };
    }
    answeredBy.add(reply.model);
    replies.push(reply.content);
    const letter = vlmevalkitCanInfer(reply.content, options);
    if (letter) return { id: s.id, letter, how: 'llm', replies };
  }
  failures.push({
    id: s.id,
    run: 0,
    kind: 'judge-unreadable',
    message: `no option letter in ${MMBENCH_EXTRACTOR.tries} replies (last: ${JSON.stringify(replies.at(-1))})`,
  });
  return { id: s.id, letter: null, how: 'unread', replies };
}
