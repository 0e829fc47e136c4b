// Exported bundles against PyTorch running the same weights (test/export/reference/bundle_oracle.py):
// tiny random checkpoints in each published layout (EVE-7B and EVE-7B-HD .bin shards, llava-hf safetensors, LLaVA's
// original layout with its separate CLIP tower, Fuyu-8B safetensors) and one LLaMA layer at EVE-7B's
// full width go through `exportCheckpoint`, then eve-eval's own preprocessing and generation loop
// (loadModel → generate) against transformers' models fed by the PIL reference preprocessing:
// first-step logits within 1e-4 and the same greedy tokens for 32 new tokens, a divergence allowed
// only where the reference's top-2 gap is under 1e-4 (a near tie), on six aspect ratios and text-only.
// fp16 and q4 bundles report their token agreement and largest logit gap.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCheckpoint } from '../../../adapters/export.ts';
import type { Precision } from '../../../export/onnx/graph.ts';
import { loadModel, type LoadedModel } from '../../../harness/runtime/model.ts';
import { type OracleCase, oracleCase } from '../../export/oracle-case.ts';
import { pythonSkipReason, runPython } from '../../export/python.ts';

const ORACLE = join(import.meta.dirname, '..', '..', 'export', 'reference', 'bundle_oracle.py');
const skip = pythonSkipReason(['torch', 'transformers', 'PIL']);
if (skip) console.warn(`export parity tests skipped: ${skip}`);

const MAX_NEW = 32;
const LOGIT_TOL = 1e-4;
const TIE = 1e-4;
const IMAGES = ['img-64x64.jpg', 'img-96x72.jpg', 'img-60x80.jpg', 'img-160x40.jpg', 'img-40x160.jpg', 'img-112x63.jpg'];
const PROMPTS = ['What is shown in this image?', 'Describe the colours.\nAnswer the question using a single word or phrase.', 'Is there a dog?'];

interface Layout {
  name: string;
  precisions: Precision[];
  /** Images to run (the full-size layer runs fewer to stay quick). */
  images: string[];
  visionTower?: (ckpt: string) => string;
}

const LAYOUTS: Layout[] = [
  { name: 'eve', precisions: ['fp32', 'fp16', 'q4'], images: IMAGES },
  { name: 'eve-hd', precisions: ['fp32'], images: IMAGES.slice(0, 3) },
  { name: 'llava-hf', precisions: ['fp32', 'fp16', 'q4'], images: IMAGES },
  { name: 'llava', precisions: ['fp32'], images: IMAGES, visionTower: (ckpt) => join(ckpt, 'clip') },
  { name: 'fuyu', precisions: ['fp32', 'fp16', 'q4'], images: IMAGES },
  { name: 'llama-full', precisions: ['fp32', 'q4'], images: ['img-96x72.jpg'] },
];

interface OracleResult {
  tokens: number[];
  gaps: number[];
}
interface Ours {
  tokens: number[];
  first: Float32Array;
}

let root = '';
const bundles = new Map<string, string>();
const oracle = new Map<string, { cases: OracleCase[]; results: OracleResult[]; first: Float32Array[]; eos: number }>();
const exportSeconds = new Map<string, number>();

function caseLabel(c: OracleCase, i: number): string {
  return c.image ? `#${i} ${c.image.split('/').pop()}` : `#${i} text-only`;
}

async function runOurs(model: LoadedModel, items: { image: string | null; prompt: string }[]): Promise<Ours[]> {
  const out: Ours[] = [];
  // Batch 1, as the protocol evaluates.
  for (const it of items) {
    let first: Float32Array | undefined;
    const [r] = await model.generate(
      [{ image: it.image ? readFileSync(it.image) : null, source: it.image ?? 'text', prompt: it.prompt, maxNewTokens: MAX_NEW }],
      {
        onLogits: (_row, step, logits) => {
          if (step === 0) first = logits;
        },
      },
    );
    if ('error' in r) throw new Error(r.error.message);
    out.push({ tokens: r.tokenIds, first: first! });
  }
  return out;
}

function items(layout: Layout): { image: string | null; prompt: string }[] {
  const list: { image: string | null; prompt: string }[] = layout.images.map((f, i) => ({
    image: join(root, 'images', f),
    prompt: PROMPTS[i % PROMPTS.length],
  }));
  list.push({ image: null, prompt: "Which planet is the largest?\nA. Mars\nB. Jupiter\nAnswer with the option's letter from the given choices directly." });
  return list;
}

