// Terminal, Markdown and CSV renderers over a hand-made results file.
import { describe, expect, it } from 'vitest';
import type { BenchmarkResult, ResultsFile } from '../../core/records.ts';
import { csvField, renderCsv } from '../../reports/csv.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { buildComparison, fmtDelta, fmtValue } from '../../reports/table.ts';
import { renderTerminalBreakdowns, renderTerminalTable } from '../../reports/terminal.ts';

function r(model: string, benchmark: BenchmarkResult['benchmark'], headline: number, extra: Partial<BenchmarkResult> = {}): BenchmarkResult {
  return {
    model,
    benchmark,
    split: 'test',
    headline,
    headlineName: benchmark === 'pope' ? 'mean F1' : 'accuracy',
    metrics: { acc: headline },
    breakdowns: {},
    counts: { samples: 100, predicted: 100, missing: 0, errors: 0, failedExtraction: 0 },
    ...extra,
  };
}

const file: ResultsFile = {
  schema: 'eve-eval/results@1',
  manifest: {} as ResultsFile['manifest'],
  results: [
    r('tiny-eve', 'pope', 84.25, { ci95: [83.0, 85.5], breakdowns: { f1: { adversarial: 82.5, popular: 84.25, random: 86 } } }),
    r('tiny-eve', 'gqa', 61.04, { counts: { samples: 100, predicted: 97, missing: 3, errors: 2, failedExtraction: 0 } }),
    r('tiny|llava', 'pope', 86.0, { breakdowns: { f1: { adversarial: 85, random: 87 } } }),
  ],
};
const references = { pope: { 'EVE-7B': 83.6, 'LLaVA-1.5-7B': 85.9 }, gqa: { 'EVE-7B': 60.8 } };

describe('comparison model', () => {
  it('puts measured rows first, then published rows, with deltas for measured rows only', () => {
    const t = buildComparison(file, { references, deltaVs: 'EVE-7B' });
    expect(t.rows.map((x) => `${x.kind}:${x.name}`)).toEqual(['measured:tiny-eve', 'measured:tiny|llava', 'published:EVE-7B', 'published:LLaVA-1.5-7B']);
    expect(t.benchmarks).toEqual(['gqa', 'pope']); // paper column order, not file order
    expect(t.rows[0].deltas!.pope).toBeCloseTo(0.65, 10);
    expect(t.rows[0].deltas!.gqa).toBeCloseTo(0.24, 10);
    expect(t.rows[3].deltas).toBeUndefined();
    expect(() => buildComparison(file, { references, deltaVs: 'GPT-5' })).toThrow(
      /--delta-vs "GPT-5" names no row; rows: tiny-eve, tiny\|llava, EVE-7B \(published\)/,
    );
  });
  it('formats deltas and breakdown values', () => {
    expect(fmtDelta(0.65)).toBe('+0.7');
    expect(fmtDelta(-0.04)).toBe('0.0');
    expect(fmtDelta(-1.25)).toBe('-1.3'); // -1.25 is exact in binary; toFixed rounds the tie away from zero
    expect(fmtValue(75, [75, 87.5])).toBe('75.00');
    expect(fmtValue(0.5, [0.5, 0.25])).toBe('0.500');
    expect(fmtValue(185, [185, 150])).toBe('185');
    expect(fmtValue(null)).toBe('–');
  });
});

