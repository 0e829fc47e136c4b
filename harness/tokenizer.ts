// A bundle's tokenizer.json loaded with @huggingface/tokenizers (pure JS, no download).
// The families decide where BOS goes (LLaVA's tokenizer_image_token keeps it once, Fuyu puts it
// after the image), so encode() never adds special tokens itself.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { InputError } from '../core/errors.ts';

/** How ids become answer text; part of every local model's fingerprint, so a change here reruns stored answers. */
export const TEXT_DECODING = 'hf-decode-skip-special@2';

export interface TextTokenizer {
  /** Token ids of `text`, without BOS/EOS (the tokenizer.json's post-processor is not applied). */
  encode(text: string): number[];
  /** Text of `ids`; special tokens (BOS, EOS, UNK, ...) dropped unless skipSpecial is false. */
  decode(ids: number[], skipSpecial?: boolean): string;
  /** Id of an exact vocabulary or added token, e.g. "|NEWLINE|" or "<0x04>"; undefined when absent. */
  tokenToId(token: string): number | undefined;
  /** Number of ids (vocabulary plus added tokens). */
  vocabSize: number;
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, undefined, `cannot read: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new InputError(file, undefined, `not valid JSON: ${(err as Error).message}`);
  }
}

/** Wrap an already-parsed tokenizer.json (+ tokenizer_config.json); `source` names it in errors. */
export function tokenizerFromJson(json: Record<string, unknown>, config: Record<string, unknown>, source: string): TextTokenizer {
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (err) {
    throw new InputError(source, undefined, `not a usable tokenizer.json: ${(err as Error).message}`);
  }
  const vocab = tok.get_vocab(true);
  let maxId = -1;
  for (const id of vocab.values()) if (id > maxId) maxId = id;
  const specialIds = new Set(
    addedTokens(json)
      .filter((t) => t.special)
      .map((t) => t.id),
  );
  const bytes = usesByteFallback(json) ? byteTokens(vocab) : undefined;
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (ids, skipSpecial = true) => {
      const kept = skipSpecial ? ids.filter((id) => !specialIds.has(id)) : ids;
      if (kept.length === 0) return '';
      // clean_up_tokenization_spaces false: LlamaTokenizer (EVE, LLaVA, Fuyu) is configured so.
      return tok.decode(bytes ? asHfByteRuns(kept, bytes) : kept, { skip_special_tokens: skipSpecial, clean_up_tokenization_spaces: false });
    },
    tokenToId: (token) => tok.token_to_id(token),
    vocabSize: maxId + 1,
  };
}

function addedTokens(json: Record<string, unknown>): Array<{ id: number; special: boolean }> {
  const list = Array.isArray(json.added_tokens) ? (json.added_tokens as Array<Record<string, unknown>>) : [];
  return list.filter((t) => typeof t.id === 'number').map((t) => ({ id: t.id as number, special: t.special === true }));
}

function usesByteFallback(json: Record<string, unknown>): boolean {
  const walk = (d: unknown): boolean => {
    const o = d as { type?: unknown; decoders?: unknown[] } | null;
    return !!o && (o.type === 'ByteFallback' || (Array.isArray(o.decoders) && o.decoders.some(walk)));
  };
  return walk(json.decoder);
}

/** id → byte value of the `<0xNN>` byte-fallback pieces, and byte value → id. */
function byteTokens(vocab: Map<string, number>): { byteOf: Map<number, number>; idOf: number[] } {
  const byteOf = new Map<number, number>();
  const idOf: number[] = [];
  for (const [token, id] of vocab) {
    const m = /^<0x([0-9A-F]{2})>$/.exec(token);
    if (m) {
      byteOf.set(id, parseInt(m[1]!, 16));
      idOf[parseInt(m[1]!, 16)] = id;
    }
  }
  return { byteOf, idOf };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const REPLACEMENT = [0xef, 0xbf, 0xbd]; // U+FFFD in UTF-8

/**
 * HF tokenizers' ByteFallback decoder turns a run of byte pieces that is not valid UTF-8 into one U+FFFD per
 * byte (a character cut by the token budget, say); the JS port replaces per invalid sequence instead. Giving
 * it each such run as that many encoded U+FFFD (a valid run) makes the two agree exactly.
 */
function asHfByteRuns(ids: number[], bytes: { byteOf: Map<number, number>; idOf: number[] }): number[] {
  if (!REPLACEMENT.every((b) => bytes.idOf[b] !== undefined)) return ids;
  const out: number[] = [];
  for (let i = 0; i < ids.length; ) {
    if (!bytes.byteOf.has(ids[i]!)) {
      out.push(ids[i++]!);
      continue;
    }
    let j = i;
    while (j < ids.length && bytes.byteOf.has(ids[j]!)) j++;
    const run = ids.slice(i, j);
    try {
      strictUtf8.decode(Uint8Array.from(run, (id) => bytes.byteOf.get(id)!));
      out.push(...run);
    } catch {
      for (let k = i; k < j; k++) out.push(...REPLACEMENT.map((b) => bytes.idOf[b]!));
    }
    i = j;
  }
  return out;
}

/** Load `<bundleDir>/tokenizer.json` (and tokenizer_config.json when present). */
export async function loadTokenizer(bundleDir: string): Promise<TextTokenizer> {
  const file = join(bundleDir, 'tokenizer.json');
  if (!existsSync(file)) throw new InputError(file, undefined, 'missing (every model bundle needs its tokenizer.json)');
  const json = await readJson(file);
  const cfgFile = join(bundleDir, 'tokenizer_config.json');
  const config = existsSync(cfgFile) ? await readJson(cfgFile) : {};
  return tokenizerFromJson(json, config, file);
}
