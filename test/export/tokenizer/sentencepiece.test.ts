import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Tokenizer } from '@huggingface/tokenizers';
import {
  bpeMerges,
  convertSentencePieceFile,
  parseSentencePiece,
  PieceType,
  sentencePieceToTokenizerJson,
  stringifyTokenizerJson,
  type TokenizerJson,
} from '../../../export/tokenizer/sentencepiece.ts';
import { InputError, NotSupportedError, UserError } from '../../../core/errors.ts';
import { seededRandom } from '../../../core/prng.ts';
import { buildCorpus, VICUNA_PROMPT } from './corpus.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
// Meta's official Llama-2 files: ../shared's copy where there is one, else the byte-identical copies the
// repository carries (fixtures/tokenizers/llama2/tokenizer.model, and tiny-eve's tokenizer.json, whose sha256
// LICENSE-LLAMA2.txt gives).
const SHARED = join(REPO, '..', 'shared', 'tokenizers', 'llama2');
const LLAMA2 = existsSync(join(SHARED, 'tokenizer.model'))
  ? { model: join(SHARED, 'tokenizer.model'), json: join(SHARED, 'tokenizer.json'), config: join(SHARED, 'tokenizer_config.json') }
  : {
      model: join(REPO, 'fixtures', 'tokenizers', 'llama2', 'tokenizer.model'),
      json: join(REPO, 'fixtures', 'models', 'tiny-eve', 'tokenizer.json'),
      config: join(REPO, 'fixtures', 'tokenizers', 'llama2', 'tokenizer_config.json'),
    };
const HAVE_LLAMA2 = existsSync(LLAMA2.model) && existsSync(LLAMA2.json);
if (!HAVE_LLAMA2) console.log(`skipped: ${LLAMA2.model} or ${LLAMA2.json} absent; the Llama-2 conversion checks need them`);

// ---------------------------------------------------------------- a tiny protobuf writer for fixtures

function varint(n: number | bigint): number[] {
  // Negative int32s go out as their 64-bit two's complement: 10 bytes, as protobuf writes them.
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
}
const tag = (field: number, wire: number) => varint((field << 3) | wire);
const vField = (field: number, n: number | bigint | boolean) => [...tag(field, 0), ...varint(typeof n === 'boolean' ? Number(n) : n)];
const lField = (field: number, body: number[] | string) => {
  const bytes = typeof body === 'string' ? [...new TextEncoder().encode(body)] : body;
  return [...tag(field, 2), ...varint(bytes.length), ...bytes];
};
const fField = (field: number, x: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x, true);
  return [...tag(field, 5), ...b];
};

interface FixturePiece {
  piece: string;
  score?: number;
  type?: number;
}

function modelProto(pieces: FixturePiece[], opts: { modelType?: number; trainer?: number[]; normalizer?: number[]; extra?: number[] } = {}): Uint8Array {
  const out: number[] = [];
  for (const p of pieces) {
    const body = [...lField(1, p.piece), ...fField(2, p.score ?? 0), ...(p.type === undefined ? [] : vField(3, p.type))];
    out.push(...lField(1, body));
  }
  out.push(...lField(2, [...vField(3, opts.modelType ?? 2), ...vField(4, pieces.length), ...vField(43, -1), ...(opts.trainer ?? [])]));
  out.push(...lField(3, opts.normalizer ?? [...lField(1, 'identity'), ...vField(4, false)]));
  out.push(...(opts.extra ?? []));
  return Uint8Array.from(out);
}

const SPECIALS: FixturePiece[] = [
  { piece: '<unk>', type: PieceType.UNKNOWN },
  { piece: '<s>', type: PieceType.CONTROL },
  { piece: '</s>', type: PieceType.CONTROL },
];

