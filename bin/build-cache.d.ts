// Types for bin/build-cache.js (plain JavaScript: it runs before any TypeScript can be loaded).
export function compiledEntry(root: string, entry: string, cacheDir?: string): Promise<string | null>;
export function buildRoot(entryUrl: string, entry: string): string;
