// The EVE vision graph (adapters/eve/vision-graph.ts) against the PyTorch port of the reference
// VisionTokenizer + mlp2x_gelu projector (test/export/reference/eve_vision_tokenizer.py), on random
// weights, for real regions of several aspect ratios, the no-image mask, and one full-size config.
// Needs Python with torch (EVE_EVAL_PYTHON, or <repo>/.venv-ref/bin/python); skipped without it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEveVisionGraph, type EveVisionSpec } from '../../../adapters/eve/vision-graph.ts';
import { Graph, type Precision } from '../../../export/onnx/graph.ts';
import type { Tensor } from '../../../export/onnx/layers.ts';
import { fromHalf, toHalf } from '../../../harness/runtime/generate.ts';
import { pythonSkipReason, runPython } from '../../export/python.ts';

const DRIVER = join(import.meta.dirname, '..', '..', 'export', 'reference', 'eve_vision_driver.py');
const skipReason = pythonSkipReason(['torch', 'numpy']);
if (skipReason) console.warn(`eve-vision reference test skipped: ${skipReason}`);

interface Case {
  name: string;
  side: number;
  /** [x0, y0, width, height] of the real image on the canvas; null: all-zero mask (no image). */
  region: [number, number, number, number] | null;
  pad: 'mean' | 'noise';
}
interface Config {
  name: string;
  spec: EveVisionSpec;
  seed: number;
  /** std of the q/kv Linear weights: large enough that the softmaxes are far from uniform. */
  qkStd: number;
  cases: Case[];
}

// Offsets as EVE's preprocessing centres a region along the short side (eveGeometry's `pre`, a
// multiple of 14 px); several are an odd number of patches, so the crop starts mid conv_stride group.
const TINY: Config = {
  name: 'tiny',
  spec: { hidden: 16, llmHidden: 32, patch: 14, convStride: 2, heads: 8 },
  seed: 1234,
  qkStd: 0.5,
  cases: [
    { name: 'square 112 (full canvas)', side: 112, region: [0, 0, 112, 112], pad: 'mean' },
    { name: '112x56 (2:1) on 112', side: 112, region: [0, 28, 112, 56], pad: 'mean' },
    { name: '56x112 (1:2) on 112', side: 112, region: [28, 0, 56, 112], pad: 'noise' },
    { name: '224x56 (4:1) on 224', side: 224, region: [0, 84, 224, 56], pad: 'mean' },
    { name: '56x224 (1:4) on 224', side: 224, region: [84, 0, 56, 224], pad: 'noise' },
    { name: '224x28 (8:1, one cell row) on 224', side: 224, region: [0, 98, 224, 28], pad: 'noise' },
    { name: '28x224 (1:8, one cell column) on 224', side: 224, region: [98, 0, 28, 224], pad: 'mean' },
    { name: '84x224 (3 cells wide) on 224', side: 224, region: [70, 0, 84, 224], pad: 'noise' },
    { name: '70x98 (not a multiple of 28: trailing patches dropped)', side: 224, region: [42, 56, 70, 98], pad: 'noise' },
    { name: 'no image on 224 (all-zero mask: [:16, :16])', side: 224, region: null, pad: 'noise' },
    { name: 'no image on 112 ([:16, :16] clipped to 8x8)', side: 112, region: null, pad: 'noise' },
  ],
};
// EVE-7B's sizes, with a 2:1 image as EVE's preprocessing places it (672×336, pre = 168).
const FULL: Config = {
  name: 'full',
  spec: { hidden: 1024, llmHidden: 4096, patch: 14, convStride: 2, heads: 8 },
  seed: 99,
  qkStd: 0.1,
  cases: [{ name: '672x336 (2:1) on 672', side: 672, region: [0, 168, 672, 336], pad: 'mean' }],
};
const CONFIGS = [TINY, FULL];

interface Manifest {
  params: { name: string; shape: number[]; file: string }[];
  cases: { name: string; pixel: string; pixel_shape: number[]; out: string; out_shape: number[]; hw: [number, number] }[];
}

