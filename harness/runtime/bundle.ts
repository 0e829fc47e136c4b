// A model bundle on disk (docs/design.md, "Model bundle"): config.json, preprocessor_config.json,
// tokenizer.json and the three ONNX parts under onnx/, with transformers.js precision suffixes.
// Validation compares each session's declared inputs/outputs with what the family's config needs,
// so a wrong export fails at load with the file and the mismatch named, not mid-generation.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type ort from 'onnxruntime-node';
import type { BundleConfig, Family } from '../../core/model-family.ts';
import { InputError } from '../../core/errors.ts';
import { PARTS, PRECISION_SUFFIX, type PartName } from '../../core/bundle-layout.ts';

/** One precision for all parts, or one per part (e.g. fp32 vision with a q4 decoder). */
export type Precision = string | Partial<Record<PartName, string>>;

export interface Bundle {
  dir: string;
  config: BundleConfig;
  preprocessorConfig: Record<string, unknown>;
  files: Record<PartName, string>;
  /** Every file the model's output depends on (for the fingerprint), external data included. */
  allFiles: string[];
}

const FAMILIES: readonly Family[] = ['eve', 'fuyu', 'llava'];

function readJson(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new InputError(file, undefined, 'missing from the model bundle');
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new InputError(file, undefined, `not valid JSON: ${(err as Error).message}`);
  }
}

function checkConfig(file: string, c: Record<string, unknown>): BundleConfig {
  if (!FAMILIES.includes(c.family as Family))
    throw new InputError(file, undefined, `"family" must be one of ${FAMILIES.join(', ')} (got ${JSON.stringify(c.family)})`);
  for (const k of ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'vocab_size', 'bos_token_id', 'eos_token_id']) {
    if (!Number.isInteger(c[k])) throw new InputError(file, undefined, `"${k}" must be an integer (got ${JSON.stringify(c[k])})`);
  }
  const cfg = c as BundleConfig;
  if (cfg.head_dim === undefined) cfg.head_dim = cfg.hidden_size / cfg.num_attention_heads;
  return cfg;
}

/** Resolve the bundle's files for a precision; a missing part is an error naming the expected file. */
export function loadBundle(dir: string, precision: Precision = 'fp32'): Bundle {
  const cfgFile = join(dir, 'config.json');
  if (!existsSync(dir)) throw new InputError(dir, undefined, 'model bundle folder does not exist');
  const config = checkConfig(cfgFile, readJson(cfgFile));
  const preprocessorConfig = readJson(join(dir, 'preprocessor_config.json'));
  const files = {} as Record<PartName, string>;
  const allFiles = [cfgFile, join(dir, 'preprocessor_config.json'), join(dir, 'tokenizer.json')];
  if (existsSync(join(dir, 'tokenizer_config.json'))) allFiles.push(join(dir, 'tokenizer_config.json'));
  for (const part of PARTS) {
    const p = typeof precision === 'string' ? precision : (precision[part] ?? 'fp32');
    const suffix = PRECISION_SUFFIX[p];
    if (suffix === undefined) throw new InputError(dir, undefined, `unknown precision "${p}" (known: ${Object.keys(PRECISION_SUFFIX).join(', ')})`);
    const file = join(dir, 'onnx', `${part}${suffix}.onnx`);
    if (!existsSync(file)) throw new InputError(file, undefined, `missing ONNX part ${part} (precision ${p})`);
    files[part] = file;
    allFiles.push(file);
    // External data sits beside the graph: <name>.onnx_data (Optimum, eve-eval), <name>.onnx.data (older
    // exports), and transformers.js's chunks <name>.onnx_data_1, _2 ... All of it is part of the fingerprint.
    const base = `${part}${suffix}.onnx`;
    const onnxDir = join(dir, 'onnx');
    for (const name of readdirSync(onnxDir).sort()) if (name.startsWith(`${base}_data`) || name.startsWith(`${base}.data`)) allFiles.push(join(onnxDir, name));
  }
  return { dir, config, preprocessorConfig, files, allFiles };
}

// ---------- session validation ----------

type Meta = ort.InferenceSession.ValueMetadata;
interface Want {
  name: string;
  types: readonly string[];
  rank: number;
  /** Fixed sizes at given axes where the config fixes them (symbolic dims in the file are accepted). */
  dims?: Record<number, number>;
}

const FLOATS = ['float32', 'float16'] as const;

function describe(m: Meta): string {
  return m.isTensor ? `${m.type}[${m.shape.join(',')}]` : 'a non-tensor value';
}

