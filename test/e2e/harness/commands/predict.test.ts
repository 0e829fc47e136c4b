// eve-eval predict end to end on the tiny bundles (real ONNX graphs, real tokenizers): image-token
// counts per family and size, --json shape, bad images and bad bundles as one-line errors with exit 2.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import onnxPkg from 'onnx-proto';

const { onnx } = onnxPkg as unknown as { onnx: any };
const BIN = fileURLToPath(new URL('../../../../bin/eve-eval.js', import.meta.url));
const MODELS = fileURLToPath(new URL('../../../../fixtures/models', import.meta.url));
const ready = ['tiny-eve', 'tiny-fuyu', 'tiny-llava'].every(
  (b) => existsSync(join(MODELS, b, 'tokenizer.json')) && existsSync(join(MODELS, b, 'preprocessor_config.json')),
);
if (!ready) console.log('predict tests skipped: the tiny bundles have no tokenizer.json / preprocessor_config.json yet (run the families generator)');

let tmp: string;

function predict(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'predict', '--max-new-tokens', '8', '--threads', '1', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[]) {
  const r = predict([...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { text: string; image_tokens: number; prompt_tokens: number; generated_tokens: number; timings: Record<string, number> };
}

async function picture(w: number, h: number, file: string): Promise<string> {
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7 + Math.floor(i / (w * 3)) * 3) % 256;
  await sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(join(tmp, file));
  return join(tmp, file);
}

describe.skipIf(!ready)('eve-eval predict', () => {
  const img: Record<string, string> = {};
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'eve-predict-'));
    img.vga = await picture(640, 480, 'vga.png');
    img.square = await picture(1024, 1024, 'square.png');
    img.hd = await picture(1920, 1080, 'hd.png');
    img.tall = await picture(300, 700, 'tall.png');
    const jpeg = await sharp(readFileSync(img.vga)).jpeg().toBuffer();
    img.jpg = join(tmp, 'ok.jpg');
    writeFileSync(img.jpg, jpeg);
    img.truncated = join(tmp, 'truncated.jpg');
    writeFileSync(img.truncated, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    img.corrupt = join(tmp, 'corrupt.png');
    writeFileSync(img.corrupt, Buffer.from('\x89PNG\r\n\x1a\nthis is not really a png at all'));
    img.empty = join(tmp, 'empty.jpg');
    writeFileSync(img.empty, Buffer.alloc(0));
    img.thin = await picture(1, 20000, 'thin.png');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('tiny-eve: 640×480 → 451 image tokens, 1024×1024 → 601, 1920×1080 → 351', () => {
    const model = join(MODELS, 'tiny-eve');
    const prompt = ['--prompt', 'What is in the image?\nAnswer the question using a single word or phrase.'];
    const a = json(['--model', model, '--image', img.vga, ...prompt]);
    expect(a.image_tokens).toBe(451);
    expect(json(['--model', model, '--image', img.square, ...prompt]).image_tokens).toBe(601);
    expect(json(['--model', model, '--image', img.hd, ...prompt]).image_tokens).toBe(351);
    expect(Object.keys(a).sort()).toEqual(['generated_tokens', 'image_tokens', 'prompt_tokens', 'text', 'timings']);
    expect(Object.keys(a.timings).sort()).toEqual(['decode_ms', 'prefill_ms', 'preprocess_ms']);
    expect(a.generated_tokens).toBeGreaterThan(0);
    expect(a.generated_tokens).toBeLessThanOrEqual(8);
    // vicuna_v1 system text + "USER: " before the image, "\n{prompt} ASSISTANT:" after: well over 40 ids.
    expect(a.prompt_tokens).toBeGreaterThan(40);
  });

  it('tiny-llava: always 576 image tokens', () => {
    const model = join(MODELS, 'tiny-llava');
    for (const f of [img.vga, img.tall]) expect(json(['--model', model, '--image', f, '--prompt', 'Describe it.']).image_tokens).toBe(576);
  });

  it('tiny-fuyu: 640×480 → 22×16 patches + 16 newlines = 368', () => {
    const r = json(['--model', join(MODELS, 'tiny-fuyu'), '--image', img.jpg, '--prompt', 'Generate a coco-style caption.\n']);
    expect(r.image_tokens).toBe(368);
  });

  it('plain output is the answer text, deterministic across runs', () => {
    const args = ['--model', join(MODELS, 'tiny-eve'), '--image', img.vga, '--prompt', 'Describe it.'];
    const a = predict(args);
    const b = predict(args);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toBe(json(args).text + '\n');
  });

  for (const [name, label, bundle] of [
    ['corrupt', 'corrupt', 'tiny-eve'],
    ['truncated', 'truncated', 'tiny-eve'],
    ['empty', 'zero-byte', 'tiny-eve'],
    // Fuyu's fit-into-1080×1920 gives it zero width; LLaVA's pad-to-square is 20000² pixels.
    ['thin', '1×20000', 'tiny-fuyu'],
    ['thin', '1×20000', 'tiny-llava'],
  ] as const) {
    it(`${bundle}: a ${label} image is a one-line error naming the file, exit 2`, () => {
      const r = predict(['--model', join(MODELS, bundle), '--image', img[name], '--prompt', 'x']);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(img[name]);
    });
  }

  it('tiny-eve takes a 1×20000 image as the reference code does: 28×672 → 1 + 24·(1+1) = 49 tokens', () => {
    expect(json(['--model', join(MODELS, 'tiny-eve'), '--image', img.thin, '--prompt', 'x']).image_tokens).toBe(49);
  });

  it('a missing image file is a one-line error naming it', () => {
    const r = predict(['--model', join(MODELS, 'tiny-eve'), '--image', join(tmp, 'nope.png'), '--prompt', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/nope\.png: cannot read image: ENOENT$/);
  });

  it('a bundle with a missing ONNX part is a one-line error naming the file, exit 2', () => {
    const dir = join(tmp, 'no-decoder');
    cpSync(join(MODELS, 'tiny-fuyu'), dir, { recursive: true });
    unlinkSync(join(dir, 'onnx', 'decoder_model_merged.onnx'));
    const r = predict(['--model', dir, '--image', img.vga, '--prompt', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`eve-eval: ${join(dir, 'onnx', 'decoder_model_merged.onnx')}: missing ONNX part decoder_model_merged (precision fp32)`);
  });

  it('a decoder whose KV names do not match the config is a one-line error naming the file, exit 2', () => {
    const dir = join(tmp, 'kv-names');
    cpSync(join(MODELS, 'tiny-fuyu'), dir, { recursive: true });
    const file = join(dir, 'onnx', 'decoder_model_merged.onnx');
    const model = onnx.ModelProto.decode(readFileSync(file));
    const rename = (n: string) => n.replace(/^past_key_values\.0\.value$/, 'past_key_values.0.val');
    for (const i of model.graph.input) i.name = rename(i.name);
    for (const n of model.graph.node) n.input = n.input.map(rename);
    writeFileSync(file, onnx.ModelProto.encode(model).finish());
    const r = predict(['--model', dir, '--image', img.vga, '--prompt', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`eve-eval: ${file}: input "past_key_values.0.value" is missing`);
  });

  it('--device webgpu without an adapter falls back to the CPU with one notice and still answers', () => {
    const args = ['--model', join(MODELS, 'tiny-fuyu'), '--image', img.vga, '--prompt', 'x'];
    const r = predict([...args, '--device', 'webgpu']);
    expect(r.status).toBe(0);
    const cpu = predict(args);
    expect(r.stdout).toBe(cpu.stdout);
    // Either WebGPU really works here (no notice) or exactly one fallback notice was printed.
    const notices = r.stderr.split('\n').filter((l) => l.includes('falling back to cpu'));
    expect(notices.length).toBeLessThanOrEqual(1);
  });

  it('an unknown device is a usage error, exit 2', () => {
    const r = predict(['--model', join(MODELS, 'tiny-eve'), '--image', img.vga, '--prompt', 'x', '--device', 'tpu']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--device must be one of cpu, cuda, webgpu');
  });
});
