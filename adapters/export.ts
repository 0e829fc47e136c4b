// eve-eval export: a published checkpoint folder → a model bundle. Reads config.json, recognises the
// family and layout, streams the tensors tensor by tensor into the three ONNX parts per precision,
// writes the tokenizer (converted from SentencePiece where the checkpoint has only tokenizer.model),
// and renames the finished folder into place, so --out never holds a half-written bundle.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Family } from '../core/model-family.ts';
import eve from './eve/export.ts';
import fuyu from './fuyu/export.ts';
import llava from './llava/export.ts';
import { NotSupportedError, UserError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';
import { PRECISION_SUFFIX } from '../core/bundle-layout.ts';
import { openCheckpoint } from '../export/checkpoint/open.ts';
import type { Checkpoint } from '../export/checkpoint/types.ts';
import { buildDecoderGraph, buildEmbedGraph, useFusedDecoder } from '../export/decoder.ts';
import type { ExportFamily, ExportInput, ExportPlan } from '../export/family.ts';
import { Graph, type Precision } from '../export/onnx/graph.ts';
import { convertSentencePieceFile } from '../export/tokenizer/sentencepiece.ts';
import { Weights } from '../export/weights.ts';

export const EXPORT_FAMILIES: readonly ExportFamily[] = [eve, llava, fuyu];
export const EXPORT_PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'q4'];

export interface ExportOptions {
  checkpoint: string;
  out: string;
  family?: Family;
  precisions?: Precision[];
  visionTower?: string;
  /** Parts whose weights total less stay one .onnx file (default 1 GiB; 0: always external data). */
  inlineLimit?: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface ExportResult {
  out: string;
  family: Family;
  layout: string;
  files: { file: string; bytes: number }[];
  keys: ReturnType<Weights['summary']>;
  notes: string[];
  seconds: number;
}

function readConfig(dir: string): { file: string; config: Record<string, unknown> } {
  const file = join(dir, 'config.json');
  if (!existsSync(dir)) throw new UserError(`${dir}: checkpoint folder does not exist`);
  if (!existsSync(file)) throw new UserError(`${file}: missing (a checkpoint folder has its config.json)`);
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!config || typeof config !== 'object' || Array.isArray(config)) throw new Error('not a JSON object');
    return { file, config: config as Record<string, unknown> };
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

export function detectFamily(file: string, config: Record<string, unknown>, wanted?: Family): ExportFamily {
  const found = EXPORT_FAMILIES.find((f) => f.detect(config));
  if (wanted) {
    const fam = EXPORT_FAMILIES.find((f) => f.family === wanted)!;
    if (found && found !== fam)
      throw new UserError(`${file}: this is a ${found.family} checkpoint (model_type ${JSON.stringify(config.model_type)}), not ${wanted}`);
    if (!found) throw new UserError(`${file}: model_type ${JSON.stringify(config.model_type)} is not a ${wanted} checkpoint`);
    return fam;
  }
  if (typeof config.model_type === 'string' && config.model_type.startsWith('eve-')) {
    throw new NotSupportedError(`${file}: exporting EVEv2 (model_type ${JSON.stringify(config.model_type)})`);
  }
  if (!found)
    throw new UserError(
      `${file}: model_type ${JSON.stringify(config.model_type)} is not one eve-eval exports (eve, llava, fuyu); pass --family if this is one of them`,
    );
  return found;
}

/** The tokenizer (converted when the checkpoint holds only SentencePiece's), and its configs as they are. */
function writeTokenizer(plan: ExportPlan, dir: string, tmp: string): void {
  const t = plan.tokenizer;
  if (t.kind === 'tokenizer.json') copyFileSync(t.file, join(tmp, 'tokenizer.json'));
  else {
    writeFileSync(join(tmp, 'tokenizer.json'), JSON.stringify(convertSentencePieceFile(t.model, t.config), null, 2) + '\n');
    plan.notes.push(`tokenizer.json converted from ${basename(t.model)} the way transformers' LlamaConverter does`);
  }
  for (const f of ['tokenizer_config.json', 'special_tokens_map.json']) if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(tmp, f));
}

/** One part at one precision: built, saved, its files returned; a failure leaves no partial file. */
function buildPart(file: string, name: string, precision: Precision, inlineLimit: number | undefined, build: (g: Graph) => void): string[] {
  const g = new Graph({ name, precision, dataFile: `${file}_data`, inlineLimit });
  try {
    build(g);
    return g.save(file);
  } catch (err) {
    g.discard();
    throw err;
  }
}

