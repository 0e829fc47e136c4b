// A model behind an OpenAI-compatible chat-completions server (vLLM, SGLang, LMDeploy ...).
// Images travel as data URLs; greedy decoding (temperature 0) as the published numbers were made.
// The API key is read from the environment at request time and never stored, logged or returned.
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { UserError } from '../../core/errors.ts';
import type { GenerateItem, GenerateResult, ModelBackend } from './types.ts';

export interface HttpBackendOptions {
  name: string;
  /** Base URL (e.g. http://host:8000/v1) or the full .../chat/completions URL. */
  url: string;
  model: string;
  apiKeyEnv?: string;
  timeoutMs?: number;
  /** Extra attempts after the first, on network errors, timeouts, 429 and 5xx only. */
  retries?: number;
  concurrency?: number;
  /** Base back-off between attempts (doubled each time, with jitter); small in tests. */
  backoffMs?: number;
}

export function chatCompletionsUrl(url: string): string {
  const u = url.replace(/\/+$/, '');
  return u.endsWith('/chat/completions') ? u : `${u}/chat/completions`;
}

/** MIME type from the first bytes, so the data URL says what the bytes are. */
export function sniffMime(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === '\x89PNG') return 'image/png';
  if (bytes.subarray(0, 3).toString('latin1') === 'GIF') return 'image/gif';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (bytes.subarray(0, 2).toString('latin1') === 'BM') return 'image/bmp';
  return 'application/octet-stream';
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly kind: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export class HttpBackend implements ModelBackend {
  readonly id: string;
  readonly fingerprint: string;
  readonly executionProvider = 'http';
  readonly modelFiles: Record<string, string> = {};
  readonly adapterVersions: Record<string, string> = { remote: 'openai-chat@1' };
  readonly maxBatch: number;
  private readonly endpoint: string;
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(private readonly opts: HttpBackendOptions) {
    this.id = opts.name;
    this.endpoint = chatCompletionsUrl(opts.url);
    // The key is not part of the fingerprint: rotating a key must not invalidate cached answers.
    this.fingerprint = createHash('sha256').update(JSON.stringify(['openai-chat@1', this.endpoint, opts.model])).digest('hex');
    this.limit = pLimit(opts.concurrency ?? 8);
    this.maxBatch = opts.concurrency ?? 8;
    if (opts.apiKeyEnv && process.env[opts.apiKeyEnv] === undefined) {
      throw new UserError(`model "${opts.name}": environment variable ${opts.apiKeyEnv} (its API key) is not set`);
    }
  }

  generate(items: GenerateItem[]): Promise<GenerateResult[]> {
    return Promise.all(items.map((item) => this.limit(() => this.one(item))));
  }

  async dispose(): Promise<void> {
    this.limit.clearQueue();
  }

  private body(item: GenerateItem): string {
    const content: unknown[] = [];
    if (item.image) {
      content.push({ type: 'image_url', image_url: { url: `data:${sniffMime(item.image)};base64,${item.image.toString('base64')}` } });
    }
    content.push({ type: 'text', text: item.prompt });
    return JSON.stringify({
      model: this.opts.model,
      messages: [{ role: 'user', content }],
      max_tokens: item.maxNewTokens,
      temperature: 0,
    });
  }

  private async one(item: GenerateItem): Promise<GenerateResult> {
    const attempts = 1 + (this.opts.retries ?? 2);
    const body = this.body(item);
    let last: RetryableError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        const base = (this.opts.backoffMs ?? 500) * 2 ** (attempt - 1);
        const wait = Math.max(last?.retryAfterMs ?? 0, base * (0.5 + Math.random() / 2));
        await new Promise((r) => setTimeout(r, wait));
      }
      try {
        return await this.request(body);
      } catch (err) {
        if (err instanceof RetryableError) {
          last = err;
          continue;
        }
        return { error: { kind: 'http', message: this.scrub((err as Error).message) } };
      }
    }
    return { error: { kind: last!.kind, message: `${this.scrub(last!.message)} (after ${attempts} attempts)` } };
  }

  private async request(body: string): Promise<GenerateResult> {
    const timeoutMs = this.opts.timeoutMs ?? 120_000;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const key = this.opts.apiKeyEnv ? process.env[this.opts.apiKeyEnv] : undefined;
    if (key) headers.authorization = `Bearer ${key}`;
    const started = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw new RetryableError(`no answer from ${this.endpoint} within ${timeoutMs} ms`, 'timeout');
      }
      throw new RetryableError(`request to ${this.endpoint} failed: ${e.message}${e.cause ? ` (${(e.cause as Error).message})` : ''}`, 'http');
    }
    if (res.status === 429 || res.status >= 500) {
      const ra = Number(res.headers.get('retry-after'));
      throw new RetryableError(`${this.endpoint} answered HTTP ${res.status}`, 'http', Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined);
    }
    if (!res.ok) {
      return { error: { kind: 'http', message: `${this.endpoint} answered HTTP ${res.status}: ${this.scrub(text.slice(0, 200))}` } };
    }
    let json: { choices?: Array<{ message?: { content?: unknown } }>; usage?: { prompt_tokens?: number; completion_tokens?: number } };
    try {
      json = JSON.parse(text);
    } catch {
      return { error: { kind: 'http', message: `${this.endpoint} answered with something that is not JSON` } };
    }
    const content = json.choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      return { error: { kind: 'http', message: `${this.endpoint} answer has no choices[0].message.content string` } };
    }
    const ms = performance.now() - started;
    return {
      // Same post-processing as the reference scripts: strip (the server already skipped specials).
      text: content.trim(),
      tokens:
        json.usage?.prompt_tokens !== undefined
          ? { image: 0, prompt: json.usage.prompt_tokens, generated: json.usage.completion_tokens ?? 0 }
          : undefined,
      // A server reports no prefill/decode split: the whole round trip is counted as decode.
      timings: { preprocess_ms: 0, prefill_ms: 0, decode_ms: Math.round(ms) },
    };
  }

  /** A server may echo request headers in an error body: never let the key through. */
  private scrub(s: string): string {
    const key = this.opts.apiKeyEnv ? process.env[this.opts.apiKeyEnv] : undefined;
    return key ? s.split(key).join('[redacted]') : s;
  }
}
