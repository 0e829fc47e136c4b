// A bundle's tokenizer.json loaded with @huggingface/tokenizers (pure JS, no download).
// The families decide where BOS goes (LLaVA's tokenizer_image_token keeps it once, Fuyu puts it
// after the image), so encode() never adds special tokens itself.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { InputError } from '../core/errors.ts';

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
export function tokenizerFromJson(
  json: Record<string, unknown>,
  config: Record<string, unknown>,
  source: string,
): TextTokenizer {
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (err) {
    throw new InputError(source, undefined, `not a usable tokenizer.json: ${(err as Error).message}`);
  }
  const vocab = tok.get_vocab(true);
  let maxId = -1;
  for (const id of vocab.values()) if (id > maxId) maxId = id;
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (ids, skipSpecial = true) =>
      // clean_up_tokenization_spaces false: LlamaTokenizer (EVE, LLaVA, Fuyu) is configured so.
      tok.decode(ids, { skip_special_tokens: skipSpecial, clean_up_tokenization_spaces: false }),
    tokenToId: (token) => tok.token_to_id(token),
    vocabSize: maxId + 1,
  };
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
