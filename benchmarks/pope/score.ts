// POPE scoring as eval_pope.py computes it (docs/scoring.md §5), per split, with answers joined by id.
import type { Answer, MetricValue, Sample, Score } from '../../core/benchmark.ts';
import { ScoreRefusal } from '../../core/errors.ts';
import { popeYesNo, type YesNo } from '../shared/yesno.ts';
import { emptyCounts, usableText, dataRecord } from '../shared/join.ts';
import { mean } from '../shared/metrics.ts';
import { pyFloatRepr } from '../shared/python.ts';
import { pyFixed } from '../shared/rounding.ts';
import { POPE_SPLITS } from './data.ts';

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  yes: number;
  n: number;
}

export interface SplitMetrics extends Confusion {
  precision: number | null;
  recall: number | null;
  f1: number;
  accuracy: number;
  yesRatio: number;
}

/** The formulas of eval_pope.py in its operation order, so the floats are the ones it prints. */
export function popeMetrics(c: Confusion): SplitMetrics {
  // eval_pope.py has no zero-division guard; where it would crash we report null and F1 0 (sklearn's convention).
  const precision = c.tp + c.fp === 0 ? null : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? null : c.tp / (c.tp + c.fn);
  const f1 = precision === null || recall === null || precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const accuracy = (c.tp + c.tn) / (c.tp + c.tn + c.fp + c.fn);
  const yesRatio = c.yes / c.n;
  return { ...c, precision, recall, f1, accuracy, yesRatio };
}

/** Refuse when questions and labels do not line up; a positional scorer would print a wrong number here. */
export function checkAlignment(samples: Sample[]): void {
  const perSplit = new Map<string, { n: number; unlabeled: number; firstUnlabeled?: string; labelRows: number; limited: boolean }>();
  for (const s of samples) {
    const cat = String(s.meta.category);
    let e = perSplit.get(cat);
    if (!e) perSplit.set(cat, (e = { n: 0, unlabeled: 0, labelRows: Number(s.meta.labelRows), limited: s.meta.limited === true }));
    e.n++;
    if (s.answer !== 'yes' && s.answer !== 'no') {
      e.unlabeled++;
      e.firstUnlabeled ??= s.id;
    }
  }
  for (const [cat, e] of perSplit) {
    if (e.unlabeled > 0) {
      throw new ScoreRefusal(
        `pope/${cat}: ${e.unlabeled} of ${e.n} questions have no label in coco_pope_${cat}.json (first: question_id ${e.firstUnlabeled}); ` +
          'the label file is another version than the question file (the random split was regenerated upstream after commit e3e3926), refusing to score',
      );
    }
    if (!e.limited && e.labelRows !== e.n) {
      throw new ScoreRefusal(
        `pope/${cat}: coco_pope_${cat}.json has ${e.labelRows} labels but the question file has ${e.n} ${cat} questions; ` +
          'the files do not line up (the random split was regenerated upstream, 2,910 → 3,000), refusing to score',
      );
    }
  }
}

export function scorePope(samples: Sample[], answers: Map<string, Answer>): Score {
  checkAlignment(samples);
  const confusion = new Map<string, Confusion>();
  const perSample = dataRecord<number>();
  const counts = emptyCounts(samples.length);
  for (const s of samples) {
    const cat = String(s.meta.category);
    let c = confusion.get(cat);
    if (!c) confusion.set(cat, (c = { tp: 0, fp: 0, tn: 0, fn: 0, yes: 0, n: 0 }));
    const label = s.answer as YesNo;
    const text = usableText(answers.get(s.id), counts);
    // A missing or errored answer counts as wrong: the opposite of the label.
    const pred: YesNo = text === null ? (label === 'yes' ? 'no' : 'yes') : popeYesNo(text);
    c.n++;
    if (pred === 'yes') c.yes++;
    if (pred === 'yes' && label === 'yes') c.tp++;
    else if (pred === 'yes') c.fp++;
    else if (label === 'no') c.tn++;
    else c.fn++;
    perSample[s.id] = pred === label ? 1 : 0;
  }

  const metrics: Record<string, MetricValue> = {};
  const breakdowns: Record<string, Record<string, MetricValue>> = { f1: {}, accuracy: {}, precision: {}, recall: {}, yes_ratio: {} };
  const pct = (v: number | null) => (v === null ? null : v * 100);
  const f1s: number[] = [];
  const splits = POPE_SPLITS.filter((s) => confusion.has(s));
  for (const split of splits) {
    const m = popeMetrics(confusion.get(split)!);
    f1s.push(m.f1);
    Object.assign(metrics, {
      [`${split}.f1`]: pct(m.f1),
      [`${split}.accuracy`]: pct(m.accuracy),
      [`${split}.precision`]: pct(m.precision),
      [`${split}.recall`]: pct(m.recall),
      [`${split}.yes_ratio`]: pct(m.yesRatio),
      [`${split}.tp`]: m.tp,
      [`${split}.fp`]: m.fp,
      [`${split}.tn`]: m.tn,
      [`${split}.fn`]: m.fn,
      [`${split}.samples`]: m.n,
    });
    breakdowns.f1[split] = pct(m.f1);
    breakdowns.accuracy[split] = pct(m.accuracy);
    breakdowns.precision[split] = pct(m.precision);
    breakdowns.recall[split] = pct(m.recall);
    breakdowns.yes_ratio[split] = pct(m.yesRatio);
  }
  const headline = (mean(f1s) ?? 0) * 100;
  if (splits.length > 1) metrics['mean.f1'] = headline;
  return {
    headline,
    headlineName: splits.length > 1 ? `F1, mean over ${splits.join('/')} (×100)` : `F1 ${splits[0] ?? ''} (×100)`,
    metrics,
    breakdowns,
    counts,
    perSample,
  };
}

/**
 * The lines eval_pope.py prints, per split, from a Score (for the readable `score` output): the floats
 * recomputed from the exact counts (not from the ×100 metrics, whose /100 need not round-trip), printed as
 * Python prints them: repr for 'Accuracy: {}', '%.3f' (ties to even: 0.5625 prints 0.562) for the last line.
 */
export function popeOfficialSummary(score: Score): string {
  const out: string[] = [];
  const repr = (v: number | null) => (v === null ? 'nan' : pyFloatRepr(v));
  const f3 = (v: number | null) => (v === null ? 'nan' : pyFixed(v, 3));
  for (const split of POPE_SPLITS) {
    const m = (k: string) => score.metrics[`${split}.${k}`];
    if (m('f1') === undefined) continue;
    const n = Number(m('samples'));
    const tp = Number(m('tp'));
    const fp = Number(m('fp'));
    const r = popeMetrics({ tp, fp, tn: Number(m('tn')), fn: Number(m('fn')), n, yes: tp + fp }); // a "yes" is a TP or an FP
    out.push(`Category: ${split}, # samples: ${n}`);
    out.push('TP\tFP\tTN\tFN\t');
    out.push(`${r.tp}\t${r.fp}\t${r.tn}\t${r.fn}`);
    out.push(
      `Accuracy: ${repr(r.accuracy)}`,
      `Precision: ${repr(r.precision)}`,
      `Recall: ${repr(r.recall)}`,
      `F1 score: ${repr(r.f1)}`,
      `Yes ratio: ${repr(r.yesRatio)}`,
    );
    out.push(`${f3(r.f1)}, ${f3(r.accuracy)}, ${f3(r.precision)}, ${f3(r.recall)}, ${f3(r.yesRatio)}`);
    out.push('====================================');
  }
  return out.join('\n');
}
