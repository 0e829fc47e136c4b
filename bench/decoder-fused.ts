// Plain vs fused decoder layout, q4, batch 1: prefill 256 tokens and 16 decode steps of a mid-size random decoder
// (hidden 512, 8 heads, 2 layers) on onnxruntime-node's CPU, only session.run timed, best of 5 after a warm-up.
import { rmSync } from 'node:fs';
import type { DecoderSpec } from '../export/decoder.ts';
import { seededRandom } from '../core/prng.ts';
import { build, decodeStep, feedsFor, leftPadded, pastFrom, randomWeights, root, type Built } from '../test/export/decoder-harness.ts';

export async function main(): Promise<void> {
  try {
    const specs: DecoderSpec[] = [
      {
        style: 'llama',
        hidden: 512,
        layers: 2,
        heads: 8,
        kvHeads: 8,
        headDim: 64,
        intermediate: 1376,
        vocab: 2000,
        eps: 1e-6,
        ropeTheta: 10000,
        rotaryFraction: 1,
      },
      {
        style: 'llama',
        hidden: 512,
        layers: 2,
        heads: 8,
        kvHeads: 2,
        headDim: 64,
        intermediate: 1376,
        vocab: 2000,
        eps: 1e-6,
        ropeTheta: 10000,
        rotaryFraction: 1,
      },
      {
        style: 'persimmon',
        hidden: 512,
        layers: 2,
        heads: 8,
        kvHeads: 8,
        headDim: 64,
        intermediate: 2048,
        vocab: 2000,
        eps: 1e-5,
        ropeTheta: 25000,
        rotaryFraction: 0.5,
      },
    ];
    const PREFILL = 256;
    const DECODE = 16;
    const REPS = 5;
    for (const [si, spec] of specs.entries()) {
      const weights = randomWeights(spec, 900 + si);
      /** Best-of-REPS prefill and mean decode-step milliseconds of each model, the models run in alternation. */
      const time = async (models: Built[]) => {
        const best = models.map(() => ({ prefill: Infinity, decode: Infinity }));
        for (let rep = 0; rep <= REPS; rep++) {
          for (const [mi, m] of models.entries()) {
            const rnd = seededRandom(11 + rep);
            let x = leftPadded([PREFILL], spec.hidden, rnd);
            // Only session.run is timed (the feeds are built before, the outputs not read back).
            let feeds = feedsFor(m, x);
            let t0 = performance.now();
            let out = await m.session.run(feeds);
            const prefill = performance.now() - t0;
            let decode = 0;
            for (let k = 0; k < DECODE; k++) {
              x = decodeStep(x, [PREFILL + k], spec.hidden, rnd);
              feeds = feedsFor(m, x, pastFrom(m, out));
              t0 = performance.now();
              out = await m.session.run(feeds);
              decode += performance.now() - t0;
            }
            if (rep === 0) continue; // warm-up
            best[mi] = { prefill: Math.min(best[mi].prefill, prefill), decode: Math.min(best[mi].decode, decode / DECODE) };
          }
        }
        return best;
      };
      // Single-threaded the comparison is steadier on a small shared machine; default threads is what the runtime gets.
      for (const threads of [1, 0]) {
        const plain = await build(spec, weights, 'q4', false, threads);
        const fused = await build(spec, weights, 'q4', true, threads);
        const [tp, tf] = await time([plain, fused]);
        const label = `${spec.style} kvHeads ${spec.kvHeads}/${spec.heads}, ${threads ? `${threads} thread` : 'default threads'}`;
        console.log(
          `${label} q4 (best of ${REPS}): prefill ${PREFILL} plain ${tp.prefill.toFixed(1)} ms, fused ${tf.prefill.toFixed(1)} ms (×${(tp.prefill / tf.prefill).toFixed(2)}); ` +
            `decode/token plain ${tp.decode.toFixed(2)} ms, fused ${tf.decode.toFixed(2)} ms (×${(tp.decode / tf.decode).toFixed(2)})`,
        );
        await plain.session.release();
        await fused.session.release();
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await main();
