// LLaVA-1.5's CLIP vision graph (adapters/llava/vision-graph.ts) against HF transformers' CLIPVisionModel
// + an nn.Sequential mlp2x_gelu projector, run by test/export/reference/clip_vision_reference.py on
// seeded random weights: tiny configs (576 and 16 tokens) and one vision block at full ViT-L/14-336 size.
// The Python reference needs torch + transformers (EVE_EVAL_PYTHON, or <repo>/.venv-ref/bin/python); without
// them the comparison is skipped and only the key-list check runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Graph, type Precision } from '../../../export/onnx/graph.ts';
import type { Tensor } from '../../../export/onnx/layers.ts';
import { buildClipVisionGraph, clipImageTokens, clipKeysUnusedByDesign, clipKeysUsed, type ClipVisionSpec } from '../../../adapters/llava/vision-graph.ts';
import { fromHalf, toHalf } from '../../../harness/runtime/generate.ts';
import { PYTHON, pythonSkipReason, runPython } from '../../export/python.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DRIVER = join(REPO, 'test/export/reference/clip_vision_reference.py');
const IMAGE = join(REPO, 'test/fixtures/preprocess-reference/images/land-64x48.png');

const base = { eps: 1e-5, featureLayer: -2, hiddenAct: 'quick_gelu' as ClipVisionSpec['hiddenAct'] };
interface Case {
  name: string;
  spec: ClipVisionSpec;
  seed: number;
  randomInputs: number;
  realImage: boolean;
  precisions: Precision[];
}
const CASES: Case[] = [
  {
    name: 'tiny-336',
    spec: { ...base, hidden: 32, heads: 4, layers: 3, intermediate: 64, imageSize: 336, patch: 14, llmHidden: 32 },
    seed: 1,
    randomInputs: 2,
    realImage: true,
    precisions: ['fp32', 'fp16', 'q4'],
  },
  // 4×4 tokens; also the other settings the spec allows: exact GELU in the MLP, hidden_states[-3] (one layer of three).
  {
    name: 'tiny-56',
    spec: { ...base, hidden: 32, heads: 4, layers: 3, intermediate: 64, imageSize: 56, patch: 14, llmHidden: 32, hiddenAct: 'gelu', featureLayer: -3 },
    seed: 2,
    randomInputs: 2,
    realImage: false,
    precisions: ['fp32'],
  },
  // One vision block at full size: 2 layers, so hidden_states[-2] is layer 0's output. One input only: the
  // reference's torch uses Debian's reference BLAS, about 15 s per full-size forward on two cores.
  {
    name: 'full-size',
    spec: { ...base, hidden: 1024, heads: 16, layers: 2, intermediate: 4096, imageSize: 336, patch: 14, llmHidden: 4096 },
    seed: 3,
    randomInputs: 1,
    realImage: false,
    precisions: ['fp32', 'fp16', 'q4'],
  },
];

const reason = pythonSkipReason(['torch', 'transformers']);
const python = reason ? undefined : PYTHON;
if (!python) console.warn(`clip-vision: skipping the HF CLIPVisionModel comparison: ${reason}`);

/** Shapes of every canonical key a CLIP vision tower + projector checkpoint has (for the key-list check). */
function checkpointShapes(s: ClipVisionSpec): Map<string, number[]> {
  const C = s.hidden,
    n = clipImageTokens(s);
  const m = new Map<string, number[]>([
    ['vision_model.embeddings.class_embedding', [C]],
    ['vision_model.embeddings.patch_embedding.weight', [C, 3, s.patch, s.patch]],
    ['vision_model.embeddings.position_embedding.weight', [n + 1, C]],
    ['vision_model.pre_layrnorm.weight', [C]],
    ['vision_model.pre_layrnorm.bias', [C]],
    ['vision_model.post_layernorm.weight', [C]],
    ['vision_model.post_layernorm.bias', [C]],
    ['mm_projector.0.weight', [s.llmHidden, C]],
    ['mm_projector.0.bias', [s.llmHidden]],
    ['mm_projector.2.weight', [s.llmHidden, s.llmHidden]],
    ['mm_projector.2.bias', [s.llmHidden]],
  ]);
  for (let i = 0; i < s.layers; i++) {
    const p = `vision_model.encoder.layers.${i}`;
    for (const ln of ['layer_norm1', 'layer_norm2']) m.set(`${p}.${ln}.weight`, [C]).set(`${p}.${ln}.bias`, [C]);
    for (const q of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) m.set(`${p}.self_attn.${q}.weight`, [C, C]).set(`${p}.self_attn.${q}.bias`, [C]);
    m.set(`${p}.mlp.fc1.weight`, [s.intermediate, C]).set(`${p}.mlp.fc1.bias`, [s.intermediate]);
    m.set(`${p}.mlp.fc2.weight`, [C, s.intermediate]).set(`${p}.mlp.fc2.bias`, [C]);
  }
  return m;
}

