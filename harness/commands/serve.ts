// `eve-eval serve --model DIR`: the ONNX runtime behind an OpenAI-compatible chat-completions endpoint
// (harness/serve/), so one accelerator host serves many evaluation clients (`eve-eval run` with a remote
// model), EVE included, which no other engine serves. SIGTERM / Ctrl-C: stop taking requests, answer the
// admitted ones, exit 0.
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../core/errors.ts';
import { int } from '../runner/command.ts';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`--port must be 0-65535 (got "${v}")`);
  return n;
}

interface ServeFlags {
  model: string;
  name?: string;
  host: string;
  port: number;
  device: string;
  threads?: number;
  precision: string;
  maxBatch: number;
  maxQueue: number;
  maxContext: number;
  maxTokens: number;
  apiKeyEnv?: string;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve a model bundle on /v1/chat/completions (OpenAI-compatible; images as base64 data URLs), /v1/models and /health')
    .requiredOption('--model <dir>', 'model bundle folder')
    .option('--name <id>', 'model id clients name (default: the bundle folder name)')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0: any free one; the chosen one is printed)', port, 8000)
    .option('--device <device>', 'cpu, cuda or webgpu (falls back to cpu with a notice)', 'cpu')
    .option('--threads <n>', 'onnxruntime intra-op threads', int('--threads'))
    .option('--precision <p>', 'ONNX file variant (fp32, fp16, q4 ...)', 'fp32')
    .option('--max-batch <n>', 'requests per model call at most', int('--max-batch'), 8)
    .option('--max-queue <n>', 'requests waiting beyond the running batch before 429', int('--max-queue'), 64)
    .option('--max-context <n>', 'image + prompt tokens + max_tokens at most, else 400', int('--max-context'), 4096)
    .option('--max-tokens <n>', 'max_tokens for requests that give none', int('--max-tokens'), 128)
    .option('--api-key-env <name>', 'environment variable holding the key clients must send as Authorization: Bearer')
    .action(async (o: ServeFlags) => {
      let apiKey: string | undefined;
      if (o.apiKeyEnv !== undefined) {
        apiKey = process.env[o.apiKeyEnv];
        if (!apiKey) throw new UserError(`--api-key-env ${o.apiKeyEnv}: that environment variable is not set`);
      }
      const { parseDevice } = await import('../runtime/session.ts');
      const { loadModel } = await import('../runtime/model.ts');
      const { startServer } = await import('../serve/server.ts');
      const dir = resolve(o.model);
      const model = await loadModel(dir, { device: parseDevice(o.device), threads: o.threads, precision: o.precision });
      const server = await startServer({
        model,
        name: o.name ?? basename(dir),
        host: o.host,
        port: o.port,
        maxBatch: o.maxBatch,
        maxQueue: o.maxQueue,
        maxContext: o.maxContext,
        defaultMaxTokens: o.maxTokens,
        apiKey,
      });
      process.stderr.write(
        `eve-eval serve: ${o.name ?? basename(dir)} (${model.family}, ${model.executionProvider}) on ${server.url}${apiKey ? ' (API key required)' : ''}\n`,
      );
      if (!apiKey && !['127.0.0.1', 'localhost', '::1'].includes(o.host)) {
        process.stderr.write(`eve-eval serve: note: ${o.host} is reachable from other machines and no key is required (--api-key-env NAME)\n`);
      }
      await new Promise<void>((done) => {
        const stop = (signal: NodeJS.Signals) => {
          const s = server.stats();
          process.stderr.write(`eve-eval serve: ${signal}: answering ${s.queued + s.inModel} admitted requests, then exiting\n`);
          void server.close().then(done);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      const s = server.stats();
      await model.dispose();
      process.stderr.write(`eve-eval serve: stopped after ${s.served} answers in ${s.batches} batches (mean batch ${s.meanBatchSize?.toFixed(2) ?? '-'})\n`);
    });
}