/** Tokens equal, or a divergence at a step where the reference itself is at a near tie. */
function compareTokens(ours: number[], ref: OracleResult): { same: boolean; divergedAt?: number; tie?: boolean } {
  const n = Math.max(ours.length, ref.tokens.length);
  for (let s = 0; s < n; s++) {
    if (ours[s] !== ref.tokens[s]) return { same: false, divergedAt: s, tie: s < ref.gaps.length && ref.gaps[s] < TIE };
  }
  return { same: true };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe.skipIf(skip !== undefined)('exported bundles vs PyTorch (transformers) on the same weights', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'eve-eval-parity-'));
    await runPython(ORACLE, ['make', root, ...LAYOUTS.map((l) => l.name)]);
    const jobs: { ckpt: string; cases: string; out: string }[] = [];
    for (const layout of LAYOUTS) {
      const ckpt = join(root, layout.name);
      const bundle = join(root, `${layout.name}-bundle`);
      const r = exportCheckpoint({ checkpoint: ckpt, out: bundle, precisions: layout.precisions, visionTower: layout.visionTower?.(ckpt) });
      exportSeconds.set(layout.name, r.seconds);
      bundles.set(layout.name, bundle);
      // The prompt ids and image grid come from eve-eval's own adapters, so both sides see the same sequence.
      const model = await loadModel(bundle);
      const cases: OracleCase[] = [];
      for (const it of items(layout)) {
        const p = await model.prepare({
          image: it.image ? readFileSync(it.image) : null,
          source: it.image ?? 'text',
          prompt: it.prompt,
          maxNewTokens: MAX_NEW,
        });
        cases.push(oracleCase(model, p, it.image));
      }
      const casesFile = join(root, `${layout.name}-cases.json`);
      writeFileSync(casesFile, JSON.stringify({ cases, max_new_tokens: MAX_NEW, eos: model.config.eos_token_id }));
      jobs.push({ ckpt, cases: casesFile, out: join(root, `${layout.name}-ref`) });
      oracle.set(layout.name, { cases, results: [], first: [], eos: model.config.eos_token_id });
      await model.dispose();
    }
    const jobFile = join(root, 'jobs.json');
    writeFileSync(jobFile, JSON.stringify(jobs));
    await runPython(ORACLE, ['reference', jobFile]);
    for (const layout of LAYOUTS) {
      const o = oracle.get(layout.name)!;
      const prefix = join(root, `${layout.name}-ref`);
      o.results = (JSON.parse(readFileSync(`${prefix}.json`, 'utf8')) as { results: OracleResult[] }).results;
      o.first = o.results.map((_, i) => {
        const b = readFileSync(`${prefix}.${i}.f32`);
        return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      });
    }
  }, 900_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  for (const layout of LAYOUTS) {
    it(`${layout.name}: fp32 logits within ${LOGIT_TOL} and the same greedy tokens`, async () => {
      const o = oracle.get(layout.name)!;
      const model = await loadModel(bundles.get(layout.name)!);
      try {
        const ours = await runOurs(model, items(layout));
        let worst = 0;
        const ties: string[] = [];
        for (let i = 0; i < ours.length; i++) {
          const d = maxDiff(ours[i].first, o.first[i]);
          worst = Math.max(worst, d);
          expect(ours[i].first.length, caseLabel(o.cases[i], i)).toBe(o.first[i].length);
          expect(d, `${layout.name} ${caseLabel(o.cases[i], i)}: first-step logits`).toBeLessThan(LOGIT_TOL);
          const cmp = compareTokens(ours[i].tokens, o.results[i]);
          if (!cmp.same) {
            expect(
              cmp.tie,
              `${layout.name} ${caseLabel(o.cases[i], i)}: tokens diverge at step ${cmp.divergedAt} (reference top-2 gap ${o.results[i].gaps[cmp.divergedAt!]}): ours ${ours[i].tokens.join(' ')} vs ${o.results[i].tokens.join(' ')}`,
            ).toBe(true);
            ties.push(`${caseLabel(o.cases[i], i)} step ${cmp.divergedAt} (gap ${o.results[i].gaps[cmp.divergedAt!].toExponential(2)})`);
          }
        }
        const tokens = o.results.reduce((a, r) => a + r.tokens.length, 0);
        console.log(
          `parity ${layout.name} fp32: ${ours.length} cases, ${tokens} reference tokens, max |Δ logits| ${worst.toExponential(2)}, export ${exportSeconds.get(layout.name)!.toFixed(1)} s${ties.length ? `; near ties: ${ties.join('; ')}` : ''}`,
        );
      } finally {
        await model.dispose();
      }
    }, 300_000);

    for (const p of layout.precisions.filter((x) => x !== 'fp32')) {
      it(`${layout.name}: ${p} token agreement and logit gap${p === 'fp16' ? ' (fused layout, logits within 1e-2 of PyTorch)' : ' (reported)'}`, async () => {
        const o = oracle.get(layout.name)!;
        const model = await loadModel(bundles.get(layout.name)!, { precision: p });
        try {
          const ours = await runOurs(model, items(layout));
          let agree = 0;
          let total = 0;
          let identical = 0;
          let worst = 0;
          for (let i = 0; i < ours.length; i++) {
            const ref = o.results[i].tokens;
            worst = Math.max(worst, maxDiff(ours[i].first, o.first[i]));
            // Agreement up to the first divergence: after it the two continue from different prefixes.
            let s = 0;
            while (s < ref.length && ours[i].tokens[s] === ref[s]) s++;
            agree += s;
            total += ref.length;
            if (s === ref.length && ours[i].tokens.length === ref.length) identical++;
            expect(ours[i].first.every(Number.isFinite)).toBe(true);
          }
          console.log(
            `parity ${layout.name} ${p}: ${identical}/${ours.length} cases identical, ${agree}/${total} tokens agree before the first divergence, max |Δ first-step logits| ${worst.toExponential(2)}`,
          );
          expect(total).toBeGreaterThan(0);
          // fp16 (fused operators, float16 weights) against PyTorch fp32: one float16 rounding of weights and I/O.
          if (p === 'fp16') expect(worst, `${layout.name} fp16 first-step logits vs PyTorch`).toBeLessThan(1e-2);
        } finally {
          await model.dispose();
        }
      }, 300_000);
    }
  }
});
