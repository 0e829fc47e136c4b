// `eve-eval export` end to end, as a user runs it: a tiny checkpoint laid out exactly like
// BAAI/EVE-7B-v1.0 (bf16 .bin shards + index, SentencePiece tokenizer.model, training-only keys) is
// exported, then `predict` and `run` use the result with no hand edits. And every kind of bad
// checkpoint gives one line naming the file (and key), exit 2, and leaves nothing in --out.
// No Python needed: the checkpoints are written by the fixture generator's TypeScript writers.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../../../export/checkpoint/open.ts';
import { writeSafetensors } from '../../../../export/checkpoint/safetensors.ts';
import { writeShardedCheckpoint } from '../../../../export/checkpoint/shards.ts';
import { exportCheckpoint } from '../../../../adapters/export.ts';
import { writeTinyEve, writeTinyFuyu } from '../../../../fixtures/models/generate.ts';
import { cli } from './cli-helpers.ts';

const REPO = join(import.meta.dirname, '..', '..', '..', '..');
const IMAGE = join(REPO, 'test', 'fixtures', 'preprocess-reference', 'images', 'land-64x48.png');
let root = '';
let eveCkpt = '';

/** A fresh copy of the EVE-layout checkpoint to break. */
function eveCopy(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeTinyEve(dir);
  return dir;
}

