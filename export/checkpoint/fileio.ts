// Positioned, chunked reads and writes. Checkpoint shards reach 10 GB: positions stay plain numbers (exact
// up to 2^53) and no single call moves more than CHUNK bytes (Node refuses lengths over 2 GiB).
import fs from 'node:fs';
import { CheckpointError } from './errors.ts';

const CHUNK = 1 << 30;

export interface OpenFile {
  fd: number;
  file: string;
  size: number;
}

export function openForRead(file: string): OpenFile {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(file, undefined, code === 'ENOENT' ? 'no such file' : `cannot open (${code ?? String(e)})`);
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new CheckpointError(file, undefined, 'not a regular file');
  }
  return { fd, file, size: st.size };
}

/** Idempotent, and later reads fail with a clear error instead of EBADF (or another file's descriptor). */
export function closeFile(f: OpenFile): void {
  if (f.fd < 0) return;
  fs.closeSync(f.fd);
  f.fd = -1;
}

/** Fills `target` from `position`; a short file is a truncated one. */
export function readInto(f: OpenFile, target: ArrayBufferView, position: number, key?: string): void {
  if (f.fd < 0) throw new CheckpointError(f.file, key, 'read after the checkpoint was closed');
  const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
  if (position + bytes.length > f.size) {
    throw new CheckpointError(f.file, key, `truncated: needs bytes up to ${position + bytes.length}, the file has ${f.size}`);
  }
  let done = 0;
  while (done < bytes.length) {
    const n = fs.readSync(f.fd, bytes, done, Math.min(CHUNK, bytes.length - done), position + done);
    if (n === 0) throw new CheckpointError(f.file, key, `truncated: unexpected end of file at byte ${position + done}`);
    done += n;
  }
}

export function readBytes(f: OpenFile, length: number, position: number, key?: string): Uint8Array {
  const buf = new Uint8Array(length);
  readInto(f, buf, position, key);
  return buf;
}

export function writeAt(fd: number, data: ArrayBufferView, position: number): void {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let done = 0;
  while (done < bytes.length) {
    done += fs.writeSync(fd, bytes, done, Math.min(CHUNK, bytes.length - done), position + done);
  }
}

/** Runs `body` on a fresh file; a failure removes the partial file so nothing half-written is ever loaded. */
export function withNewFile<T>(file: string, body: (fd: number) => T): T {
  const fd = fs.openSync(file, 'w');
  let ok = false;
  try {
    const out = body(fd);
    ok = true;
    return out;
  } finally {
    fs.closeSync(fd);
    if (!ok) fs.rmSync(file, { force: true });
  }
}

/** Little-endian u64 as a number; offsets past 2^53 cannot be addressed and mean a corrupt record. */
export function u64(view: DataView, at: number, f: OpenFile, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CheckpointError(f.file, undefined, `${what} ${v} is out of range`);
  return Number(v);
}
