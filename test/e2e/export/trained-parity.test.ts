// The trained fixture models (fixtures/checkpoints, published layouts, `npm run train-fixtures`) against the bundles
// eve-eval exported from them (fixtures/models/tiny-*): on every sample of the embedded default data, transformers
// running the checkpoint (test/export/reference/bundle_oracle.py, fed the PIL reference preprocessing) and
// eve-eval's own generation loop must give the same greedy tokens on at least 99% of the samples, and every
// difference must start at a near tie in the reference's logits. Answers are compared on their first 32 tokens.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCHMARK_IDS } from '../../../core/benchmark.ts';
import { DEFAULT_DATA } from '../../../harness/config.ts';
import { loadModel } from '../../../harness/runtime/model.ts';
import { existsSync } from 'node:fs';
import { type OracleCase, oracleCase } from '../../export/oracle-case.ts';
import { pythonSkipReason, REPO, runPython } from '../../export/python.ts';

const ORACLE = join(REPO, 'test', 'export', 'reference', 'bundle_oracle.py');
const MAX_NEW = 32;
/** A divergence counts as a near tie when the reference's top-2 logit gap there is under this. */
const TIE = 1e-3;
const MODELS = [
  { bundle: 'tiny-eve', layout: 'eve' },
  { bundle: 'tiny-llava', layout: 'llava-hf' },
  { bundle: 'tiny-fuyu', layout: 'fuyu' },
] as const;

const checkpoints = join(REPO, 'fixtures', 'checkpoints');
const skip =
  pythonSkipReason(['torch', 'transformers', 'PIL']) ??
  (existsSync(join(checkpoints, 'tiny-eve')) ? undefined : `no trained checkpoints in ${checkpoints} (npm run train-fixtures)`);
if (skip) console.warn(`trained-model parity skipped: ${skip}`);

type Case = OracleCase & { id: string };
interface Outcome {
  total: number;
  identical: number;
  differences: { id: string; step: number; gap: number; ours: number[]; ref: number[] }[];
}

let root = '';
const outcomes = new Map<string, Outcome>();

describe.skipIf(skip !== undefined)('trained fixture models: PyTorch checkpoint vs exported bundle', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'eve-eval-trained-parity-'));
    const { BENCHMARKS } = await import('../../../benchmarks/registry.ts');
    const samples: { id: string; prompt: string; image: Buffer; file: string }[] = [];
    for (const b of BENCHMARK_IDS) {
      for await (const s of BENCHMARKS[b].load(DEFAULT_DATA)) {
        if (!s.image) continue;
        const id = `${b}/${s.id}`;
        let file: string;
        if (s.image.kind === 'file') file = s.image.path;
        else {
          file = join(root, `${b}-${samples.length}.img`);
          writeFileSync(file, Buffer.from(s.image.data, 'base64'));
        }
        samples.push({ id, prompt: s.prompt, image: readFileSync(file), file });
      }
    }
    const jobs: { ckpt: string; cases: string; out: string; layout: string }[] = [];
    const ours = new Map<string, number[][]>();
    for (const m of MODELS) {
      const model = await loadModel(join(REPO, 'fixtures', 'models', m.bundle));
      const cases: Case[] = [];
      const tokens: number[][] = [];
      for (const s of samples) {
        const p = await model.prepare({ image: s.image, source: s.file, prompt: s.prompt, maxNewTokens: MAX_NEW });
        cases.push({ id: s.id, ...oracleCase(model, p, s.file) });
        const [r] = await model.generate([p]);
        if ('error' in r) throw new Error(`${m.bundle} ${s.id}: ${r.error.message}`);
        tokens.push(r.tokenIds);
      }
      ours.set(m.bundle, tokens);
      const casesFile = join(root, `${m.bundle}-cases.json`);
      writeFileSync(casesFile, JSON.stringify({ cases, max_new_tokens: MAX_NEW, eos: model.config.eos_token_id }));
      jobs.push({ ckpt: join(checkpoints, m.bundle), cases: casesFile, out: join(root, `${m.bundle}-ref`), layout: m.layout });
      await model.dispose();
    }
    const jobFile = join(root, 'jobs.json');
    writeFileSync(jobFile, JSON.stringify(jobs));
    await runPython(ORACLE, ['reference', jobFile], 1_800_000);
    for (const m of MODELS) {
      const ref = (JSON.parse(readFileSync(join(root, `${m.bundle}-ref.json`), 'utf8')) as { results: { tokens: number[]; gaps: number[] }[] }).results;
      const mine = ours.get(m.bundle)!;
      const o: Outcome = { total: samples.length, identical: 0, differences: [] };
      samples.forEach((s, i) => {
        const a = mine[i];
        const b = ref[i].tokens;
        const n = Math.max(a.length, b.length);
        let step = -1;
        for (let k = 0; k < n; k++) {
          if (a[k] !== b[k]) {
            step = k;
            break;
          }
        }
        if (step === -1) o.identical++;
        else o.differences.push({ id: s.id, step, gap: ref[i].gaps[step] ?? Number.NaN, ours: a, ref: b });
      });
      outcomes.set(m.bundle, o);
      console.log(`trained parity ${m.bundle}: ${o.identical}/${o.total} samples give identical greedy tokens`);
      for (const d of o.differences) {
        console.log(`  ${d.id}: first difference at step ${d.step}, reference top-2 gap ${d.gap.toExponential(2)}`);
      }
    }
  }, 2_400_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  for (const m of MODELS) {
    it(`${m.bundle}: the same greedy answers on at least 99% of the samples, every difference a near tie`, () => {
      const o = outcomes.get(m.bundle)!;
      expect(o.total).toBeGreaterThan(100);
      expect(o.identical / o.total).toBeGreaterThanOrEqual(0.99);
      for (const d of o.differences) expect(d.gap, `${d.id} step ${d.step}`).toBeLessThan(TIE);
    });
  }
});
