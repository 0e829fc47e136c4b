// The key under which a prediction is stored (docs/design.md, "Contracts"): a prediction is reused only
// when everything that could change the model's answer is the same.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface CacheKeyParts {
  /** Model fingerprint (weights, tokenizer, template; or endpoint + model name for a remote model). */
  model: string;
  /** Version of the benchmark adapter that built the prompt, and of the model family adapter. */
  adapterVersion: string;
  benchmark: string;
  sampleId: string;
  prompt: string;
  /** sha256 of the image bytes ('' when there is no image). */
  imageHash: string;
  generation: { maxNewTokens: number; greedy: true };
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Stable: fields are hashed in a fixed order as a JSON array, so key order in objects cannot matter. */
export function cacheKey(p: CacheKeyParts): string {
  const payload = JSON.stringify([
    'eve-eval/cache@1',
    p.model,
    p.adapterVersion,
    p.benchmark,
    p.sampleId,
    p.prompt,
    p.imageHash,
    p.generation.maxNewTokens,
    p.generation.greedy,
  ]);
  return sha256(payload).slice(0, 32);
}

/** sha256 of a file, streamed (model weights can be many GB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
