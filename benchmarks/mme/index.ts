// MME: 14 yes/no subtasks, two questions per image. Headline: the perception sum (max 2000), as the
// EVE-v1 table reports it (docs/protocol.md §3.3); cognition is reported beside it.
import { existsSync } from 'node:fs';
import type { BenchmarkAdapter, Sample, Score } from '../../core/benchmark.ts';
import { SPLIT, gtDir, llavaFile, loadMme, releaseDir, vlmevalkitFile } from './data.ts';
import { mmeOfficialSummary, readMmeResultsFolder, scoreMme } from './score.ts';
import { writeMmeFixture } from './fixture.ts';
import { writeMmeSynthetic } from './synthetic.ts';
import { mmeStatistic } from './stat.ts';

const mme: BenchmarkAdapter & { officialSummary(score: Score): string } = {
  id: 'mme',
  folder: 'MME',
  title: 'MME (perception + cognition)',
  defaultSplit: SPLIT,
  splits: [SPLIT],
  // docs/protocol.md §3: perception sums.
  references: { split: 'test', definition: 'perception sum', 'EVE-7B': 1217.3, 'EVE-7B-HD': 1305.7, 'Fuyu-8B': 728.6, 'LLaVA-1.5-7B': 1510.7 },
  async present(root) {
    return existsSync(llavaFile(root)) || existsSync(gtDir(root)) || existsSync(releaseDir(root)) || existsSync(vlmevalkitFile(root));
  },
  load: loadMme,
  score: scoreMme,
  headlineStatistic: mmeStatistic,
  async readOfficialPredictions(path, root) {
    const samples: Sample[] = [];
    for await (const s of loadMme(root)) samples.push(s);
    return readMmeResultsFolder(path, samples);
  },
  writeFixture: writeMmeFixture,
  writeSynthetic: writeMmeSynthetic,
  officialSummary: mmeOfficialSummary,
};

export default mme;
