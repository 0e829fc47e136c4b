// Names that become one folder or file name under a run directory (model ids, from configs and results
// files): a name that could climb out of the folder ("..", "a/b", "C:\x") never becomes a path.

/** True when `name` is safe as a single path segment. */
export function isPathSegment(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !/[/\\\0]/.test(name) && !/^[A-Za-z]:/.test(name);
}