export function exportCheckpoint(opts: ExportOptions): ExportResult {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const dir = resolve(opts.checkpoint);
  const out = resolve(opts.out);
  const precisions = opts.precisions ?? ['fp32'];
  if (existsSync(out) && readdirSync(out).length > 0) throw new UserError(`${out}: already exists and is not empty (remove it or choose another --out)`);
  const { file: configFile, config } = readConfig(dir);
  const family = detectFamily(configFile, config, opts.family);

  const sources: Record<string, Checkpoint> = { main: openCheckpoint(dir) };
  let visionTower: ExportInput['visionTower'];
  if (opts.visionTower) {
    const vt = resolve(opts.visionTower);
    const c = readConfig(vt);
    visionTower = { dir: vt, configFile: c.file, config: c.config };
    sources.vision = openCheckpoint(vt);
  }
  const weights = new Weights(sources);
  const tmp = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  try {
    const plan = family.plan({ dir, configFile, config, visionTower, keys: sources.main.keys() });
    log(`export: ${plan.layout} from ${dir}`);
    plan.skipKnown(weights);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, 'onnx'), { recursive: true });
    const files: string[] = [];
    for (const p of precisions) {
      const suffix = PRECISION_SUFFIX[p];
      const at = (part: string) => join(tmp, 'onnx', `${part}${suffix}.onnx`);
      log(`export: ${p}: vision_encoder`);
      files.push(...buildPart(at('vision_encoder'), `${plan.family}-vision`, p, opts.inlineLimit, (g) => plan.buildVision(g, weights)));
      log(`export: ${p}: embed_tokens`);
      files.push(...buildPart(at('embed_tokens'), `${plan.family}-embed`, p, opts.inlineLimit, (g) => buildEmbedGraph(g, plan.embedWeight(weights))));
      // fp32 keeps plain operators (the exact reference); fp16 and q4 use onnxruntime's fused ones.
      const fused = useFusedDecoder(p);
      log(`export: ${p}: decoder_model_merged (${plan.decoder.layers} layers${fused ? ', fused operators' : ''})`);
      files.push(
        ...buildPart(at('decoder_model_merged'), `${plan.family}-decoder`, p, opts.inlineLimit, (g) =>
          buildDecoderGraph(g, (k) => plan.decoderWeight(weights, k), plan.decoder, { fused }),
        ),
      );
    }
    writeTokenizer(plan, dir, tmp);
    // transformers.js looks parts up by their file name (decoder_model_merged_q4.onnx → how many data files).
    const external = files.filter((f) => f.endsWith('.onnx_data')).map((f) => basename(f, '_data'));
    const bundleConfig: Record<string, unknown> = { ...plan.bundleConfig };
    if (external.length) bundleConfig['transformers.js_config'] = { use_external_data_format: Object.fromEntries(external.map((n) => [n, 1])) };
    writeFileSync(join(tmp, 'config.json'), JSON.stringify(bundleConfig, null, 2) + '\n');
    writeFileSync(join(tmp, 'preprocessor_config.json'), JSON.stringify(plan.preprocessorConfig, null, 2) + '\n');
    const keys = weights.summary();
    for (const [reason, n] of Object.entries(keys.skipped)) log(`export: skipped ${n} key(s): ${reason}`);
    for (const [source, list] of Object.entries(keys.unused)) {
      log(
        `export: ${list.length} ${source} checkpoint key(s) not used by the ${plan.family} graphs: ${list.slice(0, 8).join(', ')}${list.length > 8 ? ', …' : ''}`,
      );
    }
    for (const n of plan.notes) log(`note: ${n}`);
    writeFileSync(
      join(tmp, 'export.json'),
      JSON.stringify(
        {
          exporter: `eve-eval ${VERSION}`,
          checkpoint: basename(dir),
          vision_tower: visionTower ? basename(visionTower.dir) : undefined,
          layout: plan.layout,
          precisions,
          keys,
          notes: plan.notes,
        },
        null,
        2,
      ) + '\n',
    );
    if (existsSync(out)) rmSync(out, { recursive: true, force: true }); // empty, checked above
    renameSync(tmp, out);
    const result: ExportResult = {
      out,
      family: plan.family,
      layout: plan.layout,
      keys,
      notes: plan.notes,
      files: files.map((f) => join(out, 'onnx', basename(f))).map((file) => ({ file, bytes: statSync(file).size })),
      seconds: (performance.now() - t0) / 1000,
    };
    return result;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    weights.close();
  }
}
