// MME's headline resampler: the perception sum Σ (100·acc + 100·acc+) over the 10 perception subtasks. acc+
// needs both questions of an image, so the unit is the image (its questions drawn together), resampled within
// each subtask; its vector is [questions right, questions asked, 1 if all right]. acc and acc+ are recomputed
// from the sums on every resample, exactly as calculation.py computes them on the full set.
import type { HeadlineStatistic, Resampling, Sample, Score } from '../../core/benchmark.ts';
import { dataRecord } from '../shared/join.ts';
import { PERCEPTION } from './data.ts';

export const mmeStatistic: HeadlineStatistic = {
  id: 'mme/perception-sum',
  kind: 'resampled',
  description: 'perception sum of 100·acc + 100·acc+, images resampled within each subtask',
  units(samples: Sample[], score: Score): Resampling | string {
    const bySub = new Map<string, Record<string, number[]>>();
    for (const s of samples) {
      const credit = score.perSample[s.id];
      const sub = String(s.meta.subtask);
      if (credit === undefined || !(PERCEPTION as readonly string[]).includes(sub)) continue;
      let imgs = bySub.get(sub);
      if (!imgs) bySub.set(sub, (imgs = dataRecord()));
      const v = (imgs[String(s.meta.llavaId)] ??= [0, 0, 1]);
      v[0] += credit >= 0.5 ? 1 : 0;
      v[1] += 1;
      if (credit < 0.5) v[2] = 0;
    }
    const strata: Resampling['strata'] = dataRecord();
    for (const sub of PERCEPTION) {
      const imgs = bySub.get(sub);
      if (imgs) {
        // calculation.py's acc+ counts an image only when its 2 questions are right: a lone question never is.
        for (const v of Object.values(imgs)) if (v[1] !== 2) v[2] = 0;
        strata[sub] = imgs;
      }
    }
    if (Object.keys(strata).length === 0) return 'no scored perception questions';
    return { statistic: mmeStatistic.id, strata };
  },
  fromSums(_strata, sums, counts) {
    let total = 0;
    for (let i = 0; i < sums.length; i++) {
      const [right, asked, plus] = sums[i];
      const acc = asked === 0 ? 0 : right / asked;
      const accPlus = counts[i] === 0 ? 0 : plus / counts[i];
      let task = 0;
      task += acc * 100;
      task += accPlus * 100;
      total += task;
    }
    return total;
  },
};
