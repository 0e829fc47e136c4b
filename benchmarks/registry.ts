// All ten benchmarks, by id. Adding a benchmark means adding its folder and one line here.
import { BENCHMARK_IDS, type BenchmarkAdapter, type BenchmarkId } from '../core/benchmark.ts';
import { UserError } from '../core/errors.ts';
import vqav2 from './vqav2/index.ts';
import gqa from './gqa/index.ts';
import vizwiz from './vizwiz/index.ts';
import textvqa from './textvqa/index.ts';
import pope from './pope/index.ts';
import mme from './mme/index.ts';
import mmbench from './mmbench/index.ts';
import seed from './seed/index.ts';
import mmvet from './mmvet/index.ts';
import sqa from './sqa/index.ts';

export const BENCHMARKS: Record<BenchmarkId, BenchmarkAdapter> = {
  vqav2,
  gqa,
  vizwiz,
  textvqa,
  pope,
  mme,
  mmbench,
  seed,
  mmvet,
  sqa,
};

export function getBenchmark(id: string): BenchmarkAdapter {
  if (!(BENCHMARK_IDS as readonly string[]).includes(id)) {
    throw new UserError(`unknown benchmark "${id}"; known: ${BENCHMARK_IDS.join(', ')}`);
  }
  return BENCHMARKS[id as BenchmarkId];
}
