// One client for OpenAI-compatible chat-completions servers, shared by the remote model backend and the LLM
// judges. Per request: retries with back-off on network errors, timeouts, 429 and 5xx (honouring Retry-After).
// Across requests: an adaptive concurrency limit (halved on 429, grown back by one per window of successes),
// and a circuit breaker: after `breakerThreshold` failed attempts in a row (network, timeout, 5xx) every
// request fails at once with kind 'unavailable' instead of waiting out its retries, so a dead endpoint costs
// a handful of timeouts, not three per sample; after `breakerCooldownMs` one trial request may close it.
// The API key is read from the environment at request time; credentials in the URL (userinfo, query) go
// to the server only: every message and the `endpoint` shown carry the redacted URL (url-secrets.ts).
import { UserError } from '../../core/errors.ts';
import { displayUrl, requestTarget, scrubSecrets, urlSecrets } from './url-secrets.ts';

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
  /** Requests in flight at most (default 8); 429s lower the working limit below it, successes raise it back. */
  concurrency?: number;
  /** Failed attempts in a row that open the circuit (default 5). */
  breakerThreshold?: number;
  /** How long an open circuit refuses before one trial request (default 30 s). */
  breakerCooldownMs?: number;
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

/** Error kind of a request refused because the circuit is open: the endpoint, not this request, is at fault. */
export const UNAVAILABLE = 'unavailable';

/**
 * `ms`: the answering attempt's round trip; `totalMs`: from the first attempt to the answer, retries,
 * back-off and waiting for a concurrency slot included (what a sample cost).
 */
export type ChatResult =
  | { content: string; usage?: ChatUsage; model?: string; ms: number; totalMs: number; attempts: number }
  | { error: { kind: string; message: string }; attempts: number; totalMs: number };

export interface ChatStats {
  requests: number;
  attempts: number;
  /** Attempts after the first of their request. */
  retries: number;
  /** Attempts answered 429. */
  throttled: number;
  /** The concurrency limit now, and its configured maximum. */
  limit: number;
  maxConcurrency: number;
  circuitOpen: boolean;
}

export function chatCompletionsUrl(url: string): string {
  const u = url.replace(/\/+$/, '');
  if (u.endsWith('/chat/completions')) return u;
  // A query string stays at the end: https://h/v1?api-version=x → https://h/v1/chat/completions?api-version=x
  const q = u.indexOf('?');
  return q < 0 ? `${u}/chat/completions` : `${u.slice(0, q).replace(/\/+$/, '')}/chat/completions${u.slice(q)}`;
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly kind: string,
    readonly retryAfterMs?: number,
    /** A 429: the server is alive and busy; it lowers concurrency but does not count towards the breaker. */
    readonly throttled = false,
  ) {
    super(message);
  }
}

/** Additive-increase, multiplicative-decrease limit on requests in flight. */
class AdaptiveLimit {
  limit: number;
  private inFlight = 0;
  private successes = 0;
  private readonly waiting: Array<() => void> = [];
  /** Time of the last decrease: 429s from requests sent before it are already accounted for. */
  private lastCut = 0;

  constructor(readonly max: number) {
    this.limit = max;
  }

  async acquire(): Promise<number> {
    while (this.inFlight >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    return performance.now();
  }

  release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  onSuccess(): void {
    if (this.limit < this.max && ++this.successes >= this.limit) {
      this.successes = 0;
      this.limit++;
      this.waiting.shift()?.();
    }
  }

  onThrottle(sentAt: number): void {
    if (sentAt < this.lastCut) return;
    this.lastCut = performance.now();
    this.successes = 0;
    this.limit = Math.max(1, Math.floor(this.limit / 2));
  }
}

export class ChatClient {
  /** The endpoint as shown in messages, fingerprints and manifests: credentials redacted. */
  readonly endpoint: string;
  private readonly target: { url: string; basicAuth?: string };
  private readonly secrets: string[];
  private readonly gate: AdaptiveLimit;
  private failuresInARow = 0;
  private openUntil = 0;
  private trialInFlight = false;
  private lastFailure = '';
  private readonly counts = { requests: 0, attempts: 0, retries: 0, throttled: 0 };

