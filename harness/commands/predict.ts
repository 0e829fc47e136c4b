// eve-eval predict: one image and one prompt through a model bundle, greedy, on the chosen device.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError, UserError } from '../../core/errors.ts';
import { parseDevice } from '../runtime/session.ts';
import { PRECISION_SUFFIX } from '../../core/bundle-layout.ts';

function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`${flag} must be a positive integer (got "${v}")`);
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('predict')
    .description('Answer one prompt about one image with a model bundle (greedy decoding).')
    .requiredOption('--model <dir>', 'model bundle folder (config.json, tokenizer.json, onnx/)')
    .requiredOption('--image <file>', 'image file (JPEG, PNG, WebP, GIF ...)')
    .requiredOption('--prompt <text>', 'text that follows the image placeholder')
    .option('--device <device>', 'cpu, cuda or webgpu (falls back to cpu with a notice)', 'cpu')
    .option('--max-new-tokens <n>', 'stop after this many generated tokens', positiveInt('--max-new-tokens'), 128)
    .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt('--threads'))
    .option('--precision <p>', `ONNX file variant: ${Object.keys(PRECISION_SUFFIX).join(', ')}`, 'fp32')
    .option('--json', 'print {"text","image_tokens","prompt_tokens","generated_tokens","timings"} as JSON')
    .action(
      async (o: {
        model: string;
        image: string;
        prompt: string;
        device: string;
        maxNewTokens: number;
        threads?: number;
        precision: string;
        json?: boolean;
      }) => {
        const device = parseDevice(o.device);
        let image: Buffer;
        try {
          image = await readFile(o.image);
        } catch (err) {
          throw new InputError(o.image, undefined, `cannot read image: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        // Loaded lazily: onnxruntime is only needed by this command.
        const { loadModel } = await import('../runtime/model.ts');
        const model = await loadModel(o.model, { device, threads: o.threads, precision: o.precision });
        try {
          const [r] = await model.generate([{ image, source: o.image, prompt: o.prompt, maxNewTokens: o.maxNewTokens }]);
          if ('error' in r) throw new UserError(r.error.message);
          if (o.json) {
            const round = (x: number) => Math.round(x * 100) / 100;
            process.stdout.write(
              JSON.stringify({
                text: r.text,
                image_tokens: r.imageTokens,
                prompt_tokens: r.promptTokens,
                generated_tokens: r.generatedTokens,
                timings: { preprocess_ms: round(r.timings.preprocess_ms), prefill_ms: round(r.timings.prefill_ms), decode_ms: round(r.timings.decode_ms) },
              }) + '\n',
            );
          } else {
            process.stdout.write(r.text + '\n');
          }
        } finally {
          await model.dispose();
        }
      },
    );
}
