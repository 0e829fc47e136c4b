// POPE (COCO adversarial / popular / random): object-hallucination yes/no questions.
// Headline: F1 averaged over the three splits, ×100 (the EVE/LLaVA-1.5 table convention, docs/protocol.md §3.3).
import { existsSync } from 'node:fs';
import type { BenchmarkAdapter, Score } from '../../core/benchmark.ts';
import { ALL_SPLIT, POPE_SPLITS, labelFile, loadPope, questionFile, splitsOf, vlmevalkitFile } from './data.ts';
import { popeOfficialSummary, scorePope } from './score.ts';
import { writePopeFixture } from './fixture.ts';
import { writePopeSynthetic } from './synthetic.ts';
import { popeStatistic } from './stat.ts';

const pope: BenchmarkAdapter & { officialSummary(score: Score): string } = {
  id: 'pope',
  folder: 'pope',
  title: 'POPE (COCO, adversarial/popular/random)',
  defaultSplit: ALL_SPLIT,
  splits: [ALL_SPLIT, ...POPE_SPLITS],
  // docs/protocol.md §3: mean F1 ×100.
  references: {
    split: 'test',
    definition: 'mean F1 over adversarial/popular/random',
    'EVE-7B': 83.6,
    'EVE-7B-HD': 85.0,
    'Fuyu-8B': 74.1,
    'LLaVA-1.5-7B': 85.9,
  },
  async present(root, split = ALL_SPLIT) {
    if (!existsSync(questionFile(root))) return existsSync(vlmevalkitFile(root)) && splitsOf(split).length > 0;
    return splitsOf(split).every((s) => existsSync(labelFile(root, s)));
  },
  load: loadPope,
  score: scorePope,
  headlineStatistic: popeStatistic,
  writeFixture: writePopeFixture,
  writeSynthetic: writePopeSynthetic,
  officialSummary: popeOfficialSummary,
};

export default pope;