function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function stats(got: Float32Array, ref: Float32Array): { maxDiff: number; corr: number; finite: boolean } {
  let maxDiff = 0,
    finite = true,
    sg = 0,
    sr = 0;
  for (let i = 0; i < ref.length; i++) {
    if (!Number.isFinite(got[i])) finite = false;
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - ref[i]));
    sg += got[i];
    sr += ref[i];
  }
  const mg = sg / ref.length,
    mr = sr / ref.length;
  let cov = 0,
    vg = 0,
    vr = 0;
  for (let i = 0; i < ref.length; i++) {
    cov += (got[i] - mg) * (ref[i] - mr);
    vg += (got[i] - mg) ** 2;
    vr += (ref[i] - mr) ** 2;
  }
  return { maxDiff, corr: cov / Math.sqrt(vg * vr), finite };
}

describe.skipIf(skipReason !== undefined)('EVE vision graph vs. the PyTorch VisionTokenizer', () => {
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eve-vision-'));
    const spec = {
      configs: CONFIGS.map((c) => ({
        name: c.name,
        hidden: c.spec.hidden,
        llm_hidden: c.spec.llmHidden,
        patch: c.spec.patch,
        conv_stride: c.spec.convStride,
        heads: c.spec.heads,
        seed: c.seed,
        qk_std: c.qkStd,
        cases: c.cases,
      })),
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    await runPython(DRIVER, [join(dir, 'spec.json'), dir], 180_000);
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const cfg of CONFIGS) {
    for (const precision of ['fp32', 'fp16', 'q4'] as Precision[]) {
      it(`${cfg.name} (C=${cfg.spec.hidden}, LLM ${cfg.spec.llmHidden}) ${precision}`, async () => {
        const cdir = join(dir, cfg.name);
        const manifest = JSON.parse(readFileSync(join(cdir, 'manifest.json'), 'utf8')) as Manifest;
        const weights = new Map<string, Tensor>(manifest.params.map((p) => [p.name, { data: readF32(join(cdir, p.file)), shape: p.shape }]));
        const used = new Set<string>();
        const g = new Graph({ name: 'eve-vision', precision });
        buildEveVisionGraph(
          g,
          (key) => {
            const t = weights.get(key);
            if (!t) throw new Error(`no reference parameter ${key}`);
            used.add(key);
            return t;
          },
          cfg.spec,
        );
        expect([...weights.keys()].filter((k) => !used.has(k))).toEqual([]);
        const file = join(cdir, `vision_${precision}.onnx`);
        g.save(file);
        const session = await ort.InferenceSession.create(file);
        try {
          for (const c of manifest.cases) {
            const [h, w] = c.hw;
            const L = cfg.spec.llmHidden;
            const ref = readF32(join(cdir, c.out));
            expect(c.out_shape).toEqual([1 + h * (w + 1), L]);
            const px = readF32(join(cdir, c.pixel));
            const input = precision === 'fp16' ? new ort.Tensor('float16', toHalf(px), c.pixel_shape) : new ort.Tensor('float32', px, c.pixel_shape);
            const out = (await session.run({ pixel_values: input })).image_embeds;
            expect(out.dims, c.name).toEqual([1, 1 + h * (w + 1), L]);
            const got = precision === 'fp16' ? fromHalf(out.data as Uint16Array) : (out.data as Float32Array);
            const s = stats(got, ref);
            console.log(
              `eve-vision ${cfg.name} ${precision} ${c.name}: h=${h} w=${w}, ${1 + h * (w + 1)} tokens, max |diff| ${s.maxDiff.toExponential(2)}, corr ${s.corr.toFixed(6)}`,
            );
            expect(s.finite, c.name).toBe(true);
            if (precision === 'fp32') expect(s.maxDiff, c.name).toBeLessThan(1e-4);
            else if (precision === 'fp16') expect(s.corr, c.name).toBeGreaterThan(0.99);
            else expect(s.corr, c.name).toBeGreaterThan(0.9);
          }
        } finally {
          await session.release();
        }
      }, 60_000);
    }
  }
});
