// Progress per (model, benchmark): done/total, samples/s, ETA, errors. On a TTY one line is redrawn
// in place; when stderr is not a TTY or CI=true, a plain line is printed at the start, every
// `everyMs` at most, and at the end, so CI logs stay short and readable.

export interface ProgressSink {
  write(s: string): void;
  isTTY?: boolean;
}

export interface ProgressOptions {
  out?: ProgressSink;
  /** Force line mode (non-TTY) or live mode; default: live only on a TTY outside CI. */
  live?: boolean;
  everyMs?: number;
  now?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class Progress {
  private readonly out: ProgressSink;
  private readonly live: boolean;
  private readonly everyMs: number;
  private readonly now: () => number;
  private label = '';
  private total = 0;
  private done = 0;
  private cached = 0;
  private errors = 0;
  private startedAt = 0;
  private lastPrint = 0;

  constructor(opts: ProgressOptions = {}) {
    this.out = opts.out ?? process.stderr;
    this.live = opts.live ?? (Boolean(this.out.isTTY) && !process.env.CI);
    this.everyMs = opts.everyMs ?? 10_000;
    this.now = opts.now ?? (() => performance.now());
  }

  start(label: string, total: number): void {
    this.label = label;
    this.total = total;
    this.done = 0;
    this.cached = 0;
    this.errors = 0;
    this.startedAt = this.now();
    this.lastPrint = this.startedAt;
    if (!this.live) this.out.write(`${label}: ${total} samples\n`);
    else this.render();
  }

  /** `cached` samples were answered from the resume store (they do not count towards samples/s). */
  update(delta: { done?: number; cached?: number; errors?: number }): void {
    this.done += delta.done ?? 0;
    this.cached += delta.cached ?? 0;
    this.errors += delta.errors ?? 0;
    const t = this.now();
    if (this.live) this.render();
    // The last line is finish()'s: printing it here too doubled it in CI logs.
    else if (t - this.lastPrint >= this.everyMs && this.done < this.total) {
      this.lastPrint = t;
      this.out.write(`${this.line()}\n`);
    }
  }

  finish(): void {
    const line = this.line();
    this.out.write(this.live ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  line(): string {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const generated = this.done - this.cached;
    const rate = elapsed > 0 ? generated / elapsed : 0;
    const left = this.total - this.done;
    const eta = left <= 0 ? 0 : rate > 0 ? left / rate : Infinity;
    const parts = [
      `${this.label}: ${this.done}/${this.total}`,
      // Nothing generated yet, everything so far from the resume store: a rate of 0.0 would read as a stall.
      generated === 0 && this.cached > 0 ? 'resumed' : `${rate.toFixed(1)} samples/s`,
      left <= 0 ? `done in ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`,
      `${this.errors} error${this.errors === 1 ? '' : 's'}`,
    ];
    if (this.cached) parts.push(`${this.cached} resumed`);
    return parts.join(' | ');
  }

  private render(): void {
    this.out.write(`\r\x1b[2K${this.line()}`);
  }

  /** A one-off message that must not be overwritten by the live line. */
  note(message: string): void {
    this.out.write(this.live ? `\r\x1b[2K${message}\n` : `${message}\n`);
    if (this.live && this.total) this.render();
  }
}
