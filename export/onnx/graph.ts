// The one ONNX graph builder: every part of every bundle (the exporter's and, through it, the tiny
// fixtures') is written node by node here, with onnx-proto, so exporting needs no Python.
// Weights are streamed to an external-data file as they are added, so building a 7B decoder never
// holds more than one tensor; at save() a part under INLINE_LIMIT is folded back into the .onnx file.
import { closeSync, openSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import onnxPkg from 'onnx-proto';
import { toHalf } from '../../core/float16.ts';

const { onnx } = onnxPkg as unknown as { onnx: any };

export const FLOAT = 1;
export const UINT8 = 2;
export const INT32 = 6;
export const INT64 = 7;
export const BOOL = 9;
export const FLOAT16 = 10;
export const OPSET = 17;
export const MS_DOMAIN = 'com.microsoft';

/** Largest finite float16: fp16 weights saturate here instead of becoming inf. */
export const HALF_MAX = 65504;
/** Parts whose weights total less than this stay one self-contained .onnx file (protobuf's limit is 2 GiB). */
export const INLINE_LIMIT = 1024 ** 3;
/** Smaller tensors (shapes, scalars) always stay inline, as Optimum and genai do. */
const EXTERNAL_MIN_BYTES = 1024;

/**
 * fp32: the exact reference. fp16: float16 weights and float16 graph I/O; the arithmetic stays float32
 * (every weight is Cast where it enters), because onnxruntime's CPU provider lacks float16 kernels for
 * several ops. q4: MatMul weights as 4-bit MatMulNBits blocks, everything else float32.
 */
export type Precision = 'fp32' | 'fp16' | 'q4';

export type Dim = number | string;
export type Attr = { name: string; type: number; i?: number; f?: number; ints?: number[]; floats?: number[] };
export const aI = (name: string, i: number): Attr => ({ name, type: 2, i });
export const aF = (name: string, f: number): Attr => ({ name, type: 1, f });
export const aIs = (name: string, ints: number[]): Attr => ({ name, type: 7, ints });

type InitData = Float32Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array;

function valueInfo(name: string, elemType: number, dims: Dim[]): any {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

export interface GraphOptions {
  /** Graph name, also the producer's note. */
  name: string;
  precision?: Precision;
  /** Where external data is streamed while building: `<file>.onnx_data` of the part being written. */
  dataFile?: string;
  /** Weights totalling less than this are folded back into the .onnx file (default INLINE_LIMIT). */
  inlineLimit?: number;
}

export class Graph {
  readonly precision: Precision;
  private nodes: any[] = [];
  private inits: any[] = [];
  private inputs: any[] = [];
  private outputs: any[] = [];
  private head: any[] = [];
  private n = 0;
  private domains = new Set<string>();
  private fd: number | undefined;
  private dataFile: string | undefined;
  private dataOffset = 0;

  constructor(readonly opts: GraphOptions) {
    this.precision = opts.precision ?? 'fp32';
    if (opts.dataFile) {
      this.dataFile = `${opts.dataFile}.partial`;
      this.fd = openSync(this.dataFile, 'w+');
    }
  }

  input(name: string, elemType: number, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** An initializer stored exactly as given (no precision conversion). */
  raw(name: string, dims: number[], dataType: number, data: InitData): string {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const t: any = { name, dims, dataType };
    if (this.fd !== undefined && bytes.length >= EXTERNAL_MIN_BYTES) {
      t.dataLocation = 1; // EXTERNAL
      t.externalData = [
        { key: 'location', value: '' }, // filled in at save(), when the final file name is known
        { key: 'offset', value: String(this.dataOffset) },
        { key: 'length', value: String(bytes.length) },
      ];
      let done = 0;
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.dataOffset + done);
      this.dataOffset += bytes.length;
    } else {
      t.rawData = bytes.slice();
    }
    this.inits.push(onnx.TensorProto.create(t));
    return name;
  }

  /** A float weight: float32, or float16 (cast back to float32 where it enters) in an fp16 graph. */
  weight(name: string, dims: number[], data: Float32Array): string {
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`graph ${this.opts.name}: ${name} has ${data.length} values for shape [${dims}]`);
    if (this.precision !== 'fp16') return this.raw(name, dims, FLOAT, data);
    const h = toHalf(data.map((v) => Math.min(HALF_MAX, Math.max(-HALF_MAX, v))));
    this.raw(`${name}.fp16`, dims, FLOAT16, h);
    this.head.push(this.node('Cast', [`${name}.fp16`], [name], [aI('to', FLOAT)]));
    return name;
  }

  i64(values: number[]): string {
    return this.raw(`c${this.n++}`, [values.length], INT64, BigInt64Array.from(values.map(BigInt)));
  }

  scalarF(v: number): string {
    return this.raw(`c${this.n++}`, [], FLOAT, Float32Array.of(v));
  }

  scalarI64(v: number): string {
    return this.raw(`c${this.n++}`, [], INT64, BigInt64Array.of(BigInt(v)));
  }

  private node(type: string, inputs: string[], outputs: string[], attrs: Attr[], domain = ''): any {
    if (domain) this.domains.add(domain);
    return onnx.NodeProto.create({
      opType: type,
      domain,
      input: inputs,
      output: outputs,
      name: `n${this.n++}`,
      attribute: attrs.map((a) => onnx.AttributeProto.create(a)),
    });
  }

  op(type: string, inputs: string[], attrs: Attr[] = [], out?: string, domain = ''): string {
    const o = out ?? `${type.toLowerCase()}_${this.n++}`;
    this.nodes.push(this.node(type, inputs, [o], attrs, domain));
    return o;
  }

  /** A node with several outputs (e.g. GroupQueryAttention); returns their names. */
  opN(type: string, inputs: string[], nOut: number, attrs: Attr[] = [], domain = ''): string[] {
    const outs = Array.from({ length: nOut }, (_, k) => `${type.toLowerCase()}_${this.n++}_${k}`);
    this.nodes.push(this.node(type, inputs, outs, attrs, domain));
    return outs;
  }

  /** fp16 graphs take and give float16 at the graph boundary; the Casts connect it to float32 inside. */
  private halfIO(): any[] {
    const tail: any[] = [];
    const renamed = new Set<string>();
    for (const v of this.inputs) {
      if (v.type.tensorType.elemType !== FLOAT) continue;
      v.type.tensorType.elemType = FLOAT16;
      renamed.add(v.name);
      this.head.push(this.node('Cast', [v.name], [`${v.name}.f32`], [aI('to', FLOAT)]));
    }
    for (const v of this.outputs) {
      if (v.type.tensorType.elemType !== FLOAT) continue;
      v.type.tensorType.elemType = FLOAT16;
      renamed.add(v.name);
      tail.push(this.node('Cast', [`${v.name}.f32`], [v.name], [aI('to', FLOAT16)]));
    }
    for (const n of this.nodes) {
      n.input = n.input.map((x: string) => (renamed.has(x) ? `${x}.f32` : x));
      n.output = n.output.map((x: string) => (renamed.has(x) ? `${x}.f32` : x));
    }
    return tail;
  }

  /** Bytes of weights written so far (external data). */
  get weightBytes(): number {
    return this.dataOffset;
  }

  /**
   * Write the part to `file` (and `<file>_data` when its weights are over the inline limit). Returns the
   * files written. The builder cannot be used afterwards.
   */
  save(file: string): string[] {
    const tail = this.precision === 'fp16' ? this.halfIO() : [];
    const external = this.fd !== undefined && this.dataOffset >= (this.opts.inlineLimit ?? INLINE_LIMIT);
    const dataName = `${basename(file)}_data`;
    if (this.fd !== undefined) {
      for (const t of this.inits) {
        if (t.dataLocation !== 1) continue;
        if (external) {
          t.externalData[0].value = dataName;
        } else {
          // Small part: read the weights back into the model so it is one file.
          const off = Number(t.externalData[1].value);
          const len = Number(t.externalData[2].value);
          const buf = new Uint8Array(len);
          let done = 0;
          while (done < len) done += readSync(this.fd, buf, done, len - done, off + done);
          t.rawData = buf;
          t.dataLocation = 0;
          t.externalData = [];
        }
      }
      closeSync(this.fd);
      this.fd = undefined;
    }
    const graph = onnx.GraphProto.create({
      name: this.opts.name,
      node: [...this.head, ...this.nodes, ...tail],
      initializer: this.inits,
      input: this.inputs,
      output: this.outputs,
    });
    const opsetImport = [onnx.OperatorSetIdProto.create({ domain: '', version: OPSET })];
    for (const d of this.domains) opsetImport.push(onnx.OperatorSetIdProto.create({ domain: d, version: 1 }));
    const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'eve-eval export', opsetImport, graph });
    writeFileSync(file, onnx.ModelProto.encode(model).finish());
    const files = [file];
    if (this.dataFile) {
      if (external) {
        renameSync(this.dataFile, `${file}_data`);
        files.push(`${file}_data`);
      } else rmSync(this.dataFile, { force: true });
    }
    return files;
  }

  /** Abandon the part (an error while building): remove the partial data file. */
  discard(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.dataFile) rmSync(this.dataFile, { force: true });
  }
}