/** A miniature of Llama-2's layout: "▁" has a higher id than the pieces that start with it. */
const TINY: FixturePiece[] = [
  ...SPECIALS,
  { piece: '▁t', score: -1 },
  { piece: 'he', score: -1 }, // ties "▁t": the merges keep id order
  { piece: '▁th', score: -3 },
  { piece: '▁the', score: -4 },
  { piece: '<img>', type: PieceType.USER_DEFINED },
  { piece: '▁', score: -5 },
  { piece: 't', score: -6 },
  { piece: 'h', score: -7 },
  { piece: 'e', score: -8 },
];

function tokenizer(json: TokenizerJson | object, config: object = {}): Tokenizer {
  // Through a JSON round trip, as a file written to disk and loaded again would be.
  return new Tokenizer(JSON.parse(JSON.stringify(json)), config);
}

function tmpFile(name: string, bytes: Uint8Array | string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'eve-eval-spm-')), name);
  writeFileSync(file, bytes);
  return file;
}

function randomBytes(n: number, seed: number): Uint8Array {
  const r = seededRandom(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

/** Run `f`, expecting a UserError; returns it. */
function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error('expected a UserError, got none');
}

// ---------------------------------------------------------------- parsing

describe('parseSentencePiece', () => {
  it('reads pieces, scores, types and both specs, with proto defaults for absent fields', () => {
    const bytes = modelProto(TINY, {
      trainer: [...vField(35, true), ...vField(25, true), ...lField(31, '<img>'), ...lField(30, '<ctl>'), ...lField(45, '<UNK>'), ...vField(41, -1)],
      normalizer: [...lField(1, 'identity'), ...vField(3, false), ...lField(2, [1, 2, 3])],
      // Unknown top-level fields of every wire type (varint, fixed64, fixed32, bytes) are skipped.
      extra: [...vField(99, 7), ...tag(98, 1), 1, 2, 3, 4, 5, 6, 7, 8, ...fField(97, 1.5), ...lField(96, 'x'), ...lField(5, lField(1, 'identity'))],
    });
    const m = parseSentencePiece(bytes, 'tiny.model');
    expect(m.source).toBe('tiny.model');
    expect(m.pieces.map((p) => p.piece)).toEqual(TINY.map((p) => p.piece));
    expect(m.pieces[3]).toEqual({ piece: '▁t', score: -1, type: PieceType.NORMAL });
    expect(m.pieces[0].type).toBe(PieceType.UNKNOWN);
    expect(m.pieces[7].type).toBe(PieceType.USER_DEFINED);
    expect(m.trainerSpec).toMatchObject({
      modelType: 2,
      vocabSize: TINY.length,
      byteFallback: true,
      splitDigits: true,
      allowWhitespaceOnlyPieces: false,
      userDefinedSymbols: ['<img>'],
      controlSymbols: ['<ctl>'],
      unkPiece: '<UNK>',
      bosPiece: '<s>',
      unkId: 0,
      bosId: -1,
      eosId: 2,
      padId: -1, // bos and pad were written as 10-byte varints
    });
    expect(m.normalizerSpec).toEqual({
      name: 'identity',
      precompiledCharsmap: Uint8Array.from([1, 2, 3]),
      addDummyPrefix: false,
      removeExtraWhitespaces: true,
      escapeWhitespaces: true,
    });
    expect(m.denormalizerSpec?.name).toBe('identity');
  });

  it('reads scores as float32, exactly', () => {
    const m = parseSentencePiece(modelProto([...SPECIALS, { piece: 'a', score: -1e9 }, { piece: 'b', score: -0.1 }]));
    expect(m.pieces[3].score).toBe(-1e9);
    expect(m.pieces[4].score).toBe(Math.fround(-0.1));
  });

  it('keeps a piece that is a byte-order mark (TextDecoder would strip it)', () => {
    const m = parseSentencePiece(modelProto([...SPECIALS, { piece: '\ufeff', score: -1 }]));
    expect(m.pieces[3].piece).toBe('\ufeff');
  });

  it.skipIf(!HAVE_LLAMA2)('reads the Llama-2 model as docs/export.md §3.1 describes it', () => {
    const m = parseSentencePiece(readFileSync(LLAMA2.model));
    expect(m.pieces).toHaveLength(32000);
    expect(m.trainerSpec).toMatchObject({
      modelType: 2,
      vocabSize: 32000,
      byteFallback: true,
      splitDigits: true,
      allowWhitespaceOnlyPieces: true,
      padId: -1,
      unkPiece: '<unk>',
    });
    expect(m.normalizerSpec).toMatchObject({ name: 'identity', addDummyPrefix: true, removeExtraWhitespaces: false });
    expect(m.pieces.slice(0, 4).map((p) => [p.piece, p.type])).toEqual([
      ['<unk>', 2],
      ['<s>', 3],
      ['</s>', 3],
      ['<0x00>', 6],
    ]);
    expect(m.pieces[258]).toEqual({ piece: '<0xFF>', score: 0, type: PieceType.BYTE });
    expect(m.pieces[259]).toEqual({ piece: '▁▁', score: -1e9, type: PieceType.NORMAL });
    expect(m.pieces.slice(260, 262)).toEqual([
      { piece: '▁t', score: -1, type: 1 },
      { piece: 'er', score: -2, type: 1 },
    ]);
  });
});

describe('bad input: one-line UserError naming the file', () => {
  const good = modelProto(TINY);

  it.each([
    ['random bytes', () => randomBytes(4096, 1)],
    ['a truncated model (cut inside a piece)', () => good.slice(0, 40)],
    [
      'a truncated model (cut between pieces: no trainer_spec)',
      () => good.slice(0, lField(1, [...lField(1, '<unk>'), ...fField(2, 0), ...vField(3, 2)]).length),
    ],
    ['an empty file', () => new Uint8Array(0)],
    ['a JSON file', () => new TextEncoder().encode('{"model": {"type": "BPE"}}')],
    ['a model with no pieces', () => Uint8Array.from([...lField(2, vField(3, 2)), ...lField(3, lField(1, 'identity'))])],
    ['a varint longer than 10 bytes', () => Uint8Array.from([8, ...Array(10).fill(0xff), 1])],
    ['invalid UTF-8 in a piece', () => Uint8Array.from(lField(1, lField(1, [0xff, 0xfe])))],
    ['a duplicated piece', () => modelProto([...SPECIALS, { piece: 'a' }, { piece: 'a' }])],
  ])('%s', (_what, bytes) => {
    const file = tmpFile('tokenizer.model', bytes());
    const err = userError(() => convertSentencePieceFile(file));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message.startsWith(`${file}: not a SentencePiece model: `)).toBe(true);
    expect(err.message).not.toContain('\n');
  });

  it('random bytes of many lengths and seeds', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const bytes = randomBytes(1 + ((seed * 7919) % 3000), seed);
      expect(() => parseSentencePiece(bytes, `random-${seed}.model`)).toThrow(new RegExp(`^random-${seed}\\.model: not a SentencePiece model`));
    }
  });

  it.skipIf(!HAVE_LLAMA2)('the Llama-2 model cut short anywhere', () => {
    const bytes = readFileSync(LLAMA2.model);
    for (const frac of [0.001, 0.25, 0.5, 0.9, 0.999]) {
      const file = tmpFile('tokenizer.model', bytes.subarray(0, Math.floor(bytes.length * frac)));
      expect(() => convertSentencePieceFile(file)).toThrow(new RegExp(`^${file.replaceAll('.', '\\.')}: not a SentencePiece model: `));
    }
  });

  it('a missing file or a broken tokenizer_config.json', () => {
    const missing = join(tmpdir(), 'eve-eval-no-such-dir', 'tokenizer.model');
    expect(userError(() => convertSentencePieceFile(missing)).message).toMatch(new RegExp(`^${missing}: cannot read`));
    const model = tmpFile('tokenizer.model', good);
    const cfg = tmpFile('tokenizer_config.json', '{"add_bos_token": tru');
    expect(userError(() => convertSentencePieceFile(model, cfg)).message).toMatch(new RegExp(`^${cfg}: not valid JSON`));
    const cfg2 = tmpFile('tokenizer_config.json', '{"add_bos_token": "yes"}');
    expect(userError(() => convertSentencePieceFile(model, cfg2)).message).toBe(`${cfg2} (add_bos_token): expected true or false, got "yes"`);
  });

  it('a Unigram model is not supported yet, and the error names the file', () => {
    const file = tmpFile('tokenizer.model', modelProto(TINY, { modelType: 1 }));
    const err = userError(() => convertSentencePieceFile(file));
    expect(err).toBeInstanceOf(NotSupportedError);
    expect(err.message).toMatch(new RegExp(`^${file}: a SentencePiece Unigram model .*is not supported yet$`));
    // model_type absent means Unigram (the proto default).
    const noType = Uint8Array.from([...lField(1, lField(1, 'a')), ...lField(2, vField(4, 1)), ...lField(3, lField(1, 'identity'))]);
    expect(() => sentencePieceToTokenizerJson(parseSentencePiece(noType, 'x.model'))).toThrow(/^x\.model: a SentencePiece Unigram model/);
  });

  it('a normalizer the Llama conversion would drop is refused, not silently ignored', () => {
    const nfkc = parseSentencePiece(modelProto(TINY, { normalizer: [...lField(1, 'nmt_nfkc'), ...lField(2, [1, 2, 3, 4]), ...vField(4, false)] }), 'n.model');
    expect(() => sentencePieceToTokenizerJson(nfkc)).toThrow(/^n\.model: converting a SentencePiece model with normalizer "nmt_nfkc" .*not supported yet$/);
    const collapse = parseSentencePiece(modelProto(TINY, { normalizer: lField(1, 'identity') }), 'w.model'); // remove_extra_whitespaces defaults to true
    expect(() => sentencePieceToTokenizerJson(collapse)).toThrow(/remove_extra_whitespaces/);
    // A legacy slow tokenizer prepends by SentencePiece's add_dummy_prefix, the converted one by add_prefix_space.
    const tiny = parseSentencePiece(modelProto(TINY), 't.model');
    expect(() => sentencePieceToTokenizerJson(tiny, { addPrefixSpace: false })).toThrow(/add_dummy_prefix true with add_prefix_space false/);
    expect(() => sentencePieceToTokenizerJson(tiny, { addPrefixSpace: false, legacy: false })).not.toThrow();
  });
});

