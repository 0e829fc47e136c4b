// The predictions file of one (model, benchmark) is also its resume store: an append-only JSONL of
// PredictionRecords. Opening it reads what is there, drops a torn last line (a run killed with
// kill -9 mid-write) and failed records (they are rerun), and rewrites the file cleanly with one line
// per id; appends then go one batch per write. Closing compacts again, so a sample rerun under a new
// cache key never leaves two lines for one id.
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseRunJsonl } from '../../core/run-jsonl.ts';
import { writeAll, writeFileAtomic } from '../../core/atomic-write.ts';
import type { PredictionRecord } from '../../core/records.ts';

function isRecord(v: unknown): v is PredictionRecord {
  const o = v as Record<string, unknown>;
  return typeof o === 'object' && o !== null && typeof o.id === 'string' && typeof o.text === 'string' && typeof o.cacheKey === 'string';
}

/** Parse a predictions file (core/run-jsonl.ts: a torn last line is dropped, other bad lines are errors). */
export function parsePredictionLines(text: string, file: string): { records: PredictionRecord[]; tornTail: boolean } {
  return parseRunJsonl(text, file, isRecord, 'a prediction record (needs id, text, cacheKey)');
}

export class ResumeStore {
  private readonly byId = new Map<string, PredictionRecord>();
  private handle: FileHandle | null = null;
  /** Records dropped on open: failed ones (rerun) and a torn tail line. */
  dropped = { failed: 0, torn: 0 };
  private replaced = false;
  /** Bytes in the file after the last complete append: a failed append is cut back to this. */
  private bytes = 0;

  private constructor(readonly file: string) {}

  static async open(file: string): Promise<ResumeStore> {
    const store = new ResumeStore(file);
    await mkdir(dirname(file), { recursive: true });
    if (existsSync(file)) {
      const text = await readFile(file, 'utf8');
      const { records, tornTail } = parsePredictionLines(text, file);
      store.dropped.torn = tornTail ? 1 : 0;
      for (const r of records) {
        if (r.error) {
          store.dropped.failed++;
          store.byId.delete(r.id);
        } else {
          store.byId.set(r.id, r);
        }
      }
      await writeFileAtomic(file, store.serialize());
    }
    store.handle = await open(file, 'a');
    store.bytes = (await store.handle.stat()).size;
    return store;
  }

  private serialize(): string {
    return [...this.byId.values()].map((r) => `${JSON.stringify(r)}\n`).join('');
  }

  /** The stored, successful prediction for this sample under this cache key, if any. */
  get(id: string, cacheKey: string): PredictionRecord | undefined {
    const r = this.byId.get(id);
    return r && r.cacheKey === cacheKey && !r.error ? r : undefined;
  }

  /** The latest record for this id, failed or not, whatever its cache key. */
  latest(id: string): PredictionRecord | undefined {
    return this.byId.get(id);
  }

  /** Every record currently held, one per id (the latest). */
  records(): PredictionRecord[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }

  /** Append one batch as one write, so kill -9 loses at most this batch (and leaves a torn line at worst). */
  async append(batch: PredictionRecord[]): Promise<void> {
    if (batch.length === 0) return;
    if (!this.handle) throw new Error(`resume store ${this.file} is closed`);
    const bytes = Buffer.from(batch.map((r) => `${JSON.stringify(r)}\n`).join(''));
    try {
      await writeAll(this.handle, bytes);
    } catch (err) {
      // A full disk can take part of the batch: cut the file back so no torn line is left behind.
      await this.handle.truncate(this.bytes).catch(() => {});
      throw err;
    }
    this.bytes += bytes.length;
    for (const r of batch) {
      if (this.byId.has(r.id)) this.replaced = true;
      this.byId.set(r.id, r);
    }
  }

  /** Close; rewrite the file when an append replaced an earlier line for the same id. */
  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    if (this.replaced) await writeFileAtomic(this.file, this.serialize());
  }
}
