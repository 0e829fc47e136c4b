// The compiled-CLI cache (bin/build-cache.js) on a small project built by the real esbuild: the compiled
// entry runs, keeps lazy template-literal imports, reads files next to its sources through import.meta.url
// and loads npm packages; a second call reuses the build; an edited source, or a new file beside one, is a
// new build; a source that does not compile gives null (the CLI then runs the sources with tsx).
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRoot, compiledEntry } from '../../bin/build-cache.js';

const REPO = join(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'eve-build-cache-'));
const cache = join(root, 'cache');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

write('package.json', '{"type": "module"}');
symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
write('src/data.txt', 'beside the source');
write('src/lib.ts', 'export const greeting: string = "one";\n');
write('src/cmds/a.ts', 'export const run = (): string => "a";\n');
write(
  'src/entry.ts',
  [
    "import { readFileSync } from 'node:fs';",
    "import { z } from 'zod';",
    "import { greeting } from './lib.ts';",
    'export async function main(name: string) {',
    '  const cmd = (await import(`./cmds/${name}.ts`)) as { run(): string };',
    "  return { greeting, cmd: cmd.run(), data: readFileSync(new URL('./data.txt', import.meta.url), 'utf8'), zod: z.string().parse('ok') };",
    '}',
  ].join('\n'),
);

const builds = () => readdirSync(cache).filter((n) => !n.endsWith('.json'));
type Entry = { main(name: string): Promise<Record<string, string>> };

describe('compiledEntry', () => {
  let first: string | null;

  it('builds, and the compiled entry runs as the sources would', async () => {
    first = await compiledEntry(root, 'src/entry.ts', cache);
    expect(first).toMatch(/^file:.*\/src\/entry\.js$/);
    const mod = (await import(first!)) as Entry;
    expect(await mod.main('a')).toEqual({ greeting: 'one', cmd: 'a', data: 'beside the source', zod: 'ok' });
  });

  it('reuses the build while the sources are unchanged', async () => {
    expect(await compiledEntry(root, 'src/entry.ts', cache)).toBe(first);
    expect(builds()).toHaveLength(1);
  });

  it('rebuilds after an edit; the old build stays a day (a running command may still load its chunks)', async () => {
    write('src/lib.ts', 'export const greeting: string = "two";\n');
    const second = await compiledEntry(root, 'src/entry.ts', cache);
    expect(second).not.toBe(first);
    expect(await ((await import(second!)) as Entry).main('a')).toMatchObject({ greeting: 'two' });
    expect(builds()).toHaveLength(2);
    expect(existsSync(new URL(first!))).toBe(true);
    const firstDir = new URL(buildRoot(first!, 'src/entry.ts')).pathname;
    const twoDaysAgo = new Date(Date.now() - 48 * 3600 * 1000);
    utimesSync(firstDir, twoDaysAgo, twoDaysAgo);
    write('src/lib.ts', 'export const greeting: string = "three";\n');
    await compiledEntry(root, 'src/entry.ts', cache);
    expect(existsSync(firstDir)).toBe(false);
    expect(builds()).toHaveLength(2);
  });

  it('rebuilds when a new file appears beside the sources (a new subcommand)', async () => {
    write('src/cmds/b.ts', 'export const run = (): string => "b";\n');
    const third = await compiledEntry(root, 'src/entry.ts', cache);
    expect(await ((await import(third!)) as Entry).main('b')).toMatchObject({ cmd: 'b' });
  });

  it('answers null when the sources do not compile', async () => {
    write('src/lib.ts', 'export const greeting: string = ;\n');
    expect(await compiledEntry(root, 'src/entry.ts', cache)).toBeNull();
  });
});
