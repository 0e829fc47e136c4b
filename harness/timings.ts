// `--timings`: where a command's wall time goes, phase by phase, printed on stderr as one line so that
// stdout (e.g. `score --json`) stays machine-readable. Start-up is the time from process start (module
// loading included) to the first mark's timer; peak RSS is the process's high-water mark so far.
export class PhaseTimer {
  private last = performance.now();
  private readonly phases: Array<{ name: string; ms: number }> = [{ name: 'start-up', ms: performance.now() }];

  /** Close the phase that ran since the previous mark, under `name`. */
  mark(name: string): void {
    const now = performance.now();
    this.phases.push({ name, ms: now - this.last });
    this.last = now;
  }

  /** "start-up 0.13 s, read data and predictions 1.60 s, …; total 2.10 s, peak RSS 400 MB". */
  format(): string {
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const parts = this.phases.map((p) => `${p.name} ${s(p.ms)}`);
    const peak = Math.round(process.resourceUsage().maxRSS / 1024); // KiB → MiB, as GNU time reports it
    return `${parts.join(', ')}; total ${s(performance.now())}, peak RSS ${peak} MB`;
  }
}
