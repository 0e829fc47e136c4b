// A model behind an OpenAI-compatible chat-completions server (vLLM, SGLang, LMDeploy ...).
// Images travel as data URLs; greedy decoding (temperature 0) as the published numbers were made.
// The API key is read from the environment at request time and never stored, logged or returned.
import { createHash } from 'node:crypto';
import { ChatClient, type ChatRequest } from './chat-client.ts';
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
  /** Requests in flight at most; lowered while the server answers 429 (chat-client.ts). */
  concurrency?: number;
  /** Base back-off between attempts (doubled each time, with jitter); small in tests. */
  backoffMs?: number;
  breakerThreshold?: number;
  breakerCooldownMs?: number;
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

export class HttpBackend implements ModelBackend {
  readonly id: string;
  readonly fingerprint: string;
  readonly executionProvider = 'http';
  readonly modelFiles: Record<string, string> = {};
  readonly adapterVersions: Record<string, string> = { remote: 'openai-chat@1' };
  readonly maxBatch: number;
  private readonly client: ChatClient;

  constructor(private readonly opts: HttpBackendOptions) {
    this.id = opts.name;
    this.client = new ChatClient({ ...opts, concurrency: opts.concurrency ?? 8, name: `model "${opts.name}"` });
    // Neither the key nor URL credentials are part of the fingerprint (the endpoint is the redacted URL):
    // rotating a key must not invalidate cached answers.
    this.fingerprint = createHash('sha256')
      .update(JSON.stringify(['openai-chat@1', this.client.endpoint, opts.model]))
      .digest('hex');
    this.maxBatch = opts.concurrency ?? 8;
  }

  /** The client holds the concurrency limit (adaptive on 429), so every item is handed to it at once. */
  generate(items: GenerateItem[]): Promise<GenerateResult[]> {
    return Promise.all(items.map((item) => this.one(item)));
  }

  requestSummary(): string {
    const s = this.client.stats();
    return (
      `${s.requests} requests to ${this.client.endpoint}, ${s.retries} retries, ${s.throttled} answered 429` +
      (s.limit < s.maxConcurrency ? `; concurrency lowered to ${s.limit} of ${s.maxConcurrency}` : '')
    );
  }

  async dispose(): Promise<void> {}

  private request(item: GenerateItem): ChatRequest {
    const content: unknown[] = [];
    if (item.image) {
      content.push({ type: 'image_url', image_url: { url: `data:${sniffMime(item.image)};base64,${item.image.toString('base64')}` } });
    }
    content.push({ type: 'text', text: item.prompt });
    return { model: this.opts.model, messages: [{ role: 'user', content }], max_tokens: item.maxNewTokens, temperature: 0 };
  }

  private async one(item: GenerateItem): Promise<GenerateResult> {
    const result = await this.client.complete(this.request(item));
    const request = { attempts: result.attempts, latency_ms: Math.round(result.totalMs) };
    if ('error' in result) return { error: result.error, request };
    return {
      request,
      // Same post-processing as the reference scripts: strip (the server already skipped specials).
      text: result.content.trim(),
      tokens:
        result.usage?.prompt_tokens !== undefined
          ? { image: 0, prompt: result.usage.prompt_tokens, generated: result.usage.completion_tokens ?? 0 }
          : undefined,
      // A server reports no prefill/decode split: the whole round trip is counted as decode.
      timings: { preprocess_ms: 0, prefill_ms: 0, decode_ms: Math.round(result.ms) },
    };
  }
}
