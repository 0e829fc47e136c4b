import { UserError } from '../../core/errors.ts';

/** A checkpoint the exporter cannot use: one line naming the file and, where known, the tensor. */
export class CheckpointError extends UserError {
  constructor(
    readonly file: string,
    readonly key: string | undefined,
    detail: string,
  ) {
    // The CLI prints one line, so never let a detail (e.g. a JSON parser message) break it.
    super(`${file}${key === undefined ? '' : ` (tensor '${key}')`}: ${detail.replace(/\s*\n\s*/g, ' ')}`);
    this.name = 'CheckpointError';
  }
}
