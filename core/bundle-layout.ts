// The on-disk names of a model bundle's parts, shared by the exporter that writes them and the runtime that
// loads them: onnx/<part><suffix>.onnx, with transformers.js precision suffixes.

/** transformers.js utils/dtypes.js DEFAULT_DTYPE_SUFFIX_MAPPING. */
export const PRECISION_SUFFIX: Record<string, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

export type PartName = 'vision_encoder' | 'embed_tokens' | 'decoder_model_merged';
export const PARTS: readonly PartName[] = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'];
