// One run per --out: two runs into one folder would both redo every sample and race on results.json.
// The lock is a file holding the owner's pid, taken with O_EXCL; a lock whose process is gone is stale and
// is taken over with a note.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.ts';

export const LOCK_NAME = '.eve-eval.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the lock on `out` (created if needed); returns its release. Throws UserError when a live run holds it. */
export function lockOut(out: string, note: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): () => void {
  mkdirSync(out, { recursive: true });
  const file = join(out, LOCK_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new UserError(`${out}: another eve-eval run (pid ${pid}) is writing here; wait for it to finish or choose another --out`);
      }
      note(`eve-eval: ${file}: stale lock of pid ${Number.isInteger(pid) ? pid : '?'} (no such process) taken over`);
      rmSync(file, { force: true });
    }
  }
  throw new UserError(`${file}: could not take the lock`);
}
