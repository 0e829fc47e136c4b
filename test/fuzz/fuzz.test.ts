// Differential fuzz suite: eve-eval against the official scorers' own normalizers and extractors, on the
// vectors make_vectors.py wrote by running that official code over 100,000 hostile strings (Unicode digits
// and letters, every whitespace kind, punctuation runs, prototype names, many periods, empty strings) and
// 30,000 numbers for the printers. Every vector must match; the table of counts is printed in CI.
import { describe, expect, it } from 'vitest';
import { loadVectors, check, type RuleResult } from './vectors.ts';
import { expectedFor, rules, type Impl } from './rules.ts';
import { PY_UNIDATA_VERSION } from '../../benchmarks/shared/py-unicode.ts';
import {
  VIZWIZ_CONTRACTIONS,
  evalAIProcess,
  processDigitArticle,
  processPunctuation,
  stripLineBreaks,
  vizwizNormalize,
} from '../../benchmarks/shared/vqa-normalize.ts';
import { mmeYesNo, popeYesNo } from '../../benchmarks/shared/yesno.ts';
import { canInferOption, mmbenchExtract, scienceQaExtract } from '../../benchmarks/shared/choices.ts';
import { officialRound, pyFixed } from '../../benchmarks/shared/rounding.ts';
import { convertAnswer } from '../../benchmarks/gqa/index.ts';
import { recoverQuestion } from '../../benchmarks/textvqa/index.ts';
import { gradeGroup } from '../../benchmarks/sqa/score.ts';

const impl: Impl = {
  stripLineBreaks,
  processPunctuation,
  processDigitArticle,
  VIZWIZ_CONTRACTIONS,
  vizwizNormalize,
  evalAIProcess,
  convertAnswer,
  recoverQuestion,
  popeYesNo,
  mmeYesNo,
  canInferOption,
  mmbenchExtract,
  scienceQaExtract,
  gradeGroup,
  pyFixed,
  officialRound,
};

describe('differential fuzz vectors from the official scorers', () => {
  const v = loadVectors();

  it('were made with the Unicode tables eve-eval carries', () => {
    // make_unicode_tables.py and make_vectors.py must run on interpreters with the same Unicode database.
    expect(v.header.unidata_version).toBe(PY_UNIDATA_VERSION);
    expect(v.strings.length).toBeGreaterThanOrEqual(100_000);
  });

  it('every rule: eve-eval matches every vector', async () => {
    const table = rules(impl, v);
    const results: RuleResult[] = [];
    for (const [rule, r] of Object.entries(table)) {
      await new Promise((resolve) => setImmediate(resolve)); // one rule at a time, so vitest's RPC is answered between them
      const inputs = r.inputs === 'strings' ? v.strings : r.inputs === 'grades' ? v.grades : v.numbers;
      results.push(check(rule, inputs, expectedFor(v, rule, r.inputs), r.fn));
    }
    // Every rule in the file is checked, and every checked rule is in the file.
    expect(Object.keys(table).sort()).toEqual(Object.keys(v.header.counts).sort());
    const lines = results.map((r) => {
      const src = v.header.sources[v.header.rule_source[r.rule] ?? ''];
      const at = /^[0-9a-f]{40}$/.test(src?.commit ?? '') ? src!.commit.slice(0, 7) : `sha256 ${src?.sha256.slice(0, 12)}`;
      const from = src ? `${src.repo.split(' ')[0]} @${at} : ${src.path}` : 'Python/numpy';
      return `  ${r.rule.padEnd(28)} ${String(r.vectors).padStart(7)} vectors  ${String(r.mismatches).padStart(5)} mismatches   ${from}`;
    });
    const total = results.reduce((a, r) => a + r.vectors, 0);
    const bad = results.reduce((a, r) => a + r.mismatches, 0);
    console.log(
      `fuzz vectors (Python ${v.header.python}, Unicode ${v.header.unidata_version}, seed ${v.header.seed}):\n${lines.join('\n')}\n  total ${total} vectors, ${bad} mismatches`,
    );
    for (const r of results) {
      if (r.mismatches) console.log(`${r.rule}: ${r.mismatches} mismatches, e.g. ${JSON.stringify(r.examples, null, 1)}`);
    }
    expect(results.filter((r) => r.mismatches > 0).map((r) => `${r.rule}: ${r.mismatches}`)).toEqual([]);
    for (const r of results) expect(r.vectors).toBe(v.header.counts[r.rule]);
  });
});
