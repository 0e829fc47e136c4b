// LLaVA-1.5 (original repo protocol, docs/protocol.md §4.2): pad to a square with the CLIP-mean colour
// (expand2square), CLIPImageProcessor (resize shortest edge 336 bicubic, centre-crop 336, rescale,
// CLIP normalisation), 576 image tokens; vicuna_v1 prompt tokenised like tokenizer_image_token.
// The vicuna_v1 and CLIP helpers are exported here because EVE shares them (EVE forked LLaVA's code).
import type { BundleConfig, ModelFamily, PixelInput, PromptInput } from '../../core/model-family.ts';
import { decodeImage, type RgbImage } from '../../core/image.ts';
import { InputError, UserError } from '../../core/errors.ts';
import { resizeRgb } from '../resize.ts';

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

export const VICUNA_V1_SYSTEM =
  "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions.";

/**
 * conv_vicuna_v1.get_prompt() with `<image>\n{prompt}` as the user turn (mm_use_im_start_end False);
 * with no image (model_vqa_science.py: a question without "image") the user turn is the prompt alone.
 */
export function vicunaV1Prompt(prompt: string, hasImage = true): string {
  return `${VICUNA_V1_SYSTEM} USER: ${hasImage ? '<image>\n' : ''}${prompt} ASSISTANT:`;
}

/**
 * tokenizer_image_token: split on "<image>", tokenise each chunk on its own, keep BOS once at the start.
 * The slow LlamaTokenizer prepends SentencePiece's dummy-prefix "▁" to every chunk, so the chunk after the
 * image, "\n{prompt} ASSISTANT:", starts with id 29871 ("▁") and then 13 ("<0x0A>"); the bundle's
 * tokenizer.json (Prepend "▁" normaliser) gives the same ids when the chunk is encoded on its own.
 */
export function vicunaV1Tokens(prompt: string, tokenize: (text: string) => number[], config: BundleConfig, hasImage = true): PromptInput {
  if (prompt.includes('<image>')) {
    throw new UserError('prompt text contains "<image>": the image placeholder is added by the template, once');
  }
  // No image: tokenizer_image_token sees one chunk, tokenised whole with BOS once; nothing after.
  if (!hasImage) return { before: [config.bos_token_id, ...tokenize(vicunaV1Prompt(prompt, false))], after: [] };
  const [chunk1, chunk2] = vicunaV1Prompt(prompt).split('<image>');
  return { before: [config.bos_token_id, ...tokenize(chunk1)], after: tokenize(chunk2) };
}

/** The reference's post-processing: strip, drop a trailing "</s>", strip again. */
export function vicunaPostprocess(text: string): string {
  let out = text.trim();
  if (out.endsWith('</s>')) out = out.slice(0, -'</s>'.length);
  return out.trim();
}

export function numberList(cfg: Record<string, unknown>, key: string, fallback: number[]): number[] {
  const v = cfg[key];
  if (v === undefined) return fallback;
  if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number')) {
    throw new UserError(`preprocessor_config.json: "${key}" must be a list of 3 numbers`);
  }
  return v as number[];
}

/** The background colour the reference pads with: tuple(int(x*255) for x in image_mean). */
export function meanColour(mean: number[]): [number, number, number] {
  return [Math.trunc(mean[0] * 255), Math.trunc(mean[1] * 255), Math.trunc(mean[2] * 255)];
}

/**
 * CLIPImageProcessor's rescale + normalise, in float32 as transformers does it
 * (uint8 → float64 · 1/255 → float32; then (x − mean) / std with float32 mean and std).
 * Writes channel-first planes of `img` into `out` at `offset`, for a tensor of `size`×`size` per plane.
 */
export function clipNormaliseInto(img: RgbImage, mean: number[], std: number[], out: Float32Array, planeStride: number): void {
  const f = Math.fround;
  const m = mean.map(f);
  const s = std.map(f);
  const n = img.width * img.height;
  // Precompute the 256 possible values per channel: same arithmetic, one table lookup per pixel.
  const lut = [0, 1, 2].map((c) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = f(f(f(v * (1 / 255)) - m[c]) / s[c]);
    return t;
  });
  for (let i = 0; i < n; i++) {
    out[i] = lut[0][img.data[i * 3]];
    out[planeStride + i] = lut[1][img.data[i * 3 + 1]];
    out[2 * planeStride + i] = lut[2][img.data[i * 3 + 2]];
  }
}