// ---------------------------------------------------------------- conversion of a tiny model

describe('sentencePieceToTokenizerJson on a tiny BPE model', () => {
  const model = parseSentencePiece(modelProto(TINY), 'tiny.model');

  it('orders merges by score, then by (id left, id right), with no length tie-break', () => {
    // "▁the" splits as ▁t|he (ids 3, 4) and ▁th|e (5, 11): id order puts ▁t|he first, where the
    // newer (len left, len right) tie-break would put ▁th|e first. "▁ t" (from "▁t") and "h e" (from
    // "he") tie on score -1 and keep their pieces' id order; "▁ th" and "▁ the" cannot form ("th" and
    // "the" are not pieces).
    expect(
      bpeMerges(
        model.pieces.map((p) => p.piece),
        model.pieces,
      ),
    ).toEqual([
      ['▁', 't'],
      ['h', 'e'],
      ['▁t', 'h'],
      ['▁t', 'he'],
      ['▁th', 'e'],
    ]);
    expect(sentencePieceToTokenizerJson(model).model.merges).toEqual(['▁ t', 'h e', '▁t h', '▁t he', '▁th e']);
  });

  it('merges astral characters (two UTF-16 units each) whole', () => {
    const m = parseSentencePiece(
      modelProto([...SPECIALS, { piece: '😀😀𠀀', score: -1 }, { piece: '😀😀', score: -2 }, { piece: '😀', score: -3 }, { piece: '𠀀', score: -4 }]),
    );
    expect(
      bpeMerges(
        m.pieces.map((p) => p.piece),
        m.pieces,
      ),
    ).toEqual([
      ['😀😀', '𠀀'],
      ['😀', '😀'],
    ]);
  });

  it('writes the LlamaTokenizerFast layout', () => {
    const json = sentencePieceToTokenizerJson(model);
    expect(Object.keys(json)).toEqual([
      'version',
      'truncation',
      'padding',
      'added_tokens',
      'normalizer',
      'pre_tokenizer',
      'post_processor',
      'decoder',
      'model',
    ]);
    expect(Object.keys(json.model)).toEqual([
      'type',
      'dropout',
      'unk_token',
      'continuing_subword_prefix',
      'end_of_word_suffix',
      'fuse_unk',
      'byte_fallback',
      'vocab',
      'merges',
    ]);
    expect({ ...json.model, vocab: undefined, merges: undefined }).toEqual({
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab: undefined,
      merges: undefined,
    });
    expect(json.model.vocab).toEqual(Object.fromEntries(TINY.map((p, i) => [p.piece, i])));
    const added = (id: number, content: string, special: boolean) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special,
    });
    expect(json.added_tokens).toEqual([added(0, '<unk>', true), added(1, '<s>', true), added(2, '</s>', true), added(7, '<img>', false)]);
    // The UNKNOWN piece is special by its type, not only as the config's unk_token.
    expect(sentencePieceToTokenizerJson(model, { tokenizerConfig: { unk_token: null } }).added_tokens).toEqual(json.added_tokens);
    expect(json.normalizer).toEqual({
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    });
    expect(json.pre_tokenizer).toBeNull();
    expect(json.decoder).toEqual({
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    });
    expect(json.post_processor).toEqual({
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    });
  });

  it('tokenizes with @huggingface/tokenizers as the merges say', () => {
    const tok = tokenizer(sentencePieceToTokenizerJson(model));
    expect(tok.encode('the').ids).toEqual([1, 6]);
    expect(tok.encode('the the', { add_special_tokens: false }).ids).toEqual([6, 6]);
    expect(tok.encode('he<img>t', { add_special_tokens: false }).ids).toEqual([8, 4, 7, 3]); // ▁ he <img> ▁t
    expect(tok.encode('x', { add_special_tokens: false }).ids).toEqual([8, 0]); // no byte pieces: unk
    expect(tok.decode([1, 6, 6, 7], { skip_special_tokens: true })).toBe('the the<img>');
  });

  it('follows add_bos_token / add_eos_token, from options or tokenizer_config.json', () => {
    const pp = (opts: Parameters<typeof sentencePieceToTokenizerJson>[1]) => sentencePieceToTokenizerJson(model, opts).post_processor;
    const S = (id: string, t: number) => ({ SpecialToken: { id, type_id: t } });
    const A = { Sequence: { id: 'A', type_id: 0 } };
    const B = { Sequence: { id: 'B', type_id: 1 } };
    expect(pp({ addEosToken: true })).toMatchObject({
      single: [S('<s>', 0), A, S('</s>', 0)],
      pair: [S('<s>', 0), A, S('</s>', 0), S('<s>', 1), B, S('</s>', 1)],
      // Keys sorted, as tokenizers writes them: "</s>" < "<s>".
      special_tokens: { '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] }, '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    });
    expect(Object.keys(pp({ addEosToken: true }).special_tokens)).toEqual(['</s>', '<s>']);
    expect(pp({ tokenizerConfig: { add_bos_token: false } })).toEqual({ type: 'TemplateProcessing', single: [A], pair: [A, B], special_tokens: {} });
    expect(pp({ addBosToken: true, tokenizerConfig: { add_bos_token: false } }).single).toEqual([S('<s>', 0), A]); // an option wins
    const tok = tokenizer(sentencePieceToTokenizerJson(model, { tokenizerConfig: { add_eos_token: true } }));
    expect(tok.encode('the').ids).toEqual([1, 6, 2]);
  });

  it('reads token names as strings or AddedToken objects, and checks them', () => {
    // Fuyu's layout: one token is both BOS and EOS.
    const fuyu = sentencePieceToTokenizerJson(model, {
      tokenizerConfig: { bos_token: '<img>', eos_token: { __type: 'AddedToken', content: '<img>' }, add_eos_token: true, legacy: null },
    });
    expect(fuyu.post_processor.single).toEqual([
      { SpecialToken: { id: '<img>', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '<img>', type_id: 0 } },
    ]);
    expect(fuyu.post_processor.special_tokens).toEqual({ '<img>': { id: '<img>', ids: [7], tokens: ['<img>'] } });
    expect(fuyu.normalizer).not.toBeNull(); // legacy null reads as legacy
    const err = (cfg: Record<string, unknown>) =>
      userError(() => sentencePieceToTokenizerJson(model, { tokenizerConfig: cfg, configSource: 'cfg.json' })).message;
    expect(err({ bos_token: '<bos>' })).toBe('cfg.json (bos_token): "<bos>" is not a piece of tiny.model');
    expect(err({ bos_token: null })).toBe('cfg.json (bos_token): is null but add_bos_token is true');
    expect(err({ eos_token: 3 })).toMatch(/^cfg\.json \(eos_token\): expected a string or an object with "content"/);
    expect(sentencePieceToTokenizerJson(model, { tokenizerConfig: { bos_token: null, add_bos_token: false } }).post_processor.single).toHaveLength(1);
  });

  it('takes added_tokens_decoder names for ids 0–2, and refuses tokens it cannot place', () => {
    const cfg = { added_tokens_decoder: { 1: { content: '<bos>', special: true }, 7: { content: '<img>', special: false } }, bos_token: '<bos>' };
    const json = sentencePieceToTokenizerJson(model, { tokenizerConfig: cfg });
    expect(json.model.vocab['<bos>']).toBe(1);
    expect(json.model.vocab['<s>']).toBeUndefined();
    expect(json.added_tokens.map((t) => t.content)).toEqual(['<unk>', '<bos>', '</s>', '<img>']);
    expect(json.post_processor.special_tokens).toEqual({ '<bos>': { id: '<bos>', ids: [1], tokens: ['<bos>'] } });
    const beyond = { added_tokens_decoder: { 12: { content: '<image>', special: true } } };
    expect(() => sentencePieceToTokenizerJson(model, { tokenizerConfig: beyond, configSource: 'c.json' })).toThrow(
      /^c\.json: added token "<image>" \(id 12\) that is not piece 12 of tiny\.model is not supported yet$/,
    );
  });

  it('legacy false: no normalizer, a Metaspace pre-tokenizer (prepend_scheme "first", split false)', () => {
    const json = sentencePieceToTokenizerJson(model, { legacy: false });
    expect(json.normalizer).toBeNull();
    expect(json.pre_tokenizer).toEqual({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false });
    const tok = tokenizer(json);
    expect(tok.encode('the the').ids).toEqual([1, 6, 6]);
  });

  it('writes merges as pairs when a piece holds a space (a joined "a b" would be ambiguous)', () => {
    const m = parseSentencePiece(
      modelProto([
        ...SPECIALS,
        { piece: 'a b', score: -1 },
        { piece: 'a ', score: -2 },
        { piece: 'b', score: -3 },
        { piece: 'a', score: -4 },
        { piece: ' ', score: -5 },
      ]),
    );
    expect(sentencePieceToTokenizerJson(m).model.merges).toEqual([
      ['a ', 'b'],
      ['a', ' '],
    ]);
  });

  it('stringifyTokenizerJson keeps the vocabulary in id order, digits included', () => {
    const m = parseSentencePiece(modelProto([...SPECIALS, { piece: 'b', score: -1 }, { piece: '7', score: -2 }, { piece: '0', score: -3 }]));
    const json = sentencePieceToTokenizerJson(m);
    expect(Object.keys(JSON.parse(JSON.stringify(json)).model.vocab)).toEqual(['0', '7', '<unk>', '<s>', '</s>', 'b']); // why it exists
    const text = stringifyTokenizerJson(json);
    expect(text).toContain('"vocab": {\n      "<unk>": 0,\n      "<s>": 1,\n      "</s>": 2,\n      "b": 3,\n      "7": 4,\n      "0": 5\n    },\n');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(json)));
  });
});

