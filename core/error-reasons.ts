// Per-sample errors explained: counted by kind, with up to 3 examples each (results.json, the terminal summary).
import type { Answer } from './benchmark.ts';
import type { BenchmarkResult } from './records.ts';

export function errorReasons(answers: Iterable<Answer>): BenchmarkResult['errorReasons'] {
  const out: NonNullable<BenchmarkResult['errorReasons']> = Object.create(null);
  for (const a of answers) {
    if (!a.error) continue;
    const e = (out[a.error.kind] ??= { count: 0, examples: [] });
    e.count++;
    if (e.examples.length < 3) e.examples.push({ id: a.id, message: a.error.message.slice(0, 300) });
  }
  return Object.keys(out).length ? { ...out } : undefined;
}
