// The contract between a model family (eve, fuyu, llava) and the ONNX runtime.
// A family knows how its images become a pixel tensor and how its prompt becomes token ids;
// the runtime (harness/runtime) knows nothing about families beyond this interface.

export type Family = 'eve' | 'fuyu' | 'llava';

/** A preprocessed image, ready for onnx/vision_encoder.onnx (batch dimension of 1 included in dims). */
export interface PixelInput {
  /** Input name of the vision encoder this tensor feeds, e.g. "pixel_values". */
  name: string;
  data: Float32Array;
  dims: number[];
  /** Extra vision-encoder inputs some families need (e.g. Fuyu's patch grid), by input name. */
  extra?: Record<string, { data: Float32Array | BigInt64Array; dims: number[] }>;
  /**
   * Fuyu-style row ends: after every `every` vision embeddings the runtime inserts the embedding of text
   * token `tokenId` (|NEWLINE|). Absent for EVE (split tokens come out of the vision encoder) and LLaVA.
   */
  rowEnd?: { every: number; tokenId: number };
  /** Embeddings spliced into the sequence for this image, row-end tokens included (EVE 1 + h·(w+1), LLaVA 576). */
  imageTokens: number;
  /** Original decoded size, for the aspect-ratio and resolution breakdowns. */
  width: number;
  height: number;
}

/**
 * Prompt token ids with the image's place marked; the runtime splices the image embeddings there.
 * A text-only prompt has all its ids in `before` and none in `after` (no image is spliced).
 */
export interface PromptInput {
  /** Text token ids before and after the image embeddings (BOS included where the family puts it). */
  before: number[];
  after: number[];
}

/** The parsed config.json of a bundle (fields eve-eval reads; others are kept). */
export interface BundleConfig {
  family: Family;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim?: number;
  vocab_size: number;
  bos_token_id: number;
  eos_token_id: number;
  pad_token_id?: number;
  image_token_id?: number;
  template?: string;
  [key: string]: unknown;
}

export interface ModelFamily {
  family: Family;
  /** Decode (as PIL's convert('RGB') sees it) and preprocess one image. Throws InputError naming the file. */
  preprocess(image: Buffer, source: string, preprocessorConfig: Record<string, unknown>): Promise<PixelInput>;
  /**
   * Build the family's chat template around the benchmark prompt and tokenize it. `hasImage` false
   * (optional, default true): a text-only question (ScienceQA has them), built and tokenised the way the
   * reference does with no image (no placeholder, nothing to splice).
   */
  buildPrompt(prompt: string, tokenize: (text: string) => number[], config: BundleConfig, hasImage?: boolean): PromptInput;
  /** Post-process generated text as the reference code does (skip specials, strip, drop a trailing "</s>"). */
  postprocess(text: string): string;
}