function exportError(opts: Parameters<typeof exportCheckpoint>[0]): string {
  try {
    exportCheckpoint(opts);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('export succeeded where it should have failed');
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'eve-eval-export-'));
  eveCkpt = eveCopy('eve-7b-v1.0');
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('eve-eval export → predict → run (EVE-7B-v1.0 layout)', () => {
  it('exports with family detection, then predict and run work on the bundle as written', () => {
    expect(readdirSync(eveCkpt).sort()).toEqual([
      'config.json',
      'pytorch_model-00001-of-00002.bin',
      'pytorch_model-00002-of-00002.bin',
      'pytorch_model.bin.index.json',
      'tokenizer.model',
      'tokenizer_config.json',
    ]);
    const bundle = join(root, 'bundle-eve');
    const ex = cli('export', '--checkpoint', eveCkpt, '--out', bundle, '--precision', 'fp32,q4', '--json');
    expect(ex.stderr).toContain('training-only');
    expect(ex.status, ex.stderr).toBe(0);
    const summary = JSON.parse(ex.stdout) as { family: string; keys: { used: number; skipped: Record<string, number>; unused: Record<string, string[]> } };
    expect(summary.family).toBe('eve');
    expect(summary.keys.unused).toEqual({});
    expect(Object.values(summary.keys.skipped).reduce((a, b) => a + b, 0)).toBe(2);
    for (const f of [
      'config.json',
      'preprocessor_config.json',
      'tokenizer.json',
      'export.json',
      'onnx/decoder_model_merged.onnx',
      'onnx/decoder_model_merged_q4.onnx',
    ]) {
      expect(existsSync(join(bundle, f)), f).toBe(true);
    }
    // The tokenizer was converted from tokenizer.model: it must equal the LLaMA-2 tokenizer.json the fixtures ship.
    expect(JSON.parse(readFileSync(join(bundle, 'tokenizer.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(join(REPO, 'fixtures', 'models', 'tiny-eve', 'tokenizer.json'), 'utf8')),
    );

    const pr = cli('predict', '--model', bundle, '--image', IMAGE, '--prompt', 'What is this?', '--max-new-tokens', '4', '--json');
    expect(pr.status, pr.stderr).toBe(0);
    // 64×48 → 672×504 → 24×18 cells → 1 + 18·25 = 451 image tokens.
    expect(JSON.parse(pr.stdout).image_tokens).toBe(451);
    const q4 = cli('predict', '--model', bundle, '--image', IMAGE, '--prompt', 'What is this?', '--max-new-tokens', '4', '--precision', 'q4', '--json');
    expect(q4.status, q4.stderr).toBe(0);

    const out = join(root, 'run');
    const run = cli('run', '--models', bundle, '--benchmarks', 'pope', '--limit', '3', '--max-new-tokens', '2', '--out', out);
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { results?: unknown[] } | unknown[];
    expect(JSON.stringify(results)).toContain('bundle-eve');
  }, 180_000);
});

describe('eve-eval export: bad checkpoints', () => {
  it('refuses a checkpoint of another family (one line, exit 2, nothing in --out)', () => {
    const out = join(root, 'out-family');
    const r = cli('export', '--checkpoint', eveCkpt, '--out', out, '--family', 'fuyu');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${join(eveCkpt, 'config.json')}: this is a eve checkpoint`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('names a shard the index lists that is absent', () => {
    const dir = eveCopy('missing-shard');
    unlinkSync(join(dir, 'pytorch_model-00002-of-00002.bin'));
    const msg = exportError({ checkpoint: dir, out: join(root, 'o1') });
    expect(msg).toContain('pytorch_model-00002-of-00002.bin');
    expect(existsSync(join(root, 'o1'))).toBe(false);
  });

  it('names a truncated shard', () => {
    const dir = eveCopy('truncated');
    const shard = join(dir, 'pytorch_model-00001-of-00002.bin');
    truncateSync(shard, 100_000);
    expect(exportError({ checkpoint: dir, out: join(root, 'o2') })).toContain(shard);
  });

  it('names an index entry pointing at a file that does not exist', () => {
    const dir = eveCopy('bad-index');
    const idx = join(dir, 'pytorch_model.bin.index.json');
    const j = JSON.parse(readFileSync(idx, 'utf8')) as { weight_map: Record<string, string> };
    j.weight_map['lm_head.weight'] = 'pytorch_model-00003-of-00002.bin';
    writeFileSync(idx, JSON.stringify(j));
    const msg = exportError({ checkpoint: dir, out: join(root, 'o3') });
    expect(msg).toContain('pytorch_model-00003-of-00002.bin');
  });

  it('names a config field the family needs', () => {
    const dir = eveCopy('no-tower');
    const cfg = join(dir, 'config.json');
    const c = JSON.parse(readFileSync(cfg, 'utf8')) as Record<string, unknown>;
    delete c.mm_vision_tower;
    writeFileSync(cfg, JSON.stringify(c));
    expect(exportError({ checkpoint: dir, out: join(root, 'o4') })).toBe(`${cfg}: "mm_vision_tower" must be a string (got undefined)`);
  });

  it("asks for --vision-tower on LLaVA's original layout", () => {
    const dir = join(root, 'llava-original');
    writeShardedCheckpoint(dir, 'bin', [{ name: 'model.embed_tokens.weight', dtype: 'F16', shape: [4, 2], data: new Float32Array(8) }], { maxShardBytes: 1e9 });
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        architectures: ['LlavaLlamaForCausalLM'],
        model_type: 'llava',
        hidden_size: 2,
        intermediate_size: 4,
        num_hidden_layers: 1,
        num_attention_heads: 1,
        vocab_size: 4,
        rms_norm_eps: 1e-5,
        mm_projector_type: 'mlp2x_gelu',
        mm_vision_tower: 'openai/clip-vit-large-patch14-336',
      }),
    );
    expect(exportError({ checkpoint: dir, out: join(root, 'o9') })).toBe(
      `${dir}: this LLaVA checkpoint keeps its vision tower (openai/clip-vit-large-patch14-336) in a separate checkpoint: pass --vision-tower DIR`,
    );
  });

  it('refuses EVEv2 as not supported yet', () => {
    const dir = eveCopy('eve-v2');
    const cfg = join(dir, 'config.json');
    writeFileSync(cfg, JSON.stringify({ ...JSON.parse(readFileSync(cfg, 'utf8')), model_type: 'eve-qwen2', architectures: ['EVEQwen2ForCausalLM'] }));
    expect(exportError({ checkpoint: dir, out: join(root, 'o8') })).toBe(`${cfg}: exporting EVEv2 (model_type "eve-qwen2") is not supported yet`);
  });

  it('names a tensor the family needs and the checkpoint lacks, and leaves no partial bundle', () => {
    const dir = eveCopy('no-head');
    const idx = join(dir, 'pytorch_model.bin.index.json');
    const j = JSON.parse(readFileSync(idx, 'utf8')) as { weight_map: Record<string, string> };
    delete j.weight_map['model.mm_projector.2.bias'];
    writeFileSync(idx, JSON.stringify(j));
    const out = join(root, 'o5');
    expect(exportError({ checkpoint: dir, out })).toContain("(tensor 'model.mm_projector.2.bias'): is missing from the checkpoint");
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('reports keys no graph uses instead of dropping them silently', () => {
    const dir = join(root, 'fuyu-extra');
    mkdirSync(dir);
    writeTinyFuyu(dir, join(REPO, 'fixtures', 'models', 'tiny-fuyu'));
    // Re-write the checkpoint with one tensor no Fuyu graph reads.
    const file = join(dir, 'model.safetensors');
    const ck = openCheckpoint(dir);
    const tensors = ck.keys().map((name) => ({ name, dtype: 'F32' as const, shape: ck.info(name)!.shape, data: ck.readFloat32(name) }));
    ck.close();
    writeSafetensors(file, [...tensors, { name: 'language_model.model.extra_adapter.weight', dtype: 'F32', shape: [2, 2], data: new Float32Array(4) }]);
    const lines: string[] = [];
    const r = exportCheckpoint({ checkpoint: dir, out: join(root, 'o6'), log: (l) => lines.push(l) });
    expect(r.family).toBe('fuyu');
    expect(r.keys.unused).toEqual({ main: ['language_model.model.extra_adapter.weight'] });
    expect(lines.join('\n')).toContain('1 main checkpoint key(s) not used by the fuyu graphs: language_model.model.extra_adapter.weight');
  });

  it("reads Fuyu-8B's first upload (model.*, lm_head.weight) into the same graphs", () => {
    const now = join(root, 'fuyu-now');
    const first = join(root, 'fuyu-first-upload');
    mkdirSync(now);
    mkdirSync(first);
    writeTinyFuyu(now, join(REPO, 'fixtures', 'models', 'tiny-fuyu'));
    writeTinyFuyu(first, join(REPO, 'fixtures', 'models', 'tiny-fuyu'));
    const ck = openCheckpoint(now);
    const renamed = ck.keys().map((name) => ({
      name: name.replace(/^language_model\.model\./, 'model.').replace(/^language_model\.lm_head\./, 'lm_head.'),
      dtype: 'BF16' as const,
      shape: ck.info(name)!.shape,
      data: ck.readFloat32(name),
    }));
    ck.close();
    expect(renamed.some((t) => t.name === 'lm_head.weight')).toBe(true);
    writeSafetensors(join(first, 'model.safetensors'), renamed);
    const a = exportCheckpoint({ checkpoint: now, out: join(root, 'o10') });
    const b = exportCheckpoint({ checkpoint: first, out: join(root, 'o11') });
    expect(b.keys.unused).toEqual({});
    for (const part of ['vision_encoder.onnx', 'embed_tokens.onnx', 'decoder_model_merged.onnx']) {
      expect(readFileSync(join(b.out, 'onnx', part)).equals(readFileSync(join(a.out, 'onnx', part))), part).toBe(true);
    }
  });

  it('refuses a tensor in an unsupported dtype, naming file and key', () => {
    const dir = join(root, 'fuyu-f8');
    mkdirSync(dir);
    writeTinyFuyu(dir, join(REPO, 'fixtures', 'models', 'tiny-fuyu'));
    // A safetensors file whose vision bias is uint16: hand-written header, as the format defines it.
    const file = join(dir, 'model.safetensors');
    const buf = readFileSync(file);
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    const t = header['vision_embed_tokens.bias'];
    // Same bytes reinterpreted: the 32-value BF16 bias becomes 32 U16 values, a dtype no float graph takes.
    header['vision_embed_tokens.bias'] = { ...t, dtype: 'U16' };
    let text = JSON.stringify(header);
    text += ' '.repeat((8 - (text.length % 8)) % 8);
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(BigInt(text.length));
    writeFileSync(file, Buffer.concat([head, Buffer.from(text), buf.subarray(8 + n)]));
    const msg = exportError({ checkpoint: dir, out: join(root, 'o7') });
    expect(msg).toContain(file);
    expect(msg).toContain('vision_embed_tokens.bias');
  });
});
