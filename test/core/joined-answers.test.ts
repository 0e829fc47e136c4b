// JoinedAnswers holds answers by sample position until it is used as a map; from outside it must be the
// contract's Map<string, Answer>. The oracle is JavaScript's own Map fed the same answers.
import { describe, expect, it } from 'vitest';
import type { Answer, Sample } from '../../core/benchmark.ts';
import { JoinedAnswers } from '../../core/joined-answers.ts';
import { creditEach } from '../../benchmarks/shared/join.ts';
import { seededRandom } from '../../core/prng.ts';

const sample = (id: string): Sample => ({ id, benchmark: 'vqav2', split: 'val', prompt: `q${id}`, maxNewTokens: 8, meta: {} });
const samples = ['1', '2', '3', '4', '5'].map(sample);
const answerOf = (id: string, text: string): Answer => ({ id, text });

/** A JoinedAnswers and a plain Map given the same answers (sample index → text, in this order). */
function pair(held: Array<[number, string]>): { joined: JoinedAnswers; map: Map<string, Answer> } {
  const joined = new JoinedAnswers(samples, answerOf);
  const map = new Map<string, Answer>();
  for (const [i, text] of held) {
    const had = map.has(samples[i].id);
    map.set(samples[i].id, answerOf(samples[i].id, text));
    expect(joined.hold(i, text)).toBe(had);
  }
  return { joined, map };
}

describe('JoinedAnswers', () => {
  it('reads as the Map of the same answers, however it is first used', () => {
    const held: Array<[number, string]> = [
      [3, 'four'],
      [0, 'one'],
      [3, 'FOUR'],
    ];
    // It iterates in sample order, a plain map in arrival order: iterations are compared sorted.
    const sorted = <T>(xs: Iterable<T>) => [...xs].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    const uses: Array<(m: Map<string, Answer>) => unknown> = [
      (m) => m.size,
      (m) => [m.get('4'), m.get('2'), m.get('nope')],
      (m) => [m.has('1'), m.has('3')],
      (m) => sorted(m),
      (m) => sorted(m.keys()),
      (m) => sorted(m.values()),
      (m) => sorted(m.entries()),
      (m) => sorted(new Map(m)),
      (m) => {
        const seen: unknown[] = [];
        m.forEach((a, id) => seen.push([id, a.text]));
        return sorted(seen);
      },
      (m) => [m.delete('1'), m.delete('2'), sorted(m)],
      (m) => [m.set('9', answerOf('9', 'x')).size, sorted(m)],
      (m) => {
        m.clear();
        return [m.size, [...m]];
      },
    ];
    for (const use of uses) {
      const { joined, map } = pair(held);
      expect(use(joined)).toEqual(use(map));
      expect(sorted(joined)).toEqual(sorted(map));
    }
  });

  it('scores by position only for its own samples, and as a map once used as one', () => {
    const { joined } = pair([
      [1, 'b'],
      [4, 'e'],
    ]);
    const credit = (s: Sample, text: string) => (text === 'e' ? 1 : 0.5) + Number(s.id);
    const byPosition = creditEach(samples, joined, credit);
    expect(joined.textsFor(samples)).toBeDefined();
    expect(joined.textsFor([...samples])).toBeUndefined();
    const byMap = creditEach([...samples], joined, credit); // another array: looked up by id, which fills the map
    expect(joined.textsFor(samples)).toBeUndefined();
    expect(byPosition).toEqual(byMap);
    expect(byPosition).toEqual({ credits: [0, 2.5, 0, 0, 6], counts: { samples: 5, predicted: 2, missing: 3, errors: 0, failedExtraction: 0 } });
  });

  it('random answers in random orders: the same map as Map.set', () => {
    const rand = seededRandom(7);
    for (let round = 0; round < 200; round++) {
      const held: Array<[number, string]> = [];
      const n = Math.floor(rand() * 12);
      for (let k = 0; k < n; k++) held.push([Math.floor(rand() * samples.length), `t${k}`]);
      const { joined, map } = pair(held);
      expect(joined.size).toBe(map.size);
      const sorted = (m: Map<string, Answer>) => [...m].sort(([x], [y]) => x.localeCompare(y));
      expect(sorted(joined)).toEqual(sorted(map));
      expect(joined.textsFor(samples)).toBeUndefined(); // iterating filled the map
    }
  });
});
