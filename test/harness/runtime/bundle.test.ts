// Bundle loading and session validation: precision suffixes, a missing part, KV names or sizes that
// do not match config.json. Each failure is one line naming the file.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxPkg from 'onnx-proto';
import { loadBundle, validateSessions } from '../../../harness/runtime/bundle.ts';
import { PARTS, type PartName } from '../../../core/bundle-layout.ts';
import { createPart } from '../../../harness/runtime/session.ts';
import { InputError } from '../../../core/errors.ts';

const { onnx } = onnxPkg as unknown as { onnx: any };
const FUYU = fileURLToPath(new URL('../../../fixtures/models/tiny-fuyu', import.meta.url));

let tmp: string;
function freshBundle(name: string): string {
  const dir = join(tmp, name);
  cpSync(FUYU, dir, { recursive: true });
  // The families side writes the real preprocessor config; only its presence matters here.
  if (!existsSync(join(dir, 'preprocessor_config.json'))) writeFileSync(join(dir, 'preprocessor_config.json'), '{}');
  return dir;
}

async function sessionsOf(dir: string) {
  const b = loadBundle(dir);
  const s = {} as Record<PartName, any>;
  for (const p of PARTS) s[p] = (await createPart(b.files[p], { device: 'cpu', threads: 1 })).session;
  return { b, s };
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'eve-bundle-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadBundle', () => {
  it('resolves the three parts, external data included, and validates the real tiny bundle', async () => {
    const { b, s } = await sessionsOf(freshBundle('ok'));
    expect(b.files.decoder_model_merged.endsWith('onnx/decoder_model_merged.onnx')).toBe(true);
    expect(b.allFiles.some((f) => f.endsWith('vision_encoder.onnx_data'))).toBe(true);
    expect(() => validateSessions(b, s)).not.toThrow();
  });

  it('counts chunked external data (transformers.js <part>.onnx_data_1, _2) in the fingerprinted files, not other variants', () => {
    const dir = freshBundle('chunks');
    writeFileSync(join(dir, 'onnx', 'decoder_model_merged.onnx_data_1'), 'x');
    writeFileSync(join(dir, 'onnx', 'decoder_model_merged_fp16.onnx_data'), 'y');
    const files = loadBundle(dir).allFiles.map((f) => f.split('/').pop());
    expect(files).toContain('decoder_model_merged.onnx_data_1');
    expect(files).not.toContain('decoder_model_merged_fp16.onnx_data');
  });

  it('picks precision variants by their transformers.js suffix', () => {
    const dir = freshBundle('fp16');
    for (const p of PARTS) cpSync(join(dir, 'onnx', `${p}.onnx`), join(dir, 'onnx', `${p}_q4.onnx`));
    const b = loadBundle(dir, { decoder_model_merged: 'q4' });
    expect(b.files.decoder_model_merged.endsWith('decoder_model_merged_q4.onnx')).toBe(true);
    expect(b.files.vision_encoder.endsWith('vision_encoder.onnx')).toBe(true);
    const e = errorOf(() => loadBundle(dir, 'fp16'));
    expect(e.message).toContain(join(dir, 'onnx', 'vision_encoder_fp16.onnx'));
    expect(errorOf(() => loadBundle(dir, 'fp8')).message).toContain('unknown precision "fp8"');
  });

  it('a missing ONNX part is a one-line error naming the file', () => {
    const dir = freshBundle('missing');
    unlinkSync(join(dir, 'onnx', 'embed_tokens.onnx'));
    const e = errorOf(() => loadBundle(dir));
    expect(e.message).toBe(`${join(dir, 'onnx', 'embed_tokens.onnx')}: missing ONNX part embed_tokens (precision fp32)`);
    expect(e.message.includes('\n')).toBe(false);
  });

  it('a config.json without the family or with a bad field names config.json', () => {
    const dir = freshBundle('badcfg');
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, family: 'gpt' }));
    expect(errorOf(() => loadBundle(dir)).message).toMatch(/config\.json: "family" must be one of eve, fuyu, llava/);
    writeFileSync(join(dir, 'config.json'), '{ not json');
    expect(errorOf(() => loadBundle(dir)).message).toMatch(/config\.json: not valid JSON/);
  });
});

