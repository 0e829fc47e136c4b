// EVE-7B / EVE-7B-HD (EVEv1), docs/protocol.md §2.1, after EVEv1/eve/mm_utils.py process_images:
// size computed at CLIP scale (long side 336, short side rounded UP to a multiple of 14), times
// image_size/336; PIL resize with its default filter (BICUBIC since Pillow 7); pasted centred on a
// mean-colour square; CLIP rescale/normalise; the 0/1 mask of the real image as a 4th channel.
import type { ModelFamily, PixelInput } from '../../core/model-family.ts';
import { decodeImage } from '../../core/image.ts';
import { UserError } from '../../core/errors.ts';
import { resizeRgb } from '../resize.ts';
import { CLIP_MEAN, CLIP_STD, clipNormaliseInto, meanColour, numberList, pasteOnCanvas, vicunaPostprocess, vicunaV1Tokens } from '../llava/index.ts';

export interface EveGeometry {
  /** Resized image size (the mask region). */
  width: number;
  height: number;
  /** Square canvas side (preprocessor image_size). */
  side: number;
  /** Offset of the image on the canvas along the short side. */
  pre: number;
}

function intField(cfg: Record<string, unknown>, key: string, fallback?: number): number {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new UserError(`preprocessor_config.json: "${key}" must be a positive integer (EVE needs it)`);
  }
  return v;
}

/** compute_basehw at CLIP scale, then scaled by ratio = image_size // image_size_clip. */
export function eveGeometry(w: number, h: number, imageSize: number, clipSize = 336, clipStride = 14): EveGeometry {
  if (imageSize % clipSize !== 0) throw new UserError(`preprocessor_config.json: image_size ${imageSize} is not a multiple of image_size_clip ${clipSize}`);
  const ratio = Math.floor(imageSize / clipSize);
  // Same float operation order as the Python: max_size * height / width / patch_stride_clip.
  const valPatch = w > h ? Math.ceil((clipSize * h) / w / clipStride) : Math.ceil((clipSize * w) / h / clipStride);
  const valSize = valPatch * clipStride;
  const maxPatch = Math.floor(clipSize / clipStride);
  const pre = Math.floor((maxPatch - valPatch) / 2) * clipStride;
  const [bw, bh] = w > h ? [clipSize, valSize] : [valSize, clipSize];
  return { width: bw * ratio, height: bh * ratio, side: clipSize * ratio, pre: pre * ratio };
}

const eve: ModelFamily = {
  family: 'eve',
  async preprocess(image, source, cfg): Promise<PixelInput> {
    const img = await decodeImage(image, source);
    const imageSize = intField(cfg, 'image_size');
    const clipSize = intField(cfg, 'image_size_clip', 336);
    const clipStride = intField(cfg, 'patch_stride_clip', 14);
    const stride = intField(cfg, 'patch_stride', 14) * intField(cfg, 'conv_stride', 2);
    const mean = numberList(cfg, 'image_mean', CLIP_MEAN);
    const std = numberList(cfg, 'image_std', CLIP_STD);
    const g = eveGeometry(img.width, img.height, imageSize, clipSize, clipStride);
    const resized = resizeRgb(img, g.width, g.height, 'bicubic');
    const S = g.side;
    const landscape = img.width > img.height;
    // Equal sides after rounding (e.g. 1000×999) means no paste: the reference uses an all-ones mask.
    const square = g.width === g.height;
    const x0 = square || landscape ? 0 : g.pre;
    const y0 = square || !landscape ? 0 : g.pre;
    const canvas = square ? resized : pasteOnCanvas(resized, S, S, x0, y0, meanColour(mean));
    const plane = S * S;
    const data = new Float32Array(4 * plane);
    clipNormaliseInto(canvas, mean, std, data, plane);
    for (let r = 0; r < g.height; r++) data.fill(1, 3 * plane + (r + y0) * S + x0, 3 * plane + (r + y0) * S + x0 + g.width);
    const h = g.height / stride;
    const w = g.width / stride;
    return {
      name: 'pixel_values',
      data,
      dims: [1, 4, S, S],
      imageTokens: 1 + h * (w + 1),
      width: img.width,
      height: img.height,
    };
  },
  buildPrompt: vicunaV1Tokens,
  postprocess: vicunaPostprocess,
};

export default eve;
