// MM-Vet v1: 218 open-ended questions graded by a GPT-4 judge. Scoring here works from the official
// evaluator's grade file; the judge client is a later issue. Headline: total score ×100 (mean over runs).
import type { BenchmarkAdapter, Score } from '../../core/benchmark.ts';
import { SPLIT, loadMmvet, mmvetPresent } from './data.ts';
import { mmvetOfficialSummary, readMmvetOfficial, scoreMmvet, writeMmvetSubmission } from './score.ts';
import { writeMmvetFixture } from './fixture.ts';
import { writeMmvetSynthetic } from './synthetic.ts';

const mmvet: BenchmarkAdapter & { officialSummary(score: Score): string } = {
  id: 'mmvet',
  folder: 'mm-vet',
  title: 'MM-Vet (v1, GPT-4 judge)',
  defaultSplit: SPLIT,
  splits: [SPLIT],
  // docs/protocol.md §3 (EVE table; LLaVA-1.5-7B 30.5 is the arXiv-v1 value, MODEL_ZOO later shows 31.1).
  references: { split: 'test', 'EVE-7B': 25.6, 'EVE-7B-HD': 25.7, 'Fuyu-8B': 21.4, 'LLaVA-1.5-7B': 30.5 },
  async present(root) {
    return mmvetPresent(root);
  },
  load: loadMmvet,
  score: scoreMmvet,
  readOfficialPredictions: (path) => readMmvetOfficial(path),
  writeSubmission: writeMmvetSubmission,
  writeFixture: writeMmvetFixture,
  writeSynthetic: writeMmvetSynthetic,
  officialSummary: mmvetOfficialSummary,
};

export default mmvet;
