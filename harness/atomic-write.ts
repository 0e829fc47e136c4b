// Files that readers may open at any moment (results.json, report.html, a compacted predictions file) are
// written to a temporary name and renamed into place, so a reader or a kill -9 never sees half a file.
import { rename, writeFile } from 'node:fs/promises';

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** JSON with one-space indent: readable, and diffable line by line in a committed baseline. */
export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(value, null, 1)}\n`);
}