describe('validateSessions', () => {
  it('a decoder whose KV input names do not match the config names the decoder file', async () => {
    const dir = freshBundle('kvnames');
    const file = join(dir, 'onnx', 'decoder_model_merged.onnx');
    // Rename past_key_values.1.* to an older export's "past.1.*" inside the graph.
    const model = onnx.ModelProto.decode(readFileSync(file));
    const rename = (n: string) => n.replace(/^past_key_values\.1\./, 'past.1.');
    for (const i of model.graph.input) i.name = rename(i.name);
    for (const n of model.graph.node) n.input = n.input.map(rename);
    writeFileSync(file, onnx.ModelProto.encode(model).finish());
    const { b, s } = await sessionsOf(dir);
    const e = errorOf(() => validateSessions(b, s));
    expect(e.message).toBe(`${file}: input "past_key_values.1.key" is missing`);
  });

  it('more layers or other KV heads in config.json than in the decoder are named', async () => {
    const dir = freshBundle('kvsize');
    const cfgFile = join(dir, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    writeFileSync(cfgFile, JSON.stringify({ ...cfg, num_key_value_heads: 2 }));
    let { b, s } = await sessionsOf(dir);
    expect(errorOf(() => validateSessions(b, s)).message).toMatch(
      /decoder_model_merged\.onnx: input "past_key_values\.0\.key" has size 4 at axis 1 .* config\.json needs 2/,
    );
    writeFileSync(cfgFile, JSON.stringify({ ...cfg, num_hidden_layers: 3 }));
    ({ b, s } = await sessionsOf(dir));
    expect(errorOf(() => validateSessions(b, s)).message).toMatch(/decoder_model_merged\.onnx: input "past_key_values\.2\.key" is missing/);
    writeFileSync(cfgFile, JSON.stringify({ ...cfg, num_hidden_layers: 1 }));
    ({ b, s } = await sessionsOf(dir));
    expect(errorOf(() => validateSessions(b, s)).message).toMatch(
      /decoder_model_merged\.onnx: unexpected inputs "past_key_values\.1\.key", "past_key_values\.1\.value"/,
    );
  });

  it('a vision encoder of the wrong family (rank) is named', async () => {
    const dir = freshBundle('vision');
    cpSync(fileURLToPath(new URL('../../../fixtures/models/tiny-llava/onnx/vision_encoder.onnx', import.meta.url)), join(dir, 'onnx', 'vision_encoder.onnx'));
    const { b, s } = await sessionsOf(dir);
    expect(errorOf(() => validateSessions(b, s)).message).toMatch(/vision_encoder\.onnx: input "pixel_values" has rank 4 \[1,3,336,336\], expected rank 3/);
  });

  it('an LLaVA vision encoder in an EVE bundle is refused at load, naming the file and the channel count', async () => {
    const dir = join(tmp, 'eve-with-llava-vision');
    cpSync(fileURLToPath(new URL('../../../fixtures/models/tiny-eve', import.meta.url)), dir, { recursive: true });
    const file = join(dir, 'onnx', 'vision_encoder.onnx');
    cpSync(fileURLToPath(new URL('../../../fixtures/models/tiny-llava/onnx/vision_encoder.onnx', import.meta.url)), file);
    const { b, s } = await sessionsOf(dir);
    expect(errorOf(() => validateSessions(b, s)).message).toBe(`${file}: input "pixel_values" has size 3 at axis 1 [1,3,336,336], config.json needs 4`);
  });

  it('a corrupt ONNX file is a one-line error naming it', async () => {
    const dir = freshBundle('corrupt');
    const file = join(dir, 'onnx', 'embed_tokens.onnx');
    writeFileSync(file, 'not a protobuf');
    await expect(createPart(file, { device: 'cpu' })).rejects.toThrow(new RegExp(`^${file.replace(/[.]/g, '\\.')}: cannot load ONNX model: [^\\n]+$`));
  });
});