describe('CLIP vision graph: keys', () => {
  it('reads exactly clipKeysUsed; the rest of a checkpoint is unused by design', () => {
    const spec = CASES[0].spec;
    const shapes = checkpointShapes(spec);
    const read: string[] = [];
    const g = new Graph({ name: 'clip-keys' });
    buildClipVisionGraph(
      g,
      (key) => {
        read.push(key);
        const shape = shapes.get(key);
        if (!shape) throw new Error(`unknown key ${key}`);
        return { data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape };
      },
      spec,
    );
    g.discard();
    expect(read).toEqual(clipKeysUsed(spec));
    expect(read.some((k) => k.startsWith(`vision_model.encoder.layers.${spec.layers - 1}.`))).toBe(false);
    const unused = clipKeysUnusedByDesign(spec);
    expect(unused).toContain('vision_model.post_layernorm.weight');
    for (const k of shapes.keys()) expect(clipKeysUsed(spec).includes(k) !== unused.includes(k)).toBe(true);
  });
});

interface Manifest {
  attnImplementation: string;
  attnClass: string;
  params: Record<string, { file: string; shape: number[] }>;
  cases: { label: string; input: string; expected: string; inputShape: number[]; shape: number[]; absMax: number }[];
}

function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  // Copy into an aligned buffer of its own (Buffer may share a pool at an odd offset).
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function stats(got: Float32Array, want: Float32Array): { maxDiff: number; corr: number; finite: boolean } {
  let maxDiff = 0,
    sx = 0,
    sy = 0,
    sxx = 0,
    syy = 0,
    sxy = 0,
    finite = true;
  for (let i = 0; i < want.length; i++) {
    const x = got[i],
      y = want[i];
    if (!Number.isFinite(x)) finite = false;
    maxDiff = Math.max(maxDiff, Math.abs(x - y));
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  const n = want.length;
  const corr = (sxy - (sx * sy) / n) / Math.sqrt((sxx - (sx * sx) / n) * (syy - (sy * sy) / n));
  return { maxDiff, corr, finite };
}

describe.skipIf(!python)('CLIP vision graph vs HF CLIPVisionModel', () => {
  let dir = '';
  const manifests = new Map<string, Manifest>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eve-clip-vision-'));
    const cases = CASES.map((c) => ({ name: c.name, ...c.spec, seed: c.seed, randomInputs: c.randomInputs, realImage: c.realImage ? IMAGE : null }));
    const t0 = Date.now();
    const stdout = await runPython(DRIVER, [dir, JSON.stringify(cases)], 170_000);
    console.log(`clip-vision: reference in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${stdout.trim()}`);
    for (const c of CASES) manifests.set(c.name, JSON.parse(readFileSync(join(dir, c.name, 'manifest.json'), 'utf8')));
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every key of the reference checkpoints is used or unused by design', () => {
    for (const c of CASES) {
      const used = new Set(clipKeysUsed(c.spec)),
        unused = new Set(clipKeysUnusedByDesign(c.spec));
      const keys = Object.keys(manifests.get(c.name)!.params);
      expect(keys.filter((k) => !used.has(k) && !unused.has(k))).toEqual([]);
      expect([...used].filter((k) => !keys.includes(k))).toEqual([]);
    }
  });

  for (const c of CASES) {
    for (const precision of c.precisions) {
      it(`${c.name} (${clipImageTokens(c.spec)} tokens) ${precision}`, async () => {
        const m = manifests.get(c.name)!;
        const caseDir = join(dir, c.name);
        const w = (key: string): Tensor => {
          const p = m.params[key];
          if (!p) throw new Error(`reference has no ${key}`);
          return { data: readF32(join(caseDir, p.file)), shape: p.shape };
        };
        const g = new Graph({ name: `clip-${c.name}`, precision });
        buildClipVisionGraph(g, w, c.spec);
        const file = join(caseDir, `vision_${precision}.onnx`);
        g.save(file);
        const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 2, interOpNumThreads: 1 });
        try {
          const N = clipImageTokens(c.spec);
          for (const ref of m.cases) {
            const px = readF32(join(caseDir, ref.input));
            const want = readF32(join(caseDir, ref.expected));
            expect(ref.shape).toEqual([1, N, c.spec.llmHidden]);
            const feed = precision === 'fp16' ? new ort.Tensor('float16', toHalf(px), ref.inputShape) : new ort.Tensor('float32', px, ref.inputShape);
            const out = (await session.run({ pixel_values: feed })).image_embeds;
            expect(out.dims).toEqual([1, N, c.spec.llmHidden]);
            expect(out.type).toBe(precision === 'fp16' ? 'float16' : 'float32');
            const got = precision === 'fp16' ? fromHalf(out.data as Uint16Array) : (out.data as Float32Array);
            const s = stats(got, want);
            console.log(
              `clip-vision ${c.name} ${precision} ${ref.label}: max |diff| ${s.maxDiff.toExponential(2)} (|ref| ≤ ${ref.absMax.toFixed(2)}), corr ${s.corr.toFixed(6)} [HF attention: ${m.attnImplementation}]`,
            );
            expect(s.finite).toBe(true);
            if (precision === 'fp32') expect(s.maxDiff).toBeLessThan(1e-4);
            else if (precision === 'fp16') expect(s.corr).toBeGreaterThan(0.99);
            else expect(s.corr).toBeGreaterThan(0.9);
          }
        } finally {
          await session.release();
        }
      }, 60_000);
    }
  }
});
