// Files that readers may open at any moment (results.json, report.html, a compacted predictions file) are
// written to a temporary name, flushed to disk and renamed into place, so a reader, a kill -9 or a power cut
// never sees half a file; a failed write (a full disk, say) removes its temporary file.
import { open, rename, rm, type FileHandle } from 'node:fs/promises';

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** JSON with one-space indent: readable, and diffable line by line in a committed baseline. */
export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(value, null, 1)}\n`);
}

/** Write all of `data` at the handle's position: write() may take part of it (a nearly full disk does that
 *  before it fails with ENOSPC), and a short write must not pass for a complete one. */
export async function writeAll(handle: FileHandle, data: string | Buffer): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at)).bytesWritten;
}
