// safetensors: u64 LE header length N, N bytes of JSON, then one byte buffer that the tensors tile exactly.
import path from 'node:path';
import { contiguousStrides, encode, layoutCheckpoint, type Layout } from './convert.ts';
import { CheckpointError } from './errors.ts';
import { closeFile, openForRead, readBytes, withNewFile, writeAt, type OpenFile } from './fileio.ts';
import { DTYPE_BITS, isKnownDType, numel, type Checkpoint, type TensorInfo, type TensorToWrite } from './types.ts';
import { checkTensors, tensorBytes, tensorData, WRITE_ORDER } from './writable.ts';

const MAX_HEADER = 100_000_000;

interface Entry {
  info: TensorInfo;
  begin: number;
  end: number;
}

export function openSafetensors(file: string): Checkpoint {
  const f = openForRead(path.resolve(file));
  try {
    const entries = parseHeader(f);
    const tensors = new Map<string, { info: TensorInfo; layout: Layout }>();
    for (const [name, e] of entries) {
      tensors.set(name, {
        info: e.info,
        layout: { dtype: e.info.dtype, shape: e.info.shape, strides: contiguousStrides(e.info.shape), base: e.begin, offset: 0, bigEndian: false },
      });
    }
    return layoutCheckpoint(f, tensors);
  } catch (e) {
    closeFile(f);
    throw e;
  }
}

/** Validates the header the way the Rust library does; entries come back in buffer order. */
function parseHeader(f: OpenFile): Map<string, Entry> {
  const fail = (detail: string, key?: string) => new CheckpointError(f.file, key, detail);
  if (f.size < 8) throw fail(`${f.size} bytes: too short for a safetensors header (truncated?)`);
  const n = new DataView(readBytes(f, 8, 0).buffer).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) throw fail(`header length ${n} exceeds ${MAX_HEADER}: not a safetensors file`);
  const headerLen = Number(n);
  if (8 + headerLen > f.size) throw fail(`truncated: header needs ${8 + headerLen} bytes, the file has ${f.size}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readBytes(f, headerLen, 8));
  } catch {
    throw fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw fail('header does not start with "{": not a safetensors file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fail('header is not a JSON object');

  const dataStart = 8 + headerLen;
  const list: Entry[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    list.push(parseEntry(f, name, raw, dataStart));
  }
  // Buffer order is the file's own order (JSON.parse would move integer-like names to the front).
  list.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = dataStart;
  for (const e of list) {
    if (e.begin !== at) {
      throw fail(
        `tensor data ${e.begin < at ? 'overlaps the previous tensor' : 'leaves a hole before it'} (buffer bytes ${at - dataStart}..${e.begin - dataStart})`,
        e.info.name,
      );
    }
    at = e.end;
  }
  if (at !== f.size) {
    throw fail(
      at > f.size
        ? `truncated: the header needs ${at} bytes, the file has ${f.size}`
        : `${f.size - at} bytes after the last tensor's data (the header covers ${at} of ${f.size})`,
    );
  }
  return new Map(list.map((e) => [e.info.name, e]));
}

function parseEntry(f: OpenFile, name: string, raw: unknown, dataStart: number): Entry {
  const fail = (detail: string) => new CheckpointError(f.file, name, detail);
  if (typeof raw !== 'object' || raw === null) throw fail('header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !isKnownDType(dtype)) throw fail(`unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw fail('shape is not a list of non-negative integers');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0) || offsets[0] > offsets[1]) {
    throw fail('data_offsets is not [begin, end] with 0 <= begin <= end');
  }
  const bits = numel(shape as number[]) * DTYPE_BITS[dtype];
  if (bits % 8 !== 0 || offsets[1] - offsets[0] !== bits / 8) {
    throw fail(`data_offsets span ${offsets[1] - offsets[0]} bytes, ${dtype} ${JSON.stringify(shape)} needs ${bits / 8}`);
  }
  return {
    info: { name, dtype, shape: shape as number[], file: f.file },
    begin: dataStart + offsets[0],
    end: dataStart + offsets[1],
  };
}

/**
 * Writes a safetensors file as the Python library does: tensors by dtype (widest first), then by name, header
 * space-padded to a multiple of 8. Needs every shape before the first byte, so it takes the whole list; pass
 * `data` as functions to keep only one tensor in memory.
 */
export function writeSafetensors(file: string, tensors: Iterable<TensorToWrite>, opts: { metadata?: Record<string, string> } = {}): { bytes: number } {
  const list = checkTensors(file, tensors);
  list.sort((a, b) => WRITE_ORDER[a.dtype] - WRITE_ORDER[b.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const metadata = opts.metadata ?? { format: 'pt' };
  // Built by hand: JSON.stringify would reorder integer-like names.
  const parts: string[] = [];
  if (Object.keys(metadata).length > 0) {
    parts.push(
      `"__metadata__":{${Object.entries(metadata)
        .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
        .join(',')}}`,
    );
  }
  let offset = 0;
  for (const t of list) {
    const bytes = tensorBytes(t);
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":${JSON.stringify(t.shape)},"data_offsets":[${offset},${offset + bytes}]}`);
    offset += bytes;
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const header = Buffer.alloc(8 + Math.ceil(json.length / 8) * 8, 0x20);
  header.writeBigUInt64LE(BigInt(header.length - 8), 0);
  json.copy(header, 8);
  return withNewFile(file, (fd) => {
    writeAt(fd, header, 0);
    let pos = header.length;
    for (const t of list) {
      const data = encode(tensorData(file, t), t.dtype);
      writeAt(fd, data, pos);
      pos += data.length;
    }
    return { bytes: pos };
  });
}
