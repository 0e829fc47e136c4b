import { describe, expect, it } from 'vitest';
import { Progress, formatDuration } from '../../../harness/runner/progress.ts';

function sink() {
  const out: string[] = [];
  return { out, write: (s: string) => void out.push(s) };
}

describe('Progress', () => {
  it('line mode (CI): start line, periodic lines, end line with rate, ETA and errors', () => {
    let t = 0;
    const s = sink();
    const p = new Progress({ out: s, live: false, everyMs: 1000, now: () => t });
    p.start('tiny-eve pope', 100);
    t = 500;
    p.update({ done: 10 });
    expect(s.out).toEqual(['tiny-eve pope: 100 samples\n']); // throttled
    t = 2000;
    p.update({ done: 10, errors: 1 });
    expect(s.out[1]).toBe('tiny-eve pope: 20/100 | 10.0 samples/s | ETA 8s | 1 error\n');
    t = 5000;
    p.update({ done: 80, cached: 40 });
    p.finish();
    expect(s.out.at(-1)).toBe('tiny-eve pope: 100/100 | 12.0 samples/s | done in 5s | 1 error | 40 resumed\n');
    expect(s.out.join('')).not.toContain('\r');
  });

  it('line mode: the end line is printed once, and a fully resumed benchmark says so instead of 0.0 samples/s', () => {
    let t = 0;
    const s = sink();
    const p = new Progress({ out: s, live: false, everyMs: 1000, now: () => t });
    p.start('tiny-fuyu gqa', 4);
    t = 5000;
    p.update({ done: 4, cached: 4 });
    p.finish();
    expect(s.out).toEqual(['tiny-fuyu gqa: 4 samples\n', 'tiny-fuyu gqa: 4/4 | resumed | done in 5s | 0 errors | 4 resumed\n']);
  });

  it('live mode redraws one line in place', () => {
    const s = sink();
    const p = new Progress({ out: s, live: true, now: () => 0 });
    p.start('m b', 3);
    p.update({ done: 1 });
    expect(s.out.at(-1)!.startsWith('\r\x1b[2K')).toBe(true);
  });

  it('formats durations', () => {
    expect(formatDuration(59)).toBe('59s');
    expect(formatDuration(61)).toBe('1m01s');
    expect(formatDuration(3 * 3600 + 120)).toBe('3h02m');
    expect(formatDuration(Infinity)).toBe('?');
  });
});
