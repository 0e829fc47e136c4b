// `eve-eval serve`: one loaded bundle behind the OpenAI chat-completions API, on node:http alone.
// GET /health, GET /v1/models, POST /v1/chat/completions. Requests are batched (batcher.ts); a full queue
// answers 429 with Retry-After; bad requests 400 with {"error": {"message", "type"}}; close() stops taking
// requests and resolves once every admitted one has been answered (SIGTERM in the command).
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../core/errors.ts';
import type { LoadedModel, PreparedItem } from '../runtime/model.ts';
import { Batcher, QueueFull } from './batcher.ts';
import { BadRequest, parseChatRequest } from './chat-request.ts';

export interface ServeOptions {
  model: LoadedModel;
  /** The id clients name in "model" (the bundle folder name by default). */
  name: string;
  host: string;
  port: number;
  maxBatch: number;
  maxQueue: number;
  /** Image + prompt tokens + max_tokens may not exceed this. */
  maxContext: number;
  /** max_tokens when a request gives none. */
  defaultMaxTokens: number;
  /** When set, every /v1 request needs `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Largest request body accepted (a base64 image is 4/3 of its file). */
  maxBodyBytes?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  stats(): ServeStats;
  /** Stop accepting; resolve when every admitted request has its answer. */
  close(): Promise<void>;
}

export interface ServeStats {
  status: 'ok' | 'draining';
  model: string;
  family: string;
  executionProvider: string;
  queued: number;
  inModel: number;
  served: number;
  batches: number;
  meanBatchSize: number | null;
  rejected: { badRequest: number; queueFull: number; unauthorized: number };
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new BadRequest(`request body is over ${limit} bytes`, 413);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const batcher = new Batcher(o.model, o.maxBatch, o.maxQueue);
  const rejected = { badRequest: 0, queueFull: 0, unauthorized: 0 };
  let served = 0;
  let ids = 0;
  /** Requests between arrival and their answer: close() waits for them. */
  let active = 0;
  let allAnswered: (() => void) | undefined;
  const keyDigest = o.apiKey ? digest(o.apiKey) : undefined;
  const eos = o.model.config.eos_token_id;
  let draining = false;

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    // While shutting down, no connection is kept alive past its answer.
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...(draining ? { connection: 'close' } : {}),
      ...headers,
    });
    res.end(text);
  }

  function sendError(res: ServerResponse, status: number, message: string, type: string, headers: Record<string, string> = {}): void {
    send(res, status, { error: { message, type, code: status } }, headers);
  }

  const stats = (): ServeStats => ({
    status: draining ? 'draining' : 'ok',
    model: o.name,
    family: o.model.family,
    executionProvider: o.model.executionProvider,
    queued: batcher.queued,
    inModel: batcher.inModel,
    served,
    batches: batcher.batches,
    meanBatchSize: batcher.batches ? batcher.items / batcher.batches : null,
    rejected,
  });

  function authorized(req: IncomingMessage): boolean {
    if (!keyDigest) return true;
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return m !== null && timingSafeEqual(digest(m[1]), keyDigest);
  }

  /** Context check after tokenization: image tokens are known only once the image is preprocessed. */
  function check(p: PreparedItem): void {
    const tokens = (p.pixels?.imageTokens ?? 0) + p.prompt.before.length + p.prompt.after.length;
    if (tokens + p.maxNewTokens > o.maxContext) {
      throw new BadRequest(
        `prompt too long: ${tokens} prompt tokens (image included) + max_tokens ${p.maxNewTokens} > the ${o.maxContext}-token context (--max-context)`,
      );
    }
  }

  async function completions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let body: unknown;
    const text = await readBody(req, o.maxBodyBytes ?? 64 * 1024 * 1024);
    try {
      body = JSON.parse(text);
    } catch {
      throw new BadRequest('the request body is not JSON');
    }
    const input = parseChatRequest(body, o.defaultMaxTokens);
    if (input.model !== undefined && input.model !== o.name) {
      throw new BadRequest(`model "${input.model}" is not served here (this server serves "${o.name}")`, 404, 'not_found_error');
    }
    const request = { image: input.image, source: `request ${++ids}`, prompt: input.prompt, maxNewTokens: input.maxNewTokens };
    const { result, batchSize } = await batcher.run(async () => {
      try {
        return await o.model.prepare(request);
      } catch (err) {
        // A corrupt image is the client's: one line naming what failed, as a 400.
        throw new BadRequest(String((err as Error).message ?? err).split('\n')[0]);
      }
    }, check);
    if ('error' in result) {
      if (result.error.kind === 'input') throw new BadRequest(result.error.message);
      return sendError(res, 500, result.error.message, 'server_error');
    }
    served++;
    const promptTokens = result.imageTokens + result.promptTokens;
    send(res, 200, {
      id: `chatcmpl-${ids}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: o.name,
      choices: [{ index: 0, message: { role: 'assistant', content: result.text }, finish_reason: result.tokenIds.at(-1) === eos ? 'stop' : 'length' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: result.generatedTokens, total_tokens: promptTokens + result.generatedTokens },
      // Not in OpenAI's schema; clients ignore it. What the load figure and the records want.
      eve_eval: { batch_size: batchSize, image_tokens: result.imageTokens, server_ms: Math.round(performance.now() - started), timings: result.timings },
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') return send(res, draining ? 503 : 200, stats());
    if (!path.startsWith('/v1/')) return sendError(res, 404, `no route ${req.method} ${path}`, 'not_found_error');
    if (!authorized(req)) {
      rejected.unauthorized++;
      return sendError(res, 401, 'missing or wrong API key (Authorization: Bearer ...)', 'authentication_error');
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return send(res, 200, { object: 'list', data: [{ id: o.name, object: 'model', created: 0, owned_by: 'eve-eval' }] });
    }
    if (path !== '/v1/chat/completions') return sendError(res, 404, `no route ${req.method} ${path}`, 'not_found_error');
    if (req.method !== 'POST') return sendError(res, 405, 'use POST', 'invalid_request_error');
    if (draining) return sendError(res, 503, 'the server is shutting down', 'server_error', { 'retry-after': '5', connection: 'close' });
    try {
      await completions(req, res);
    } catch (err) {
      if (err instanceof QueueFull) {
        rejected.queueFull++;
        // One batch's time is the soonest a slot frees; a second is a safe, coarse hint.
        return sendError(res, 429, `queue full (${o.maxQueue} waiting): retry later`, 'rate_limit_error', { 'retry-after': '1' });
      }
      if (err instanceof BadRequest) {
        rejected.badRequest++;
        return sendError(res, err.status, err.message, err.code);
      }
      sendError(res, 500, String((err as Error).message ?? err).split('\n')[0], 'server_error');
    }
  }

  const server: Server = createServer((req, res) => {
    active++;
    handle(req, res)
      .catch(() => res.destroy())
      .finally(() => {
        if (--active === 0) allAnswered?.();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new UserError(`cannot listen on ${o.host}:${o.port} (${err.code ?? err.message})`)));
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;

  return {
    url: `http://${host}:${port}/v1`,
    port,
    stats,
    async close() {
      draining = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      if (active > 0) await new Promise<void>((r) => (allAnswered = r));
      // Every answer written; sockets that went idle meanwhile can go.
      server.closeIdleConnections();
      await closed;
    },
  };
}
