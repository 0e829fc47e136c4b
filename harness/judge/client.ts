// An LLM judge: any OpenAI-compatible endpoint, through the one chat client (retries, back-off, Retry-After,
// key from the environment). Every answer it gives is cached in the run folder by (judge model, request),
// appended and flushed as it arrives, so re-scoring makes no request and gives the same grades, and an
// interrupted judging run resumes. Failed requests are never cached. Token usage and, from the prices the
// user configures, a cost estimate are counted per run.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import pLimit from 'p-limit';
import { parseRunJsonl } from '../../core/run-jsonl.ts';
import { ChatClient, type ChatClientOptions, type ChatRequest } from '../backends/chat-client.ts';

/** The endpoint as the chat client takes it (url, apiKeyEnv, timeoutMs, retries, backoffMs), plus: */
export interface JudgeSettings extends Omit<ChatClientOptions, 'name'> {
  model: string;
  concurrency?: number;
  /** USD per million tokens, for the cost estimate (none given: no estimate). */
  prices?: { inputPerMTok: number; outputPerMTok: number };
}

export interface JudgeUsage {
  /** Requests sent to the endpoint (cache misses, each counted once whatever the transport retries). */
  requests: number;
  /** Answers taken from the cache. */
  cached: number;
  promptTokens: number;
  completionTokens: number;
  /** From the configured prices; null without prices. */
  costUsd: number | null;
}

export type JudgeReply = { content: string; model: string; cached: boolean } | { error: { kind: string; message: string } };

interface CacheLine {
  key: string;
  model: string;
  content: string;
  responseModel?: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

function isCacheLine(v: unknown): v is CacheLine {
  const o = v as CacheLine;
  return typeof o === 'object' && o !== null && typeof o.key === 'string' && typeof o.model === 'string' && typeof o.content === 'string';
}

export class Judge {
  private readonly client: ChatClient;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly cache = new Map<string, CacheLine>();
  private pending: Promise<unknown> = Promise.resolve();
  readonly usage: JudgeUsage = { requests: 0, cached: 0, promptTokens: 0, completionTokens: 0, costUsd: null };

  private constructor(
    readonly settings: JudgeSettings,
    readonly cacheFile: string,
  ) {
    this.client = new ChatClient({ ...settings, name: `judge "${settings.model}"` });
    this.limit = pLimit(settings.concurrency ?? 4);
    if (settings.prices) this.usage.costUsd = 0;
  }

  /** A judge whose answers are cached in `cacheFile` (JSONL; a torn last line from a killed run is ignored). */
  static async open(settings: JudgeSettings, cacheFile: string): Promise<Judge> {
    const judge = new Judge(settings, cacheFile);
    if (existsSync(cacheFile)) {
      const text = await readFile(cacheFile, 'utf8');
      const { records, tornTail } = parseRunJsonl(text, cacheFile, isCacheLine, 'a judge cache line {key, model, content}');
      for (const line of records) judge.cache.set(line.key, line);
      // A torn last line (a killed run) is cut off before anything is appended: that answer is asked again.
      if (tornTail) await truncate(cacheFile, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
    }
    return judge;
  }

  /** The cache key: the judge model and everything in the request that shapes the answer. */
  static key(request: ChatRequest): string {
    return createHash('sha256')
      .update(JSON.stringify([request.model, request.messages, request.temperature ?? null, request.max_tokens ?? null, request.seed ?? null]))
      .digest('hex');
  }

  /** `messages` etc. with this judge's model; `tag` separates otherwise identical requests (judge run k). */
  ask(request: { messages: unknown[]; max_tokens?: number; temperature?: number }, tag?: string): Promise<JudgeReply> {
    const full: ChatRequest = { ...request, model: this.settings.model };
    const key = Judge.key(tag === undefined ? full : { ...full, seed: tag });
    const hit = this.cache.get(key);
    if (hit) {
      this.usage.cached++;
      return Promise.resolve({ content: hit.content, model: hit.responseModel ?? hit.model, cached: true });
    }
    return this.limit(async () => {
      this.usage.requests++;
      const r = await this.client.complete(full);
      if ('error' in r) return { error: r.error };
      this.count(r.usage);
      const line: CacheLine = { key, model: this.settings.model, content: r.content, responseModel: r.model, usage: r.usage };
      this.cache.set(key, line);
      await this.append(line);
      return { content: r.content, model: r.model ?? this.settings.model, cached: false };
    });
  }

  private count(usage?: { prompt_tokens?: number; completion_tokens?: number }): void {
    const p = usage?.prompt_tokens ?? 0;
    const c = usage?.completion_tokens ?? 0;
    this.usage.promptTokens += p;
    this.usage.completionTokens += c;
    const prices = this.settings.prices;
    if (prices && this.usage.costUsd !== null) this.usage.costUsd += (p * prices.inputPerMTok + c * prices.outputPerMTok) / 1e6;
  }

  /** Appends in arrival order, one write at a time, so concurrent answers never interleave a line. */
  private append(line: CacheLine): Promise<unknown> {
    this.pending = this.pending.then(async () => {
      await mkdir(dirname(this.cacheFile), { recursive: true });
      await appendFile(this.cacheFile, `${JSON.stringify(line)}\n`);
    });
    return this.pending;
  }
}
