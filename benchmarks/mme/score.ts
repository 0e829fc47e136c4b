// MME scoring as eval_tool/calculation.py computes it (docs/scoring.md §6): per subtask acc and acc+ (both
// questions of an image right), subtask score = 100·acc + 100·acc+, perception = sum of 10 subtasks,
// cognition = sum of 4. Operation order follows the script so the floats are the ones it prints.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Answer, MetricValue, Sample, Score } from '../../core/benchmark.ts';
import { ScoreRefusal } from '../../core/errors.ts';
import { mmeYesNo } from '../shared/yesno.ts';
import { pyFloatRepr } from '../shared/python.ts';
import { RepeatCounter, repeatWarning, warnStderr } from '../shared/repeats.ts';
import { readTextLines } from '../shared/data-files.ts';
import { emptyCounts, usableText, dataRecord } from '../shared/join.ts';
import { COGNITION, PERCEPTION, SUBTASKS, gtKey, splitTsvLine } from './data.ts';

export function scoreMme(samples: Sample[], answers: Map<string, Answer>): Score {
  const unlabeled = samples.filter((s) => s.answer !== 'yes' && s.answer !== 'no');
  if (unlabeled.length > 0) {
    throw new ScoreRefusal(
      `mme: ${unlabeled.length} of ${samples.length} questions have no ground truth in the official question list (first: ${unlabeled[0].meta.llavaId} "${unlabeled[0].prompt.split('\n')[0]}"); the question file and eval_tool do not line up, refusing to score`,
    );
  }
  const bySubtask = new Map<string, Map<string, Sample[]>>();
  for (const s of samples) {
    const t = String(s.meta.subtask);
    let images = bySubtask.get(t);
    if (!images) bySubtask.set(t, (images = new Map()));
    const img = String(s.meta.llavaId);
    const list = images.get(img);
    if (list) list.push(s);
    else images.set(img, [s]);
  }

  const metrics: Record<string, MetricValue> = {};
  const subtaskScores: Record<string, MetricValue> = {};
  const accs: Record<string, MetricValue> = {};
  const accPluses: Record<string, MetricValue> = {};
  const perSample = dataRecord<number>();
  const counts = emptyCounts(samples.length);
  const totals: Record<string, number> = {};
  for (const [group, names] of [
    ['perception', PERCEPTION],
    ['cognition', COGNITION],
  ] as const) {
    let scores = 0;
    let any = false;
    for (const task of names) {
      const images = bySubtask.get(task);
      if (!images) continue;
      any = true;
      let correct = 0;
      let n = 0;
      let accPlusCorrect = 0;
      for (const items of images.values()) {
        let imgCorrect = 0;
        for (const s of items) {
          const text = usableText(answers.get(s.id), counts);
          const pred = text === null ? null : mmeYesNo(text); // missing or errored: wrong
          if (pred === 'other') counts.failedExtraction++;
          n++;
          const ok = pred === s.answer;
          if (ok) {
            correct++;
            imgCorrect++;
          }
          perSample[s.id] = ok ? 1 : 0;
        }
        if (imgCorrect === 2) accPlusCorrect++; // calculation.py: `if img_correct_num == 2`
      }
      const acc = correct / n;
      const accPlus = accPlusCorrect / images.size;
      let taskScore = 0;
      taskScore += acc * 100;
      taskScore += accPlus * 100;
      scores += taskScore;
      subtaskScores[task] = taskScore;
      accs[task] = acc * 100;
      accPluses[task] = accPlus * 100;
      metrics[`${group}.${task}`] = taskScore;
      metrics[`${task}.acc`] = acc * 100;
      metrics[`${task}.acc_plus`] = accPlus * 100;
    }
    if (any) {
      totals[group] = scores;
      metrics[`${group}.total`] = scores;
    }
  }
  return {
    headline: totals.perception ?? 0,
    headlineName: 'perception score (sum of 10 subtasks, max 2000)',
    metrics,
    breakdowns: { subtask: subtaskScores, acc: accs, acc_plus: accPluses },
    counts,
    perSample,
  };
}

/** Python's repr of a float, as calculation.py prints scores (185.0, 963.6134453781513). */
export const pyFloat = pyFloatRepr;

/** What calculation.py prints, from a Score (for the readable `score` output). */
export function mmeOfficialSummary(score: Score): string {
  let out = '';
  for (const [group, title, names] of [
    ['perception', 'Perception', PERCEPTION],
    ['cognition', 'Cognition', COGNITION],
  ] as const) {
    const total = score.metrics[`${group}.total`];
    if (total === undefined || total === null) continue;
    out += `=========== ${title} ===========\n`;
    out += `total score: ${pyFloat(total)} \n\n`;
    for (const t of names) {
      const v = score.metrics[`${group}.${t}`];
      if (v !== undefined && v !== null) out += `\t ${t}  score: ${pyFloat(v)}\n`;
    }
    out += '\n\n';
  }
  return out.trimEnd();
}

/**
 * An official results folder (eval_tool layout: <subtask>.txt with image \t question \t GT \t response),
 * e.g. eval_tool/LaVIN. Returns null when `path` is not such a folder. The GT column must agree with the
 * data root's ground truth: otherwise the folder was made for other labels and is refused.
 */
export async function readMmeResultsFolder(path: string, samples: Sample[], warn: (line: string) => void = warnStderr): Promise<Map<string, Answer> | null> {
  if (!existsSync(path) || !statSync(path).isDirectory()) return null;
  const files = SUBTASKS.map((t) => [t, join(path, `${t}.txt`)] as const).filter(([, f]) => existsSync(f));
  if (files.length === 0) return null;
  const byKey = new Map<string, Sample>();
  for (const s of samples) {
    if (typeof s.meta.officialQuestion === 'string') byKey.set(gtKey(String(s.meta.subtask), String(s.meta.image), s.meta.officialQuestion), s);
  }
  const answers = new Map<string, Answer>();
  // calculation.py pairs lines by position; eve-eval joins them by question, the last line winning, and says so.
  const repeats = new RepeatCounter();
  for (const [subtask, file] of files) {
    for (const { value, line } of await readTextLines(file)) {
      const [image, question, gt, response] = splitTsvLine(value, 4, file, line, 'image, question, GT, response');
      const s = byKey.get(gtKey(subtask, image, question));
      if (!s) {
        // Unknown to this data root: keep under a distinct id so readPredictions counts it as unmatched.
        answers.set(`${subtask}/${image}?${question}`, { id: `${subtask}/${image}?${question}`, text: response });
        continue;
      }
      if (gt.trim().toLowerCase() !== s.answer) {
        throw new ScoreRefusal(
          `${file}:${line}: ground truth "${gt}" differs from the data root's "${String(s.answer)}" for this question; the results were made for other labels, refusing to score`,
        );
      }
      repeats.note(s.id);
      answers.set(s.id, { id: s.id, text: response });
    }
  }
  const w = repeatWarning('mme', path, repeats.summary(), 'last');
  if (w) warn(`${w} (calculation.py itself pairs lines by position, so a repeat there shifts every later pair)`);
  return answers;
}