  constructor(private readonly opts: ChatClientOptions) {
    const full = chatCompletionsUrl(opts.url);
    this.endpoint = displayUrl(full);
    this.target = requestTarget(full);
    this.secrets = urlSecrets(full);
    this.gate = new AdaptiveLimit(opts.concurrency ?? 8);
    if (opts.apiKeyEnv && process.env[opts.apiKeyEnv] === undefined) {
      throw new UserError(`"${opts.name}": environment variable ${opts.apiKeyEnv} (its API key) is not set`);
    }
  }

  stats(): ChatStats {
    return { ...this.counts, limit: this.gate.limit, maxConcurrency: this.gate.max, circuitOpen: this.openUntil > 0 };
  }

  /** Why the circuit is open, or null while it is closed. */
  private refusal(): string | null {
    if (this.openUntil === 0) return null;
    if (performance.now() >= this.openUntil && !this.trialInFlight) return null; // half open: one trial goes
    return `${this.endpoint} failed ${this.failuresInARow} times in a row (last: ${this.lastFailure}); not sending more requests to it`;
  }

  async complete(request: ChatRequest): Promise<ChatResult> {
    const started = performance.now();
    const attempts = 1 + (this.opts.retries ?? 2);
    const body = JSON.stringify(request);
    const elapsed = () => performance.now() - started;
    this.counts.requests++;
    let last: RetryableError | undefined;
    let made = 0;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        const base = (this.opts.backoffMs ?? 500) * 2 ** (attempt - 1);
        const wait = Math.max(last?.retryAfterMs ?? 0, base * (0.5 + Math.random() / 2));
        await new Promise((r) => setTimeout(r, wait));
      }
      const sentAt = await this.gate.acquire();
      const refused = this.refusal();
      if (refused) {
        this.gate.release();
        return { error: { kind: UNAVAILABLE, message: this.scrub(refused) }, attempts: made, totalMs: elapsed() };
      }
      const trial = this.openUntil > 0;
      if (trial) this.trialInFlight = true;
      made++;
      this.counts.attempts++;
      if (attempt > 0) this.counts.retries++;
      try {
        const answer = await this.request(body);
        this.failuresInARow = 0;
        this.openUntil = 0;
        this.gate.onSuccess();
        return { ...answer, attempts: made, totalMs: elapsed() };
      } catch (err) {
        if (!(err instanceof RetryableError)) {
          return { error: { kind: 'http', message: this.scrub((err as Error).message) }, attempts: made, totalMs: elapsed() };
        }
        last = err;
        if (err.throttled) {
          this.counts.throttled++;
          this.gate.onThrottle(sentAt);
        } else {
          this.lastFailure = this.scrub(err.message);
          const threshold = this.opts.breakerThreshold ?? 5;
          if (++this.failuresInARow >= threshold || trial) this.openUntil = performance.now() + (this.opts.breakerCooldownMs ?? 30_000);
        }
      } finally {
        if (trial) this.trialInFlight = false;
        this.gate.release();
      }
    }
    return { error: { kind: last!.kind, message: `${this.scrub(last!.message)} (after ${made} attempts)` }, attempts: made, totalMs: elapsed() };
  }

  private async request(body: string): Promise<{ content: string; usage?: ChatUsage; model?: string; ms: number }> {
    const timeoutMs = this.opts.timeoutMs ?? 120_000;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const key = this.opts.apiKeyEnv ? process.env[this.opts.apiKeyEnv] : undefined;
    if (key) headers.authorization = `Bearer ${key}`;
    else if (this.target.basicAuth) headers.authorization = this.target.basicAuth;
    const started = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.target.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
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
      // The body says why (llama.cpp answers 500 "image input is not supported" to an image it cannot take).
      const why = text.trim().replace(/\s+/g, ' ').slice(0, 200);
      throw new RetryableError(
        `${this.endpoint} answered HTTP ${res.status}${why ? `: ${why}` : ''}`,
        'http',
        Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined,
        res.status === 429,
      );
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

  /** A server may echo request headers or the URL in an error body: never let a credential through. */
  private scrub(s: string): string {
    const key = this.opts.apiKeyEnv ? process.env[this.opts.apiKeyEnv] : undefined;
    return scrubSecrets(s, key ? [key, ...this.secrets] : this.secrets);
  }
}
