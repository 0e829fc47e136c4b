// Repeated answer lines: a predictions file that answers one question more than once (a resumed or merged
// generation run). Each official scorer has its own rule, and eve-eval follows it per benchmark:
//   - 'every': every line is scored and counted (LLaVA's eval_textvqa.py loops over the answer lines);
//   - 'last': the last line wins (the converters and scorers that build a dict keyed by question id: GQA,
//     VQAv2, VizWiz, SEED, ScienceQA, MM-Vet, MMBench).
// Either way the count is reported (Score.counts.repeatedLines) and warned about on stderr, never silent.

export type RepeatPolicy = 'every' | 'last';

/** Counts repeated keys as lines are read: `note(key)` per line, then `summary()`. */
export class RepeatCounter {
  private readonly seen = new Map<string, number>();
  note(key: string): void {
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
  }
  /** Questions answered more than once, and the lines beyond the first. */
  summary(): { questions: number; extraLines: number } {
    let questions = 0;
    let extraLines = 0;
    for (const n of this.seen.values()) {
      if (n > 1) {
        questions++;
        extraLines += n - 1;
      }
    }
    return { questions, extraLines };
  }
}

const RULE: Record<RepeatPolicy, string> = {
  every: 'the official scorer scores every line, so each counts here too',
  last: 'the official flow keeps the last line, as eve-eval does',
};

/** The one-line warning for a file with repeated answer lines (null when there are none). */
export function repeatWarning(benchmark: string, file: string, counts: { questions: number; extraLines: number }, policy: RepeatPolicy): string | null {
  if (counts.extraLines === 0) return null;
  return `eve-eval: warning: ${file}: ${counts.questions} ${benchmark} question${counts.questions === 1 ? ' is' : 's are'} answered more than once (${counts.extraLines} extra line${counts.extraLines === 1 ? '' : 's'}); ${RULE[policy]}`;
}

/** Where warnings go: stderr, so `score --json` keeps one object on stdout. */
export function warnStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}