// ---------------------------------------------------------------- the real Llama-2 tokenizer

describe.skipIf(!HAVE_LLAMA2)('Llama-2 tokenizer.model → the shipped tokenizer.json', () => {
  const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
  const modelFile = LLAMA2.model;
  const configFile = LLAMA2.config;
  const t0 = performance.now();
  const converted = HAVE_LLAMA2 ? convertSentencePieceFile(modelFile, configFile) : undefined!;
  const ms = performance.now() - t0;
  const shipped = HAVE_LLAMA2 ? read(LLAMA2.json) : undefined!;
  const config = HAVE_LLAMA2 ? read(LLAMA2.config) : undefined!;

  it('converts in well under two seconds', () => {
    console.log(`Llama-2 conversion (parse + 61,249 merges): ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(2000);
  });

  it('has the same vocabulary, ids in the same order', () => {
    expect(Object.keys(converted.model.vocab)).toHaveLength(32000);
    expect(converted.model.vocab).toEqual(shipped.model.vocab);
    const byId = (v: Record<string, number>) =>
      Object.entries(v)
        .sort((a, b) => a[1] - b[1])
        .map(([k]) => k);
    expect(byId(converted.model.vocab)).toEqual(byId(shipped.model.vocab));
  });

  it('has the same 61,249 merges in the same order', () => {
    expect(shipped.model.merges).toHaveLength(61249);
    expect(typeof shipped.model.merges[0]).toBe('string'); // the "a b" form
    expect(converted.model.merges).toHaveLength(61249);
    const first = (converted.model.merges as string[]).findIndex((m, i) => m !== shipped.model.merges[i]);
    expect(first).toBe(-1);
    // Where newer transformers' (len left, len right) tie-break would put "▁th e" first (docs/export.md §3.2).
    expect(converted.model.merges.slice(18, 21)).toEqual(['▁t he', '▁th e', '▁ the']);
  });

  it('has the same added tokens, normalizer, pre-tokenizer, post-processor, decoder and model settings', () => {
    for (const key of ['version', 'truncation', 'padding', 'added_tokens', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder'] as const) {
      expect(converted[key], key).toEqual(shipped[key]);
    }
    expect({ ...converted.model, vocab: 0, merges: 0 }).toEqual({ ...shipped.model, vocab: 0, merges: 0 });
    // The whole object too (a boolean: a failing toEqual would spend seconds diffing 93k entries),
    // and with the same key order everywhere but the vocabulary.
    expect(isDeepStrictEqual(JSON.parse(JSON.stringify(converted)), shipped)).toBe(true);
    expect(JSON.stringify({ ...converted, model: { ...converted.model, vocab: 0 } })).toBe(
      JSON.stringify({ ...shipped, model: { ...shipped.model, vocab: 0 } }),
    );
  });

  it('stringifies byte for byte as the shipped file (plain JSON.stringify differs only in vocab key order)', () => {
    const bytes = readFileSync(LLAMA2.json);
    expect(Buffer.from(stringifyTokenizerJson(converted), 'utf8').equals(bytes)).toBe(true);
    // JS objects list integer-like keys ("0".."9") first, so plain JSON.stringify moves the digit pieces.
    expect(JSON.stringify(converted, null, 2)).not.toBe(bytes.toString('utf8'));
  });

  it('encodes and decodes a corpus of a few thousand texts exactly as the shipped tokenizer.json does', () => {
    const mine = tokenizer(converted, config);
    const theirs = tokenizer(shipped, config);
    const pieces = Object.entries(shipped.model.vocab as Record<string, number>)
      .sort((a, b) => a[1] - b[1])
      .map(([k]) => k);
    const corpus = buildCorpus(REPO, pieces);
    expect(corpus.length).toBeGreaterThan(3000);
    expect(theirs.encode(VICUNA_PROMPT).ids.slice(0, 6)).toEqual([1, 319, 13563, 1546, 263, 12758]); // <s> ▁A ▁chat ▁between ▁a ▁curious
    let tokens = 0;
    let byteFallbacks = 0;
    const mismatches: string[] = [];
    for (const text of corpus) {
      const a: number[] = mine.encode(text).ids;
      const b: number[] = theirs.encode(text).ids;
      tokens += b.length;
      byteFallbacks += b.filter((id) => id >= 3 && id <= 258).length;
      if (a.length !== b.length || a.some((id, i) => id !== b[i])) {
        mismatches.push(`ids of ${JSON.stringify(text.slice(0, 80))}`);
        continue;
      }
      for (const skip of [true, false]) {
        const da = mine.decode(a, { skip_special_tokens: skip, clean_up_tokenization_spaces: false });
        const db = theirs.decode(b, { skip_special_tokens: skip, clean_up_tokenization_spaces: false });
        if (da !== db) mismatches.push(`decode of ${JSON.stringify(text.slice(0, 80))}`);
      }
      // Text without special-token markup or a literal "▁" (decoded as a space) round-trips,
      // byte-fallback characters included.
      if (!/<s>|<\/s>|<unk>|▁/.test(text) && mine.decode(a, { skip_special_tokens: true, clean_up_tokenization_spaces: false }) !== text) {
        mismatches.push(`round trip of ${JSON.stringify(text.slice(0, 80))}`);
      }
    }
    for (const [x, y] of [
      ['Hello', 'world'],
      [' pair', '  with spaces'],
      [VICUNA_PROMPT, '日本 😀'],
    ]) {
      expect(mine.encode(x, { text_pair: y }).ids).toEqual(theirs.encode(x, { text_pair: y }).ids);
    }
    console.log(`corpus: ${corpus.length} texts, ${tokens} tokens (${byteFallbacks} byte-fallback pieces)`);
    expect(byteFallbacks).toBeGreaterThan(1000); // the corpus does reach the byte pieces
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('legacy false tokenizes plain text the same, and text after a special token without the extra "▁"', () => {
    const legacy = tokenizer(converted, config);
    const modern = tokenizer(sentencePieceToTokenizerJson(parseSentencePiece(readFileSync(modelFile)), { tokenizerConfig: config, legacy: false }), config);
    for (const text of ['Hello world.', VICUNA_PROMPT, 'café 日本 😀', 'a\n\nb\tc']) expect(modern.encode(text).ids).toEqual(legacy.encode(text).ids);
    // The reason `legacy` exists: after "<s>", legacy prepends "▁" again (▁world 3186), non-legacy does not (world 11526).
    expect(legacy.encode('Hello <s>world').ids).toEqual([1, 15043, 29871, 1, 3186]);
    expect(modern.encode('Hello <s>world').ids).toEqual([1, 15043, 29871, 1, 11526]);
    // A leading space: Metaspace does not prepend to text that already starts with "▁". HF's own
    // conversion (transformers 4.44.2, tokenizers 0.19.1) gives the same; its slow non-legacy
    // LlamaTokenizer gives [1, 29871, 921].
    expect(modern.encode(' x').ids).toEqual([1, 921]);
    expect(legacy.encode(' x').ids).toEqual([1, 29871, 921]);
  });
});
