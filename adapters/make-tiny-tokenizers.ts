// Writes the tokenizer and preprocessor files of the tiny model bundles (rerunnable, deterministic):
//   npx tsx adapters/make-tiny-tokenizers.ts
// - tiny-eve, tiny-llava: the official LLaMA-2 tokenizer.json (+ tokenizer_config.json,
//   special_tokens_map.json) copied from ../shared/tokenizers/llama2/, with Meta's licence notice beside it.
// - tiny-fuyu: a small SentencePiece-style BPE (byte fallback, "▁" word prefix) trained here on a fixed
//   English corpus, with Fuyu's special tokens in Fuyu's relative order (the real ids, 71011 and up, do
//   not fit a tiny vocabulary): <unk> 0 and <s> 1 as in Fuyu-8B, then |SPEAKER|, |ENDOFTEXT|,
//   |NEWLINE|, then the 256 byte pieces <0x00>..<0xFF> (so <0x04>, Fuyu's beginning-of-answer, is a
//   byte piece as in Fuyu-8B), then characters and merges.
// - preprocessor_config.json of each bundle (EVE-7B's 672 canvas, CLIP-ViT-L/14-336's, Fuyu-8B's).
// fixtures/models/generate.ts (the runtime side) writes config.json and the ONNX parts; it reads these
// tokenizer.json files to size the vocabulary and must not overwrite them.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = join(ROOT, 'fixtures', 'models');
const LLAMA2 = join(ROOT, '..', 'shared', 'tokenizers', 'llama2');

export const LLAMA2_NOTICE = `Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All Rights Reserved.

The files tokenizer.json, tokenizer_config.json and special_tokens_map.json in this folder are Meta's
LLaMA-2 tokenizer (as used by Vicuna-7B v1.5, EVE-7B and LLaVA-1.5-7B), byte-identical to the official
Llama-2 tokenizer.json (sha256 bcd04f0eadf90287bd26e1a183ac487d8a141b09b06aecb7725bbdd343640f2e).
They are redistributed under the terms of the Llama 2 Community License Agreement
(https://ai.meta.com/llama/license/). The rest of this repository is MIT-licensed; these files are not.
`;

const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

/** EVE-7B's eve-patch14-anypixel-672 values, as docs/protocol.md §2.1 reads them from EVEv1's code. */
const EVE_PREPROCESSOR = {
  feature_extractor_type: 'CLIPFeatureExtractor',
  do_resize: false,
  do_center_crop: false,
  do_normalize: true,
  image_mean: CLIP_MEAN,
  image_std: CLIP_STD,
  resample: 3,
  image_size: 672,
  image_size_clip: 336,
  patch_stride: 14,
  patch_stride_clip: 14,
  conv_stride: 2,
};

/** openai/clip-vit-large-patch14-336's CLIPImageProcessor; LLaVA-1.5 pads to a square first (image_aspect_ratio "pad"). */
const LLAVA_PREPROCESSOR = {
  image_processor_type: 'CLIPImageProcessor',
  crop_size: { height: 336, width: 336 },
  do_center_crop: true,
  do_convert_rgb: true,
  do_normalize: true,
  do_rescale: true,
  do_resize: true,
  image_mean: CLIP_MEAN,
  image_std: CLIP_STD,
  resample: 3,
  rescale_factor: 1 / 255,
  size: { shortest_edge: 336 },
  image_aspect_ratio: 'pad',
  patch_size: 14,
};

// ---------------------------------------------------------------------------------------------
// Tiny Fuyu vocabulary

/** Fixed training text: the prompts the harness sends, plus plain English about images. */
const CORPUS = `
Answer the question using a single word or phrase.
Answer with the option's letter from the given choices directly.
When the provided information is insufficient, respond with 'Unanswerable'.
Generate a coco-style caption.
Is there a person in the image? Is there a dog in the image? Is there a car in the image?
What is the color of the bus? What is the man holding? What is written on the sign?
How many people are in the picture? How many cats are there? Where is the cat sitting?
Is the light on? Is it overcast? Is this a kitchen? Is the door open or closed?
What is the brand of this camera? What time is shown on the clock? What sport is being played?
Which animal is shown in the picture? Which of these objects is the largest?
A. yes B. no C. red D. blue
Yes. No. Yes, there is. No, there is not. The answer is A. The answer is B.
A photo of a dog sitting on a green couch next to a window.
A man riding a bicycle down a city street on a sunny day.
Two children are playing with a ball in the park while their parents watch.
The kitchen has a white table, four chairs and a large window over the sink.
A red bus is parked in front of a tall building with many windows.
There is a cat sleeping on the bed and a lamp on the table beside it.
The picture shows a group of people standing near the water at sunset.
The sign on the wall says open, and the store is full of fruit and vegetables.
A plate of food with rice, chicken, and vegetables is on the wooden table.
The train is moving along the tracks through the green hills and trees.
A woman is holding an umbrella while walking in the rain with her friend.
The clock on the tower shows the time, and the sky above it is blue.
A small boat is floating on the lake near the mountains covered with snow.
This image shows a chart with numbers, letters and a title at the top.
The text in the image is written in black letters on a white background.
one two three four five six seven eight nine ten 0 1 2 3 4 5 6 7 8 9 10 100 2024
left right top bottom front behind above below inside outside near far
`;

interface Bpe {
  vocab: Record<string, number>;
  merges: string[];
}