describe('terminal table', () => {
  const out = renderTerminalTable(file, { references, deltaVs: 'EVE-7B', color: false });
  it('shows headline ±CI, error counts beside every score, and published rows marked', () => {
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^Model\s+GQA\s+POPE$/);
    // GQA has 3 samples without a prediction: marked ‡ (part of the set), with the note naming them.
    expect(out).toMatch(/tiny-eve\s+61\.0‡\s+84\.3 ±1\.3/);
    expect(out).toMatch(/2 err, 3 miss\n/); // nothing under a cell where nothing failed: no "0 err"
    expect(out).not.toContain('0 err');
    expect(out).toContain('‡ measured on part of the set: tiny-eve · GQA: 3 of 100 samples without a prediction.');
    expect(out).toMatch(/EVE-7B \(published\) ◆\s+60\.8\s+83\.6/);
    expect(out).toMatch(/Δ vs EVE-7B \(published\)\s+\+0\.2\s+\+0\.7/);
    expect(out).toContain('Headline: GQA = accuracy; POPE = mean F1.');
    expect(out).not.toContain('\u001b['); // color: false
  });
  it('colours when asked', () => {
    expect(renderTerminalTable(file, { color: true })).toContain('\u001b[');
  });
  it('renders every breakdown generically', () => {
    const b = renderTerminalBreakdowns(file, { color: false });
    expect(b).toContain('POPE · f1');
    expect(b).toMatch(/adversarial\s+82\.50\s+85\.00/);
    expect(b).toMatch(/popular\s+84\.25\s+–/);
  });
});

describe('markdown', () => {
  it('escapes names and marks published rows', () => {
    const md = renderMarkdown(file, { references });
    expect(md).toContain('| **tiny\\|llava** |');
    expect(md).toContain('| *EVE-7B (published)* | *60.8* | *83.6* |');
    expect(md).toContain('| 84.3 ±1.3 |');
    expect(md).toContain('61.0‡<br><sub>2 err, 3 miss</sub>');
    expect(md).toContain('### POPE · f1');
    expect(md).toContain('| random | 86.00 | 87.00 |');
  });
});

describe('csv', () => {
  it('quotes, defuses formulas and writes one value per line', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-1.5)).toBe('-1.5');
    const csv = renderCsv(file, { references, deltaVs: 'EVE-7B' }).trim().split('\n');
    expect(csv[0]).toBe(
      'model,kind,benchmark,split,table,row,value,ci95_lo,ci95_hi,samples,predicted,missing,errors,failed_extraction,delta_vs,delta,unscored,subset,vs_published,published_on',
    );
    expect(csv).toContain('tiny-eve,measured,pope,test,headline,mean F1,84.25,83,85.5,100,100,0,0,0,EVE-7B (published),0.6500000000000057,,,,');
    expect(csv).toContain('EVE-7B,published,gqa,,headline,accuracy,60.8,,,,,,,,,,,,,');
    expect(csv).toContain('tiny|llava,measured,pope,test,f1,random,87,,,,,,,,,,,,,');
  });
});

describe('an unscored result (headline null: MM-Vet without judge grades)', () => {
  const why = 'MM-Vet needs judge grades (GPT-4 grader not built yet)';
  const withMmvet: ResultsFile = {
    ...file,
    results: [
      ...file.results,
      {
        ...r('tiny-eve', 'mmvet', 0),
        headline: null,
        unscored: why,
        headlineName: 'GPT-4 judge score (×100)',
        metrics: {},
        counts: { samples: 4, predicted: 4, missing: 0, errors: 1, failedExtraction: 0 },
      },
    ],
  };
  const refs = { ...references, mmvet: { 'EVE-7B': 25.6 } };
  it('shows "needs judge" with its counts, no delta and the reason in a note', () => {
    const t = buildComparison(withMmvet, { references: refs, deltaVs: 'EVE-7B' });
    expect(t.rows[0].cells.mmvet!.value).toBeNull();
    expect(t.rows[0].deltas!.mmvet).toBeUndefined();
    const text = renderTerminalTable(withMmvet, { references: refs, color: false });
    expect(text).toMatch(/tiny-eve\s+61\.0‡\s+84\.3 ±1\.3\s+needs judge\n/);
    expect(text).toMatch(/1 err\n/);
    expect(text).toContain(`"needs judge": ${why}`);
    const md = renderMarkdown(withMmvet, { references: refs });
    expect(md).toContain('| needs judge<br><sub>1 err</sub> |');
    expect(md).toContain('*25.6*');
    const csv = renderCsv(withMmvet, { references: refs }).split('\n');
    expect(csv).toContain(`tiny-eve,measured,mmvet,test,headline,,,,,4,4,0,1,0,,,${why},,,`);
  });
});
