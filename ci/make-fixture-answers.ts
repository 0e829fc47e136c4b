// Writes ci/predictions/<benchmark>.jsonl: fixed answers to the built-in fixtures with known, non-zero scores, so
// the CI gate has numbers that can regress (the tiny random models score near 0). Each sample is answered with its
// ground truth except every 4th (by file order), which gets a wrong answer. Deterministic: rerunning it writes the
// same bytes. Run: npx tsx ci/make-fixture-answers.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchmarkById, loadSamples, resolveSplit } from '../harness/predictions.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = `${ROOT}fixtures/data`;
export const CI_BENCHMARKS = ['pope', 'mme', 'gqa', 'textvqa'] as const;

/** The most frequent of a list of answers (VQA-style ground truth), first seen on ties. */
function mostFrequent(xs: string[]): string {
  const n = new Map<string, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

function truthText(answer: unknown): string {
  if (typeof answer === 'string') return answer;
  if (Array.isArray(answer)) return mostFrequent(answer.map((a) => (typeof a === 'string' ? a : String((a as { answer?: unknown }).answer ?? ''))));
  throw new Error(`unexpected ground truth ${JSON.stringify(answer)}`);
}

function wrong(truth: string): string {
  if (truth === 'yes') return 'No';
  if (truth === 'no') return 'Yes';
  return 'zebra crossing';
}

mkdirSync(`${ROOT}ci/predictions`, { recursive: true });
for (const id of CI_BENCHMARKS) {
  const adapter = await benchmarkById(id);
  const split = await resolveSplit(adapter, DATA, undefined);
  const samples = await loadSamples(adapter, DATA, split);
  const lines = samples.map((s, i) => {
    const t = truthText(s.answer);
    const text = i % 4 === 3 ? wrong(t) : t === 'yes' ? 'Yes' : t === 'no' ? 'No' : t;
    return JSON.stringify({ id: s.id, benchmark: id, split, model: 'fixture-answers', cacheKey: 'ci-fixture', text });
  });
  writeFileSync(`${ROOT}ci/predictions/${id}.jsonl`, lines.join('\n') + '\n');
  process.stdout.write(`${id}: ${lines.length} answers\n`);
}
