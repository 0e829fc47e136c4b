// SentencePiece `tokenizer.model` → Hugging Face `tokenizer.json`, as transformers' LlamaConverter
// (convert_slow_tokenizer.py) plus LlamaTokenizerFast's post-processor write it (docs/export.md §3).
// Checkpoints such as EVE-7B and LLaVA-1.5 ship only the SentencePiece file, and the harness loads
// tokenizer.json, so a bundle built from them needs this conversion, with no Python in the loop.
import { readFileSync } from 'node:fs';
import { InputError, NotSupportedError } from '../../core/errors.ts';
import { WIRE_FIXED32, WIRE_LEN, WIRE_VARINT, WireError, WireReader } from './protobuf.ts';

/** SentencePiece.Type (sentencepiece_model.proto). */
export const PieceType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;
/** TrainerSpec.ModelType. */
export const ModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;
const MODEL_TYPE_NAMES: Record<number, string> = { 1: 'Unigram', 2: 'BPE', 3: 'Word', 4: 'Char' };

export interface SentencePiece {
  piece: string;
  score: number;
  /** One of PieceType. */
  type: number;
}

export interface TrainerSpec {
  /** One of ModelType; the proto default is UNIGRAM. */
  modelType: number;
  vocabSize: number;
  byteFallback: boolean;
  splitDigits: boolean;
  allowWhitespaceOnlyPieces: boolean;
  controlSymbols: string[];
  userDefinedSymbols: string[];
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  unkPiece: string;
  bosPiece: string;
  eosPiece: string;
  padPiece: string;
}

export interface NormalizerSpec {
  name: string;
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

export interface SentencePieceModel {
  /** Where the bytes came from, for error messages. */
  source: string;
  pieces: SentencePiece[];
  trainerSpec: TrainerSpec;
  normalizerSpec: NormalizerSpec;
  denormalizerSpec?: NormalizerSpec;
}

// ---------------------------------------------------------------- parsing

function parsePiece(r: WireReader): SentencePiece {
  const p: SentencePiece = { piece: '', score: 0, type: PieceType.NORMAL };
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1) {
      r.expect(f, w, WIRE_LEN);
      p.piece = r.string();
    } else if (f === 2) {
      r.expect(f, w, WIRE_FIXED32);
      p.score = r.float();
    } else if (f === 3) {
      r.expect(f, w, WIRE_VARINT);
      p.type = r.varint32();
    } else r.skip(w);
  }
  return p;
}

function parseTrainerSpec(r: WireReader): TrainerSpec {
  // Defaults are the proto2 defaults of sentencepiece_model.proto, which apply when a field is absent.
  const t: TrainerSpec = {
    modelType: ModelType.UNIGRAM,
    vocabSize: 8000,
    byteFallback: false,
    splitDigits: false,
    allowWhitespaceOnlyPieces: false,
    controlSymbols: [],
    userDefinedSymbols: [],
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    unkPiece: '<unk>',
    bosPiece: '<s>',
    eosPiece: '</s>',
    padPiece: '<pad>',
  };
  const ints: Record<number, 'modelType' | 'vocabSize' | 'unkId' | 'bosId' | 'eosId' | 'padId'> = {
    3: 'modelType',
    4: 'vocabSize',
    40: 'unkId',
    41: 'bosId',
    42: 'eosId',
    43: 'padId',
  };
  const bools: Record<number, 'byteFallback' | 'splitDigits' | 'allowWhitespaceOnlyPieces'> = {
    35: 'byteFallback',
    25: 'splitDigits',
    26: 'allowWhitespaceOnlyPieces',
  };
  const strings: Record<number, 'unkPiece' | 'bosPiece' | 'eosPiece' | 'padPiece'> = {
    45: 'unkPiece',
    46: 'bosPiece',
    47: 'eosPiece',
    48: 'padPiece',
  };
  while (!r.done) {
    const [f, w] = r.tag();
    if (f in ints) {
      r.expect(f, w, WIRE_VARINT);
      t[ints[f]] = r.varint32();
    } else if (f in bools) {
      r.expect(f, w, WIRE_VARINT);
      t[bools[f]] = r.bool();
    } else if (f in strings) {
      r.expect(f, w, WIRE_LEN);
      t[strings[f]] = r.string();
    } else if (f === 30 || f === 31) {
      r.expect(f, w, WIRE_LEN);
      (f === 30 ? t.controlSymbols : t.userDefinedSymbols).push(r.string());
    } else r.skip(w);
  }
  return t;
}

