// What `eve-eval serve` accepts on /v1/chat/completions: the OpenAI chat shape, narrowed to what the ONNX
// runtime does: one user message (text parts and at most one image, as a base64 data URL), greedy decoding,
// no streaming. Anything else is a 400 that says which field and why, never a silent reinterpretation.
import { z } from 'zod';

export class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly code = 'invalid_request_error',
  ) {
    super(message);
  }
}

const imagePart = z
  .object({
    type: z.literal('image_url'),
    image_url: z.union([z.string(), z.object({ url: z.string().optional() }).passthrough()]).optional(),
  })
  .passthrough();
const textPart = z.object({ type: z.literal('text'), text: z.string() }).passthrough();
const part = z.discriminatedUnion('type', [textPart, imagePart]);
const message = z.object({ role: z.string(), content: z.union([z.string(), z.array(part)]) }).passthrough();

const chatRequest = z
  .object({
    model: z.string().optional(),
    messages: z.array(message).min(1),
    max_tokens: z.number().int().positive().optional(),
    max_completion_tokens: z.number().int().positive().optional(),
    temperature: z.number().min(0).optional(),
    n: z.number().int().optional(),
    stream: z.boolean().optional(),
  })
  .passthrough();

export interface ChatInput {
  model?: string;
  /** The benchmark prompt; the family's own template goes around it, as in a local run. */
  prompt: string;
  image: Buffer | null;
  maxNewTokens: number;
}

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+)?(;[a-z0-9-]+=[^;,]*)*;base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A base64 data URL's bytes; refused when the URL is not one, or its payload is not strict base64. */
export function decodeDataUrl(url: string): Buffer {
  const head = DATA_URL.exec(url);
  if (!head) {
    throw new BadRequest(
      /^https?:/i.test(url)
        ? 'image_url must be a base64 data URL (data:image/...;base64,...): eve-eval serve fetches nothing'
        : 'image_url is not a base64 data URL (data:image/...;base64,...)',
    );
  }
  const payload = url.slice(head[0].length).replace(/\s+/g, '');
  // Buffer.from('...', 'base64') skips junk silently; a corrupted upload must be a 400, not a garbled image.
  if (payload.length === 0 || payload.length % 4 !== 0 || !BASE64.test(payload)) throw new BadRequest('image_url data is not valid base64');
  return Buffer.from(payload, 'base64');
}

/** Parse and check one request body (already JSON-parsed). */
export function parseChatRequest(body: unknown, defaultMaxTokens: number): ChatInput {
  const parsed = chatRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequest(`${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`);
  }
  const r = parsed.data;
  if (r.stream) throw new BadRequest('stream: streaming is not supported yet');
  if ((r.n ?? 1) !== 1) throw new BadRequest('n: only one choice per request');
  if ((r.temperature ?? 0) !== 0) throw new BadRequest('temperature: only greedy decoding (temperature 0) is served, as the published numbers were made');
  if (r.messages.length !== 1 || r.messages[0].role !== 'user') {
    throw new BadRequest('messages: exactly one user message (system prompts and multi-turn are not supported yet: the model family fixes its template)');
  }
  const content = r.messages[0].content;
  const parts = typeof content === 'string' ? [{ type: 'text' as const, text: content }] : content;
  const texts: string[] = [];
  let image: Buffer | null = null;
  for (const [i, p] of parts.entries()) {
    if (p.type === 'text') {
      texts.push(p.text);
      continue;
    }
    if (image) throw new BadRequest('messages.0.content: at most one image per request');
    const url = typeof p.image_url === 'string' ? p.image_url : p.image_url?.url;
    if (!url) throw new BadRequest(`messages.0.content.${i}.image_url: no image (the url is missing or empty)`);
    image = decodeDataUrl(url);
  }
  const prompt = texts.join('\n');
  if (!image && prompt.trim() === '') throw new BadRequest('messages.0.content: no image and no text');
  return { model: r.model, prompt, image, maxNewTokens: r.max_completion_tokens ?? r.max_tokens ?? defaultMaxTokens };
}
