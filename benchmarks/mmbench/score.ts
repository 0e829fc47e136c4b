// MMBench scoring: per-row letter extraction (opencompass eval_mmbench.py rules, no GPT, unless the letters
// were read before scoring: VLMEvalKit's rules or the LLM choice extractor, extract.ts), then circular
// evaluation over the copies sharing index % 1e6; overall, per l2-category and per category.
import type { Answer, Sample, Score } from '../../core/benchmark.ts';
import { ScoreRefusal } from '../../core/errors.ts';
import { circularHit, mmbenchExtract } from '../shared/choices.ts';
import { checkJoin, emptyCounts, usableText, dataRecord } from '../shared/join.ts';
import { countHit, pct, type HitTally } from '../shared/metrics.ts';
import { MMBENCH_RULE_SOURCES } from './extract.ts';

/** Letter → text for every non-NaN option A–D: the scorer's build_choices (not the prompt's list). */
export function scorerChoices(s: Sample): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['A', 'B', 'C', 'D']) {
    const v = s.meta[`opt${k}`];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

interface Group {
  category: string;
  l2: string;
  copies: { gold: string; predicted: string | null }[];
}

export function scoreMMBench(samples: Sample[], answers: Map<string, Answer>): Score {
  checkJoin('mmbench', samples, answers);
  const counts = emptyCounts(samples.length);
  const groups = new Map<number, Group>();
  const extraction = { byRule: 0, byLlm: 0, unread: 0 };
  let rules: string | undefined;
  let vanillaHit = 0;
  let vanillaTotal = 0;
  for (const s of samples) {
    if (typeof s.answer !== 'string') {
      throw new ScoreRefusal(`mmbench ${s.split}: sample ${s.id} has no ground-truth answer (test split is scored by the MMBench server: use \`submission\`)`);
    }
    const answer = answers.get(s.id);
    const text = usableText(answer, counts);
    // A letter read before scoring (harness/judge/mmbench.ts) wins; else the default opencompass rules.
    const predicted = text === null ? null : answer!.choice ? answer!.choice.letter : mmbenchExtract(text, scorerChoices(s));
    if (text !== null) {
      rules ??= answer!.choice?.rules;
      const how = predicted === null ? 'unread' : (answer!.choice?.how ?? 'rule');
      if (how === 'unread') counts.failedExtraction++;
      extraction[how === 'llm' ? 'byLlm' : how === 'rule' ? 'byRule' : 'unread']++;
    }
    const g = Number(s.meta.group);
    let group = groups.get(g);
    if (!group) {
      // The group's categories are those of its first row in file order, as the original's example[0].
      group = { category: String(s.meta.category ?? 'unknown'), l2: String(s.meta.l2category ?? 'unknown'), copies: [] };
      groups.set(g, group);
    }
    group.copies.push({ gold: s.answer, predicted });
    if (Number(s.meta.index) < 1e6) {
      vanillaTotal++;
      if (predicted === s.answer) vanillaHit++;
    }
  }

  const perSample = dataRecord<number>();
  const byCat: HitTally = new Map();
  const byL2: HitTally = new Map();
  let hits = 0;
  for (const [g, group] of groups) {
    const hit = circularHit(group.copies);
    perSample[String(g)] = hit ? 1 : 0;
    hits += hit ? 1 : 0;
    countHit(byCat, group.category, hit);
    countHit(byL2, group.l2, hit);
  }
  const table = (m: Map<string, [number, number]>) => Object.fromEntries([...m.keys()].sort().map((k) => [k, pct(m.get(k)![0], m.get(k)![1])]));
  const breakdowns = { 'l2-category': table(byL2), category: table(byCat) };
  const overall = pct(hits, groups.size)!;
  const metrics: Score['metrics'] = {
    overall,
    questions: groups.size,
    correct: hits,
    vanilla: pct(vanillaHit, vanillaTotal),
  };
  for (const [k, v] of Object.entries(breakdowns['l2-category'])) metrics[`l2.${k}`] = v;
  for (const [k, v] of Object.entries(breakdowns.category)) metrics[`category.${k}`] = v;
  metrics['extraction.rule'] = extraction.byRule;
  metrics['extraction.llm'] = extraction.byLlm;
  metrics['extraction.unread'] = extraction.unread;
  return {
    headline: overall,
    headlineName: 'circular accuracy (%)',
    metrics,
    breakdowns,
    counts,
    perSample,
    extraction: { rules: rules ?? MMBENCH_RULE_SOURCES.opencompass, ...extraction },
  };
}