function parseNormalizerSpec(r: WireReader): NormalizerSpec {
  const n: NormalizerSpec = {
    name: '',
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  };
  while (!r.done) {
    const [f, w] = r.tag();
    if (f === 1) {
      r.expect(f, w, WIRE_LEN);
      n.name = r.string();
    } else if (f === 2) {
      r.expect(f, w, WIRE_LEN);
      n.precompiledCharsmap = r.bytes();
    } else if (f >= 3 && f <= 5) {
      r.expect(f, w, WIRE_VARINT);
      const v = r.bool();
      if (f === 3) n.addDummyPrefix = v;
      else if (f === 4) n.removeExtraWhitespaces = v;
      else n.escapeWhitespaces = v;
    } else r.skip(w);
  }
  return n;
}

/**
 * Parse a SentencePiece ModelProto. Throws InputError naming `source` when the bytes are not one
 * (bad wire data, truncation, no pieces, no trainer or normalizer spec).
 */
export function parseSentencePiece(bytes: Uint8Array, source = 'tokenizer.model'): SentencePieceModel {
  const fail = (detail: string): never => {
    throw new InputError(source, undefined, `not a SentencePiece model: ${detail}`);
  };
  const pieces: SentencePiece[] = [];
  let trainerSpec: TrainerSpec | undefined;
  let normalizerSpec: NormalizerSpec | undefined;
  let denormalizerSpec: NormalizerSpec | undefined;
  try {
    const r = new WireReader(bytes);
    while (!r.done) {
      const [f, w] = r.tag();
      if (f === 1 || f === 2 || f === 3 || f === 5) {
        r.expect(f, w, WIRE_LEN);
        const sub = r.sub();
        if (f === 1) pieces.push(parsePiece(sub));
        else if (f === 2) trainerSpec = parseTrainerSpec(sub);
        else if (f === 3) normalizerSpec = parseNormalizerSpec(sub);
        else denormalizerSpec = parseNormalizerSpec(sub);
      } else r.skip(w);
    }
  } catch (err) {
    if (err instanceof WireError) fail(err.message);
    throw err;
  }
  if (pieces.length === 0) fail('no pieces');
  // The trainer writes both specs after the pieces, so a file cut off at a field boundary lacks them:
  // without this check it would parse, and the absent model_type would read as the Unigram default.
  if (!trainerSpec) fail(`no trainer_spec after ${pieces.length} pieces (truncated?)`);
  if (!normalizerSpec) fail(`no normalizer_spec after ${pieces.length} pieces (truncated?)`);
  const seen = new Map<string, number>();
  pieces.forEach((p, id) => {
    const prev = seen.get(p.piece);
    if (prev !== undefined) fail(`piece ${JSON.stringify(p.piece)} appears twice (ids ${prev} and ${id})`);
    seen.set(p.piece, id);
    if (!(p.type >= PieceType.NORMAL && p.type <= PieceType.BYTE)) fail(`piece ${id} has unknown type ${p.type}`);
  });
  return { source, pieces, trainerSpec: trainerSpec!, normalizerSpec: normalizerSpec!, denormalizerSpec };
}

// ---------------------------------------------------------------- conversion

export interface ConvertOptions {
  /** LlamaTokenizer's `legacy` (default true, also when the config has null). */
  legacy?: boolean;
  /** LlamaTokenizer's `add_prefix_space` (default true). */
  addPrefixSpace?: boolean;
  addBosToken?: boolean;
  addEosToken?: boolean;
  /** Parsed tokenizer_config.json; explicit options above win over its values. */
  tokenizerConfig?: Record<string, unknown>;
  /** Names the config in error messages. */
  configSource?: string;
}

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

type Piece = { SpecialToken: { id: string; type_id: number } } | { Sequence: { id: 'A' | 'B'; type_id: number } };

/** The tokenizer.json object, its keys in the order tokenizers (Rust) writes them. */
export interface TokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: AddedTokenJson[];
  normalizer: object | null;
  pre_tokenizer: object | null;
  post_processor: {
    type: 'TemplateProcessing';
    single: Piece[];
    pair: Piece[];
    special_tokens: Record<string, { id: string; ids: number[]; tokens: string[] }>;
  };
  decoder: object;
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: string;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: true;
    byte_fallback: true;
    vocab: Record<string, number>;
    merges: string[] | [string, string][];
  };
}

const SPACE = '▁';

