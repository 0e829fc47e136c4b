// One client for OpenAI-compatible chat-completions servers, shared by the remote model backend and the LLM
// judges: retries with back-off on network errors, timeouts, 429 and 5xx (honouring Retry-After), and the API
// key read from the environment at request time, never stored, logged or returned.
import { UserError } from '../../core/errors.ts';

export interface ChatClientOptions {
  /** Base URL (e.g. http://host:8000/v1) or the full .../chat/completions URL. */
  url: string;
  /** Who is asking, for error messages (the model or judge name). */
  name: string;
  apiKeyEnv?: string;
  timeoutMs?: number;
  /** Extra attempts after the first, on network errors, timeouts, 429 and 5xx only. */
  retries?: number;
  /** Base back-off between attempts (doubled each time, with jitter); small in tests. */
  backoffMs?: number;
}

export interface ChatRequest {
  model: string;
  messages: unknown[];
  max_tokens?: number;
  temperature?: number;
  [field: string]: unknown;
}

export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

export type ChatResult =
  | { content: string; usage?: ChatUsage; model?: string; ms: number; attempts: number }
  | { error: { kind: string; message: string }; attempts: number };

export function chatCompletionsUrl(url: string): string {
  const u = url.replace(/\/+$/, '');
  return u.endsWith('/chat/completions') ? u : `${u}/chat/completions`;
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

export class ChatClient {
  readonly endpoint: string;

  constructor(private readonly opts: ChatClientOptions) {
    this.endpoint = chatCompletionsUrl(opts.url);
    if (opts.apiKeyEnv && process.env[opts.apiKeyEnv] === undefined) {
      throw new UserError(`"${opts.name}": environment variable ${opts.apiKeyEnv} (its API key) is not set`);
    }
  }

  async complete(request: ChatRequest): Promise<ChatResult> {
    const attempts = 1 + (this.opts.retries ?? 2);
    const body = JSON.stringify(request);
    let last: RetryableError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        const base = (this.opts.backoffMs ?? 500) * 2 ** (attempt - 1);
        const wait = Math.max(last?.retryAfterMs ?? 0, base * (0.5 + Math.random() / 2));
        await new Promise((r) => setTimeout(r, wait));
      }
      try {
        return { ...(await this.request(body)), attempts: attempt + 1 };
      } catch (err) {
        if (err instanceof RetryableError) {
          last = err;
          continue;
        }
        return { error: { kind: 'http', message: this.scrub((err as Error).message) }, attempts: attempt + 1 };
      }
    }
    return { error: { kind: last!.kind, message: `${this.scrub(last!.message)} (after ${attempts} attempts)` }, attempts };
  }

  private async request(body: string): Promise<{ content: string; usage?: ChatUsage; model?: string; ms: number }> {
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
    if (!res.ok) throw new Error(`${this.endpoint} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
    let json: { choices?: Array<{ message?: { content?: unknown } }>; usage?: ChatUsage; model?: unknown };
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${this.endpoint} answered with something that is not JSON`);
    }
    const content = json.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new Error(`${this.endpoint} answer has no choices[0].message.content string`);
    // The model that answered (judges record it, as MM-Vet's grade file does).
    return { content, usage: json.usage, model: typeof json.model === 'string' ? json.model : undefined, ms: performance.now() - started };
  }

  /** A server may echo request headers in an error body: never let the key through. */
  private scrub(s: string): string {
    const key = this.opts.apiKeyEnv ? process.env[this.opts.apiKeyEnv] : undefined;
    return key ? s.split(key).join('[redacted]') : s;
  }
}