function checkOne(file: string, kind: 'input' | 'output', have: Meta | undefined, want: Want): void {
  if (!have) throw new InputError(file, undefined, `${kind} "${want.name}" is missing`);
  if (!have.isTensor || !want.types.includes(have.type)) {
    throw new InputError(file, undefined, `${kind} "${want.name}" is ${describe(have)}, expected ${want.types.join(' or ')}`);
  }
  if (have.shape.length !== want.rank) {
    throw new InputError(file, undefined, `${kind} "${want.name}" has rank ${have.shape.length} [${have.shape.join(',')}], expected rank ${want.rank}`);
  }
  for (const [axis, size] of Object.entries(want.dims ?? {})) {
    const d = have.shape[Number(axis)];
    if (typeof d === 'number' && d !== size) {
      throw new InputError(file, undefined, `${kind} "${want.name}" has size ${d} at axis ${axis} [${have.shape.join(',')}], config.json needs ${size}`);
    }
  }
}

function checkSession(file: string, session: ort.InferenceSession, inputs: Want[], outputs: Want[], optionalInputs: string[] = []): void {
  const ins = new Map(session.inputMetadata.map((m) => [m.name, m]));
  const outs = new Map(session.outputMetadata.map((m) => [m.name, m]));
  for (const w of inputs) checkOne(file, 'input', ins.get(w.name), w);
  for (const w of outputs) checkOne(file, 'output', outs.get(w.name), w);
  const known = new Set([...inputs.map((w) => w.name), ...optionalInputs]);
  const extra = [...ins.keys()].filter((n) => !known.has(n));
  if (extra.length > 0)
    throw new InputError(
      file,
      undefined,
      `unexpected input${extra.length > 1 ? 's' : ''} ${extra.map((n) => `"${n}"`).join(', ')} (not in the ${inputs.length}-input contract for this config)`,
    );
}

/** The float type a part uses for its float inputs (float16 for _fp16 / q4f16 exports). */
export function floatType(session: ort.InferenceSession, inputName: string): 'float32' | 'float16' {
  const m = session.inputMetadata.find((x) => x.name === inputName);
  return m?.isTensor && m.type === 'float16' ? 'float16' : 'float32';
}

/** Check the three sessions against config.json; throws InputError naming the file and the mismatch. */
export function validateSessions(bundle: Bundle, sessions: Record<PartName, ort.InferenceSession>): void {
  const c = bundle.config;
  const H = c.hidden_size;
  const L = c.num_hidden_layers;
  const KV = c.num_key_value_heads;
  const D = c.head_dim!;
  const visionRank = c.family === 'fuyu' ? 3 : 4;
  // EVE's pixels carry the mask as a 4th channel, LLaVA's are RGB: a part of the other family is caught here,
  // naming the model file, not by every sample failing with onnxruntime's shape message.
  const visionDims: Record<number, number> = c.family === 'fuyu' ? { 0: 1 } : { 0: 1, 1: c.family === 'eve' ? 4 : 3 };
  checkSession(
    bundle.files.vision_encoder,
    sessions.vision_encoder,
    [{ name: 'pixel_values', types: FLOATS, rank: visionRank, dims: visionDims }],
    [{ name: 'image_embeds', types: FLOATS, rank: 3, dims: { 2: H } }],
  );
  checkSession(
    bundle.files.embed_tokens,
    sessions.embed_tokens,
    [{ name: 'input_ids', types: ['int64'], rank: 2 }],
    [{ name: 'inputs_embeds', types: FLOATS, rank: 3, dims: { 2: H } }],
  );
  const decIn: Want[] = [
    { name: 'inputs_embeds', types: FLOATS, rank: 3, dims: { 2: H } },
    { name: 'attention_mask', types: ['int64'], rank: 2 },
    { name: 'position_ids', types: ['int64'], rank: 2 },
  ];
  const decOut: Want[] = [{ name: 'logits', types: FLOATS, rank: 3, dims: { 2: c.vocab_size } }];
  for (let i = 0; i < L; i++) {
    for (const kv of ['key', 'value']) {
      decIn.push({ name: `past_key_values.${i}.${kv}`, types: FLOATS, rank: 4, dims: { 1: KV, 3: D } });
      decOut.push({ name: `present.${i}.${kv}`, types: FLOATS, rank: 4, dims: { 1: KV, 3: D } });
    }
  }
  // Older Optimum merged decoders declare use_cache_branch, newer ones num_logits_to_keep; each is fed when present.
  checkSession(bundle.files.decoder_model_merged, sessions.decoder_model_merged, decIn, decOut, ['use_cache_branch', 'num_logits_to_keep']);
}