/**
 * Merges as SentencePieceExtractor derives them: every split of every piece into two vocabulary
 * pieces, a piece's splits ordered by (id(left), id(right)), then all stably sorted by the piece's
 * score, highest first. No further tie-break: newer transformers' (len left, len right) one departs
 * from the official Llama-2 merges at merge 18 (docs/export.md §3.2).
 */
export function bpeMerges(names: readonly string[], pieces: readonly SentencePiece[]): [string, string][] {
  // Membership and ids use the model's own pieces (the slow tokenizer's sp vocabulary); `names` may
  // rename ids 0–2. A later duplicate would win, as in a Python dict, but parsing rejects duplicates.
  const idOf = new Map<string, number>();
  pieces.forEach((p, i) => idOf.set(p.piece, i));
  const all: { l: string; r: string; il: number; ir: number; score: number }[] = [];
  const local: typeof all = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const score = pieces[i].score;
    local.length = 0;
    // Split between code points, as Python's str indexing does; half a surrogate pair is never a
    // piece (pieces come from UTF-8), so skipping those splits only saves lookups.
    for (let k = 1; k < name.length; k++) {
      const c = name.charCodeAt(k);
      if (c >= 0xdc00 && c <= 0xdfff && (name.charCodeAt(k - 1) & 0xfc00) === 0xd800) continue;
      const l = name.slice(0, k);
      const il = idOf.get(l);
      if (il === undefined) continue;
      const r = name.slice(k);
      const ir = idOf.get(r);
      if (ir !== undefined) local.push({ l, r, il, ir, score });
    }
    if (local.length > 1) local.sort((a, b) => a.il - b.il || a.ir - b.ir);
    for (const m of local) all.push(m);
  }
  all.sort((a, b) => b.score - a.score); // Array.prototype.sort is stable, as Python's sorted is
  return all.map((m) => [m.l, m.r]);
}

/** A special-token setting of tokenizer_config.json: a string, an AddedToken object, or null. */
function tokenSetting(cfg: Record<string, unknown>, key: string, fallback: string, source: string): string | null {
  const v = cfg[key];
  if (v === undefined) return fallback;
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  throw new InputError(source, key, `expected a string or an object with "content", got ${JSON.stringify(v)}`);
}