/** Paste `img` at (x, y) into a new `w`×`h` canvas filled with `bg` (PIL Image.new + paste). */
export function pasteOnCanvas(img: RgbImage, w: number, h: number, x: number, y: number, bg: [number, number, number]): RgbImage {
  const data = new Uint8Array(w * h * 3);
  // Fill by doubling (copyWithin is a memmove): a per-pixel set() cost ~30 ms on a 672² canvas.
  data.set(bg, 0);
  for (let filled = 3; filled < data.length; filled *= 2) data.copyWithin(filled, 0, Math.min(filled, data.length - filled));
  for (let r = 0; r < img.height; r++) {
    data.set(img.data.subarray(r * img.width * 3, (r + 1) * img.width * 3), ((r + y) * w + x) * 3);
  }
  return { width: w, height: h, data };
}

/** llava/mm_utils.py expand2square. */
export function expand2square(img: RgbImage, bg: [number, number, number]): RgbImage {
  const { width: w, height: h } = img;
  if (w === h) return img;
  if (w > h) return pasteOnCanvas(img, w, w, 0, Math.floor((w - h) / 2), bg);
  return pasteOnCanvas(img, h, h, Math.floor((h - w) / 2), 0, bg);
}

/** Largest padded square we build in memory (PIL's decompression-bomb limit, 2 × 89,478,485 pixels). */
const MAX_SQUARE_PIXELS = 2 * 89_478_485;

function sizeField(v: unknown, key: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number') return v;
  const o = v as Record<string, unknown>;
  const n = o?.[key] ?? o?.height;
  if (typeof n !== 'number') throw new UserError(`preprocessor_config.json: cannot read "${key}" from ${JSON.stringify(v)}`);
  return n;
}

const llava: ModelFamily = {
  family: 'llava',
  async preprocess(image, source, cfg): Promise<PixelInput> {
    const img = await decodeImage(image, source);
    const mean = numberList(cfg, 'image_mean', CLIP_MEAN);
    const std = numberList(cfg, 'image_std', CLIP_STD);
    const shortest = sizeField(cfg.size, 'shortest_edge', 336);
    const crop = sizeField(cfg.crop_size, 'height', 336);
    const side = Math.max(img.width, img.height);
    if (side * side > MAX_SQUARE_PIXELS) {
      throw new InputError(
        source,
        undefined,
        `${img.width}×${img.height} image: LLaVA pads it to a ${side}×${side} square first, over the ${MAX_SQUARE_PIXELS}-pixel limit`,
      );
    }
    const square = expand2square(img, meanColour(mean));
    // CLIPImageProcessor on a square: shortest edge → `shortest` on both sides, then centre crop.
    const resized = resizeRgb(square, shortest, shortest, 'bicubic');
    let cropped = resized;
    if (crop !== shortest) {
      if (crop > shortest) throw new UserError('preprocessor_config.json: crop_size larger than the resized image');
      const off = Math.floor((shortest - crop) / 2);
      const data = new Uint8Array(crop * crop * 3);
      for (let r = 0; r < crop; r++) data.set(resized.data.subarray(((r + off) * shortest + off) * 3, ((r + off) * shortest + off + crop) * 3), r * crop * 3);
      cropped = { width: crop, height: crop, data };
    }
    const data = new Float32Array(3 * crop * crop);
    clipNormaliseInto(cropped, mean, std, data, crop * crop);
    const patch = typeof cfg.patch_size === 'number' ? cfg.patch_size : 14;
    const grid = Math.floor(crop / patch);
    return { name: 'pixel_values', data, dims: [1, 3, crop, crop], imageTokens: grid * grid, width: img.width, height: img.height };
  },
  buildPrompt: vicunaV1Tokens,
  postprocess: vicunaPostprocess,
};

export default llava;
