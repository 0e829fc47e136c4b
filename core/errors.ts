// Errors a user can act on. The CLI prints `message` as one line and exits with `exitCode`;
// anything else is a bug and gets a stack trace.

export class UserError extends Error {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Bad input in a data or predictions file: names the file and, where known, the line or sample id. */
export class InputError extends UserError {
  constructor(
    readonly file: string,
    readonly where: string | number | undefined,
    detail: string,
  ) {
    super(`${file}${where === undefined ? '' : typeof where === 'number' ? `:${where}` : ` (${where})`}: ${detail}`);
    this.name = 'InputError';
  }
}

/** Predictions and labels do not line up: scoring them would give a wrong number silently. */
export class ScoreRefusal extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ScoreRefusal';
  }
}

/** A capability that is not built yet. Never caught and turned into a number. */
export class NotSupportedError extends UserError {
  constructor(what: string) {
    super(`${what} is not supported yet`);
    this.name = 'NotSupportedError';
  }
}

/** A full disk (or quota) while writing a run: what finished is kept, so the same command resumes. */
export class DiskFullError extends UserError {
  override readonly exitCode: number = 3;
  constructor(message: string) {
    super(message);
    this.name = 'DiskFullError';
  }
}

export function isDiskFull(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