function boolSetting(cfg: Record<string, unknown>, key: string, explicit: boolean | undefined, fallback: boolean, source: string): boolean {
  if (explicit !== undefined) return explicit;
  const v = cfg[key];
  // null is how transformers writes "unset" (legacy: null means the legacy behaviour).
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new InputError(source, key, `expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * HF's Llama conversion ignores the SentencePiece normalizer, so for models whose normalizer does
 * anything it writes a tokenizer.json that tokenizes differently from the slow LlamaTokenizer (which
 * runs SentencePiece itself). Refuse those rather than export a silently different tokenizer.
 */
function checkConvertible(model: SentencePieceModel, legacy: boolean, addPrefixSpace: boolean): void {
  const t = model.trainerSpec;
  if (t.modelType !== ModelType.BPE) {
    const kind = MODEL_TYPE_NAMES[t.modelType] ?? `model_type ${t.modelType}`;
    throw new NotSupportedError(`${model.source}: a SentencePiece ${kind} model (only BPE ones convert); converting it to tokenizer.json`);
  }
  const n = model.normalizerSpec;
  const differs: string[] = [];
  if (n.precompiledCharsmap.length > 0 || (n.name !== '' && n.name !== 'identity')) differs.push(`normalizer "${n.name}"`);
  if (n.removeExtraWhitespaces) differs.push('remove_extra_whitespaces');
  if (!n.escapeWhitespaces) differs.push('escape_whitespaces false');
  // A legacy slow tokenizer leaves the "▁" prefix to SentencePiece's add_dummy_prefix; a non-legacy
  // one turns that off and prepends by add_prefix_space, as the converted tokenizer does.
  if (legacy && n.addDummyPrefix !== addPrefixSpace) differs.push(`add_dummy_prefix ${n.addDummyPrefix} with add_prefix_space ${addPrefixSpace}`);
  if (differs.length > 0) {
    throw new NotSupportedError(
      `${model.source}: converting a SentencePiece model with ${differs.join(', ')} (the Llama conversion would tokenize differently)`,
    );
  }
}

/** The tokenizer.json LlamaTokenizerFast(from_slow=True) builds from this model. */
export function sentencePieceToTokenizerJson(model: SentencePieceModel, opts: ConvertOptions = {}): TokenizerJson {
  const cfg = opts.tokenizerConfig ?? {};
  const cfgSource = opts.configSource ?? 'tokenizer_config.json';
  const legacy = boolSetting(cfg, 'legacy', opts.legacy, true, cfgSource);
  const addPrefixSpace = boolSetting(cfg, 'add_prefix_space', opts.addPrefixSpace, true, cfgSource);
  const addBos = boolSetting(cfg, 'add_bos_token', opts.addBosToken, true, cfgSource);
  const addEos = boolSetting(cfg, 'add_eos_token', opts.addEosToken, false, cfgSource);
  // LlamaTokenizer's own defaults, not the trainer_spec's pieces: that is what HF falls back to.
  const bos = tokenSetting(cfg, 'bos_token', '<s>', cfgSource);
  const eos = tokenSetting(cfg, 'eos_token', '</s>', cfgSource);
  const unk = tokenSetting(cfg, 'unk_token', '<unk>', cfgSource);
  checkConvertible(model, legacy, addPrefixSpace);

  const { pieces } = model;
  const decoderCfg = cfg.added_tokens_decoder;
  const declared = new Map<number, Record<string, unknown>>();
  if (decoderCfg !== undefined && decoderCfg !== null) {
    if (typeof decoderCfg !== 'object') throw new InputError(cfgSource, 'added_tokens_decoder', 'expected an object');
    for (const [k, v] of Object.entries(decoderCfg as Record<string, unknown>)) {
      const id = Number(k);
      if (!Number.isInteger(id) || id < 0 || typeof v !== 'object' || v === null || typeof (v as { content?: unknown }).content !== 'string') {
        throw new InputError(cfgSource, `added_tokens_decoder.${k}`, 'expected an id mapped to an object with "content"');
      }
      declared.set(id, v as Record<string, unknown>);
    }
  }

  // LlamaConverter.vocab names ids 0–2 with the slow tokenizer's convert_ids_to_tokens, which reads
  // the config's added_tokens_decoder before the SentencePiece pieces.
  const names = pieces.map((p, i) => (i < 3 && declared.has(i) ? (declared.get(i)!.content as string) : p.piece));
  const idOf = new Map<string, number>();
  names.forEach((name, id) => {
    const prev = idOf.get(name);
    if (prev !== undefined)
      throw new InputError(
        cfgSource,
        `added_tokens_decoder.${id < 3 ? id : prev}`,
        `renames a token to ${JSON.stringify(name)}, which piece ${id < 3 ? prev : id} already is`,
      );
    idOf.set(name, id);
  });

  const added = new Map<number, AddedTokenJson>();
  const addToken = (id: number, special: boolean, extra: Partial<AddedTokenJson> = {}) =>
    added.set(id, { id, content: names[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special, ...extra });
  // Control and unknown pieces are special; user-defined ones are matched in text but not special.
  pieces.forEach((p, id) => {
    if (p.type === PieceType.CONTROL || p.type === PieceType.UNKNOWN) addToken(id, true);
    else if (p.type === PieceType.USER_DEFINED) addToken(id, false);
  });
  for (const [id, entry] of declared) {
    if (added.has(id) && added.get(id)!.content === entry.content) continue; // the converter's flags stand
    if (id < names.length && names[id] === entry.content) {
      // [not verified against HF] a declared token that is an ordinary piece: keep the config's flags.
      const flag = (key: string, dflt: boolean) => (typeof entry[key] === 'boolean' ? (entry[key] as boolean) : dflt);
      const special = flag('special', true);
      addToken(id, special, {
        single_word: flag('single_word', false),
        lstrip: flag('lstrip', false),
        rstrip: flag('rstrip', false),
        normalized: flag('normalized', !special),
      });
      continue;
    }
    throw new NotSupportedError(`${cfgSource}: added token ${JSON.stringify(entry.content)} (id ${id}) that is not piece ${id} of ${model.source}`);
  }
  // The fast tokenizer registers its special tokens as added tokens; one outside the vocabulary would
  // get a new id, which the post-processor's ids and the exported model's embedding do not cover.
  for (const [key, tok] of [
    ['bos_token', bos],
    ['eos_token', eos],
    ['unk_token', unk],
  ] as const) {
    if (tok === null) continue;
    const id = idOf.get(tok);
    if (id === undefined) throw new InputError(cfgSource, key, `${JSON.stringify(tok)} is not a piece of ${model.source}`);
    if (!added.has(id)) addToken(id, true);
  }

  // LlamaTokenizerFast.update_post_processor.
  const seq = (id: 'A' | 'B', typeId: number): Piece => ({ Sequence: { id, type_id: typeId } });
  const spec = (tok: string | null, typeId: number, key: string): Piece => {
    if (tok === null) throw new InputError(cfgSource, key, `is null but add_${key} is true`);
    return { SpecialToken: { id: tok, type_id: typeId } };
  };
  const single: Piece[] = [];
  const pair: Piece[] = [];
  if (addBos) single.push(spec(bos, 0, 'bos_token'));
  single.push(seq('A', 0));
  if (addEos) single.push(spec(eos, 0, 'eos_token'));
  pair.push(...single);
  if (addBos) pair.push(spec(bos, 1, 'bos_token'));
  pair.push(seq('B', 1));
  if (addEos) pair.push(spec(eos, 1, 'eos_token'));
  const used: string[] = [];
  if (addBos) used.push(bos!);
  if (addEos) used.push(eos!);
  const specialTokens: TokenizerJson['post_processor']['special_tokens'] = Object.create(null);
  // tokenizers writes this map with its keys sorted (Rust string order = code point order).
  for (const tok of [...new Set(used)].sort(compareCodePoints)) specialTokens[tok] = { id: tok, ids: [idOf.get(tok)!], tokens: [tok] };

  // No prototype, so that a piece named "__proto__" is a key like any other.
  const vocab: Record<string, number> = Object.create(null);
  names.forEach((name, id) => (vocab[name] = id));
  const pairs = bpeMerges(names, pieces);
  // tokenizers ≤0.19 (which wrote the official Llama-2 file) joins a merge with a space; a piece
  // holding a space would make that ambiguous, so then write pairs, as newer tokenizers always do.
  const merges = pairs.some(([l, r]) => l.includes(' ') || r.includes(' ')) ? pairs : pairs.map(([l, r]) => `${l} ${r}`);

  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...added.values()].sort((a, b) => a.id - b.id),
    normalizer: legacy
      ? {
          type: 'Sequence',
          normalizers: [...(addPrefixSpace ? [{ type: 'Prepend', prepend: SPACE }] : []), { type: 'Replace', pattern: { String: ' ' }, content: SPACE }],
        }
      : null,
    pre_tokenizer: legacy ? null : { type: 'Metaspace', replacement: SPACE, prepend_scheme: addPrefixSpace ? 'first' : 'never', split: false },
    post_processor: { type: 'TemplateProcessing', single, pair, special_tokens: specialTokens },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPACE }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        ...(addPrefixSpace ? [{ type: 'Strip', content: ' ', start: 1, stop: 0 }] : []),
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: model.trainerSpec.unkPiece,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      // LlamaConverter sets handle_byte_fallback whatever the trainer_spec says.
      byte_fallback: true,
      vocab,
      merges,
    },
  };
}

function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * tokenizer.json text as tokenizers writes it (two-space pretty print, no final newline), with the
 * vocabulary in id order: a JS object puts integer-like keys ("0".."9") first, so plain
 * JSON.stringify would reorder the vocabulary.
 */
export function stringifyTokenizerJson(json: TokenizerJson): string {
  const mark = '\u0000vocab\u0000';
  const text = JSON.stringify({ ...json, model: { ...json.model, vocab: mark } }, null, 2);
  const quoted = JSON.stringify(mark);
  const at = text.indexOf(quoted);
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const indent = text.slice(lineStart, text.indexOf('"', lineStart));
  const entries = Object.entries(json.model.vocab).sort((a, b) => a[1] - b[1]);
  const body = entries.length === 0 ? '{}' : `{\n${entries.map(([k, v]) => `${indent}  ${JSON.stringify(k)}: ${v}`).join(',\n')}\n${indent}}`;
  return text.slice(0, at) + body + text.slice(at + quoted.length);
}

function readOrFail(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new InputError(file, undefined, `cannot read: ${(err as Error).message}`);
  }
}

/** Read `tokenizer.model` (and `tokenizer_config.json` when given) and convert; errors name the file. */
export function convertSentencePieceFile(modelPath: string, tokenizerConfigPath?: string): TokenizerJson {
  let tokenizerConfig: Record<string, unknown> | undefined;
  if (tokenizerConfigPath !== undefined) {
    const text = Buffer.from(readOrFail(tokenizerConfigPath)).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new InputError(tokenizerConfigPath, undefined, `not valid JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new InputError(tokenizerConfigPath, undefined, 'expected a JSON object');
    }
    tokenizerConfig = parsed as Record<string, unknown>;
  }
  const model = parseSentencePiece(readOrFail(modelPath), modelPath);
  return sentencePieceToTokenizerJson(model, { tokenizerConfig, configSource: tokenizerConfigPath });
}
