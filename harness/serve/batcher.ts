// Concurrent requests share model calls: while one batch is in the model, arriving requests wait in a
// bounded queue, and the next call takes up to maxBatch of them. No waiting window: an idle server answers
// a lone request at once, and batches grow only with load. The runtime left-pads rows with their own
// attention mask and position ids (harness/runtime/generate.ts), so a row's answer is the one it gets at
// batch 1 (test/harness/runtime/generate.test.ts checks it token for token).
import type { GenerateItemResult, LoadedModel, PreparedItem } from '../runtime/model.ts';

export class QueueFull extends Error {}

interface Waiting {
  item: PreparedItem;
  done: (r: { result: GenerateItemResult; batchSize: number }) => void;
  fail: (err: unknown) => void;
}

export class Batcher {
  private readonly queue: Waiting[] = [];
  /** Admitted and not yet in a batch: being prepared, or queued. */
  private waiting = 0;
  private running = 0;
  batches = 0;
  items = 0;

  constructor(
    private readonly model: Pick<LoadedModel, 'generate'>,
    private readonly maxBatch: number,
    private readonly maxQueue: number,
  ) {}

  get queued(): number {
    return this.waiting;
  }
  get inModel(): number {
    return this.running;
  }

  /**
   * Admit one request (QueueFull when maxQueue are already waiting), prepare it (decode, preprocess,
   * tokenize: outside the model, while a batch runs), check it, then queue it for the next batch.
   */
  async run(prepare: () => Promise<PreparedItem>, check: (p: PreparedItem) => void = () => {}): Promise<{ result: GenerateItemResult; batchSize: number }> {
    if (this.waiting >= this.maxQueue) throw new QueueFull();
    this.waiting++;
    let item: PreparedItem;
    try {
      item = await prepare();
      check(item);
    } catch (err) {
      this.waiting--;
      throw err;
    }
    return new Promise((done, fail) => {
      this.queue.push({ item, done, fail });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running > 0 || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.waiting -= batch.length;
    this.running = batch.length;
    this.batches++;
    this.items += batch.length;
    this.model
      .generate(batch.map((w) => w.item))
      .then(
        (results) => batch.forEach((w, i) => w.done({ result: results[i], batchSize: batch.length })),
        (err) => batch.forEach((w) => w.fail(err)),
      )
      .finally(() => {
        this.running = 0;
        this.pump();
      });
  }
}
