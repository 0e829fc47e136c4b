// Fuyu-8B (HF transformers FuyuImageProcessor + FuyuProcessor, docs/protocol.md §4.1):
// never upscale; downscale to fit target_height × target_width (1080 × 1920) with PIL BILINEAR and
// int() truncated sizes; pad bottom/right with padding_value (1.0 in 0-255 space, BEFORE rescale and
// normalise, so a padded pixel is (1/255 − 0.5)/0.5 ≈ −0.992); crop back to whole 30-px patches;
// rescale 1/255 and normalise with mean 0.5, std 0.5; 30×30×3 raw patches in row-major patch order,
// each flattened (y, x, channel). Text: |SPEAKER| × cols + |NEWLINE| per patch row (the runtime puts
// patch embeddings in place of |SPEAKER| and the |NEWLINE| embedding after each row), then BOS,
// the prompt, and <0x04> (beginning of answer). No chat template. With no image, FuyuProcessor hands
// the text straight to its tokenizer: the tokenizer's own BOS + the prompt, and no <0x04>.
import type { BundleConfig, ModelFamily, PixelInput, PromptInput } from '../../core/model-family.ts';
import { decodeImage, type RgbImage } from '../../core/image.ts';
import { InputError, UserError } from '../../core/errors.ts';
import { resizeRgb } from '../resize.ts';

/** Fuyu-8B's |NEWLINE| id in its 262,144-token vocabulary, used when preprocessor_config.json has no image_newline_id. */
export const FUYU_NEWLINE_ID = 71019;
/** Fuyu-8B's "<0x04>" (beginning-of-answer) id, used when config.json has no boa_token_id and the tokenizer cannot say. */
export const FUYU_BOA_ID = 71122;

function num(cfg: Record<string, unknown>, key: string, fallback: number): number {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'number' || !(v >= 0)) throw new UserError(`preprocessor_config.json: "${key}" must be a number`);
  return v;
}

function patchSize(cfg: Record<string, unknown>): [number, number] {
  const p = cfg.patch_size;
  if (p === undefined) return [30, 30];
  if (typeof p === 'number') return [p, p];
  const o = p as { height?: unknown; width?: unknown };
  if (typeof o.height !== 'number' || typeof o.width !== 'number') throw new UserError('preprocessor_config.json: bad "patch_size"');
  return [o.height, o.width];
}

/** FuyuImageProcessor.resize: sizes after fitting into target (never upscaled); 0 when the image is too thin. */
export function fuyuResizedSize(w: number, h: number, targetW: number, targetH: number): [number, number] {
  if (w <= targetW && h <= targetH) return [w, h];
  const scale = Math.min(targetH / h, targetW / w);
  return [Math.trunc(w * scale), Math.trunc(h * scale)];
}

/** Normalised patches [P, ph·pw·3] of an RGB image, padded with `padPixel` (0-255 space) to whole patches. */
export function fuyuPatches(img: RgbImage, ph: number, pw: number, padPixel: number, mean = 0.5, std = 0.5) {
  const rows = Math.ceil(img.height / ph);
  const cols = Math.ceil(img.width / pw);
  const f = Math.fround;
  // transformers: rescale in float64 then cast to float32; normalise in float32.
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = f(f(f(v * (1 / 255)) - f(mean)) / f(std));
  const pad = f(f(f(padPixel * (1 / 255)) - f(mean)) / f(std));
  const patchLen = ph * pw * 3;
  const data = new Float32Array(rows * cols * patchLen);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let o = (r * cols + c) * patchLen;
      for (let y = 0; y < ph; y++) {
        const sy = r * ph + y;
        for (let x = 0; x < pw; x++) {
          const sx = c * pw + x;
          if (sy < img.height && sx < img.width) {
            const p = (sy * img.width + sx) * 3;
            data[o++] = lut[img.data[p]];
            data[o++] = lut[img.data[p + 1]];
            data[o++] = lut[img.data[p + 2]];
          } else {
            data[o++] = pad;
            data[o++] = pad;
            data[o++] = pad;
          }
        }
      }
    }
  }
  return { data, rows, cols, patchLen };
}

const fuyu: ModelFamily = {
  family: 'fuyu',
  async preprocess(image, source, cfg): Promise<PixelInput> {
    const img = await decodeImage(image, source);
    const targetH = num(cfg, 'target_height', 1080);
    const targetW = num(cfg, 'target_width', 1920);
    const padValue = num(cfg, 'padding_value', 1.0);
    const [ph, pw] = patchSize(cfg);
    const newlineId = num(cfg, 'image_newline_id', FUYU_NEWLINE_ID);
    const [nw, nh] = fuyuResizedSize(img.width, img.height, targetW, targetH);
    if (nw < 1 || nh < 1) {
      throw new InputError(
        source,
        undefined,
        `${img.width}×${img.height} image is too thin for Fuyu: fitting it into ${targetW}×${targetH} gives ${nw}×${nh} pixels`,
      );
    }
    const resized = nw === img.width && nh === img.height ? img : resizeRgb(img, nw, nh, 'bilinear');
    const { data, rows, cols, patchLen } = fuyuPatches(resized, ph, pw, padValue);
    return {
      name: 'pixel_values',
      data,
      dims: [1, rows * cols, patchLen],
      rowEnd: { every: cols, tokenId: newlineId },
      imageTokens: rows * cols + rows,
      width: img.width,
      height: img.height,
    };
  },
  buildPrompt(prompt: string, tokenize: (text: string) => number[], config: BundleConfig, hasImage = true): PromptInput {
    // FuyuProcessor.__call__ with images None returns `self.tokenizer(text)`: no boa token, and the BOS
    // is the tokenizer's bos_token, "|ENDOFTEXT|" in Fuyu-8B's tokenizer_config.json (the same token as
    // eos, 71013), not the "<s>" (config bos_token_id 1) that the image path puts before the prompt.
    if (!hasImage) {
      const textBos = typeof config.text_bos_token_id === 'number' ? config.text_bos_token_id : config.eos_token_id;
      return { before: [textBos, ...tokenize(prompt)], after: [] };
    }
    // "<0x04>" is a byte-fallback piece: a lone \x04 encodes to it (after the dummy-prefix "▁" piece).
    let boa = typeof config.boa_token_id === 'number' ? config.boa_token_id : undefined;
    if (boa === undefined) {
      const ids = tokenize('\x04');
      boa = ids.length > 0 ? ids[ids.length - 1] : FUYU_BOA_ID;
    }
    return { before: [], after: [config.bos_token_id, ...tokenize(prompt), boa] };
  },
  postprocess(text: string): string {
    // Only tokens after <0x04> are generated, decoded with skip_special_tokens; the reference strips.
    return text.trim();
  },
};

export default fuyu;