/** Deterministic BPE training on "▁"-prefixed words: most frequent pair first, ties by the pair text. */
export function trainBpe(text: string, firstId: number, maxVocab: number): Bpe {
  const wordFreq = new Map<string, number>();
  for (const w of text.split(/\s+/).filter(Boolean)) wordFreq.set('▁' + w, (wordFreq.get('▁' + w) ?? 0) + 1);
  const words = [...wordFreq.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([w, f]) => ({ syms: [...w], f }));
  const vocab: Record<string, number> = {};
  let next = firstId;
  const alphabet = [...new Set(words.flatMap((w) => w.syms))].sort();
  for (const ch of alphabet) vocab[ch] = next++;
  const merges: string[] = [];
  while (next < maxVocab) {
    const counts = new Map<string, number>();
    for (const { syms, f } of words) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const k = syms[i] + ' ' + syms[i + 1];
        counts.set(k, (counts.get(k) ?? 0) + f);
      }
    }
    let best: string | undefined;
    let bestCount = 1; // a pair seen once is not worth a token
    for (const [k, c] of counts) {
      if (c > bestCount || (c === bestCount && best !== undefined && k < best)) {
        best = k;
        bestCount = c;
      }
    }
    if (best === undefined) break;
    const [a, b] = best.split(' ');
    const merged = a + b;
    merges.push(best);
    if (vocab[merged] === undefined) vocab[merged] = next++;
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.syms.length; i++) {
        if (i + 1 < w.syms.length && w.syms[i] === a && w.syms[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(w.syms[i]);
      }
      w.syms = out;
    }
  }
  return { vocab, merges };
}

const FUYU_SPECIALS: [string, boolean][] = [
  ['<unk>', true],
  ['<s>', true],
  ['|SPEAKER|', false],
  ['|ENDOFTEXT|', true],
  ['|NEWLINE|', false],
];

export function buildFuyuTokenizerJson(maxVocab = 1024): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  FUYU_SPECIALS.forEach(([t], i) => (vocab[t] = i));
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = FUYU_SPECIALS.length + b;
  const bpe = trainBpe(CORPUS, FUYU_SPECIALS.length + 256, maxVocab);
  Object.assign(vocab, bpe.vocab);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: FUYU_SPECIALS.map(([content, special], id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special,
    })),
    // Same pipeline as the LLaMA-2 / Fuyu SentencePiece tokenizers: dummy prefix "▁", spaces as "▁".
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab,
      merges: bpe.merges,
    },
  };
}

const FUYU_TOKENIZER_CONFIG = {
  add_bos_token: false,
  add_eos_token: false,
  bos_token: '|ENDOFTEXT|',
  eos_token: '|ENDOFTEXT|',
  unk_token: '<unk>',
  pad_token: null,
  clean_up_tokenization_spaces: false,
  legacy: true,
  model_max_length: 16384,
  processor_class: 'FuyuProcessor',
  tokenizer_class: 'LlamaTokenizer',
  note: "eve-eval tiny test vocabulary in Fuyu-8B's layout (see adapters/make-tiny-tokenizers.ts); not Fuyu-8B's tokenizer",
};

const FUYU_SPECIAL_TOKENS_MAP = {
  additional_special_tokens: ['<unk>', '|ENDOFTEXT|'],
  bos_token: '|ENDOFTEXT|',
  eos_token: '|ENDOFTEXT|',
  unk_token: '<unk>',
};

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

export function main(): void {
  if (!existsSync(join(LLAMA2, 'tokenizer.json'))) {
    throw new Error(`${LLAMA2}/tokenizer.json not found: the LLaMA-2 tokenizer comes from ../shared/tokenizers/llama2/`);
  }
  for (const [name, pre] of [
    ['tiny-eve', EVE_PREPROCESSOR],
    ['tiny-llava', LLAVA_PREPROCESSOR],
  ] as const) {
    const dir = join(MODELS, name);
    mkdirSync(dir, { recursive: true });
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) copyFileSync(join(LLAMA2, f), join(dir, f));
    writeFileSync(join(dir, 'LICENSE-LLAMA2.txt'), LLAMA2_NOTICE);
    writeJson(join(dir, 'preprocessor_config.json'), pre);
  }
  const dir = join(MODELS, 'tiny-fuyu');
  mkdirSync(dir, { recursive: true });
  const tok = buildFuyuTokenizerJson();
  writeJson(join(dir, 'tokenizer.json'), tok);
  writeJson(join(dir, 'tokenizer_config.json'), FUYU_TOKENIZER_CONFIG);
  writeJson(join(dir, 'special_tokens_map.json'), FUYU_SPECIAL_TOKENS_MAP);
  const vocab = (tok.model as { vocab: Record<string, number> }).vocab;
  writeJson(join(dir, 'preprocessor_config.json'), {
    image_processor_type: 'FuyuImageProcessor',
    processor_class: 'FuyuProcessor',
    target_height: 1080,
    target_width: 1920,
    padding_mode: 'constant',
    padding_value: 1.0,
    patch_size: { height: 30, width: 30 },
    // Not in Fuyu-8B's file (there it comes from the tokenizer): the |NEWLINE| id ending each patch row.
    image_newline_id: vocab['|NEWLINE|'],
  });
  console.log(`wrote tokenizer and preprocessor files in ${MODELS}/tiny-{eve,llava,fuyu} (tiny-fuyu vocabulary: ${Object.keys(vocab).length} tokens)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
