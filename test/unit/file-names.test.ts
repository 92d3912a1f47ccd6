/**
 * A file's name alone tells a reader which one to open: no two files of the product's code
 * (src/, local/, functions/) share a name, except where a convention makes the folder part of
 * the name (each emulator's `local/<service>/service.ts`, a folder's `index.ts`, a handler
 * `functions/x.ts` wrapping the logic `src/…/x.ts`), and no file of src/cli/ shares its name
 * with a command in src/cli/commands/.
 */
import { readdirSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const PRODUCT_FOLDERS = ['src', 'local', 'functions'];
/**
 * Names a per-folder convention gives meaning to. Each entry says why the folder is enough.
 * `main.ts`: a program's entry point (src/cli/, local/, local/console/page/). `errors.ts` and
 * `config.ts`: the named errors and settings of the folder they sit in.
 */
const CONVENTIONS = new Set(['index.ts', 'service.ts', 'main.ts', 'errors.ts', 'config.ts', 'format.ts']);

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(path);
    return /\.[cm]?[jt]s$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [relative(ROOT, path)] : [];
  });
}

/** Names shared by more than one file, with the files; the conventional names left out. */
function sharedNames(files: string[], exempt: ReadonlySet<string> = CONVENTIONS): Record<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const file of files) byName.set(basename(file), [...(byName.get(basename(file)) ?? []), file]);
  const handlerAndLogic = (paths: string[]) =>
    paths.length === 2 &&
    paths.some((p) => p.startsWith('functions/')) &&
    paths.some((p) => p.startsWith('src/'));
  return Object.fromEntries(
    [...byName].filter(([name, paths]) => paths.length > 1 && !exempt.has(name) && !handlerAndLogic(paths)),
  );
}

describe('file names', () => {
  it('finds names that two files share', () => {
    expect(
      sharedNames(['local/clock.ts', 'src/clock.ts', 'local/sqs/service.ts', 'local/s3/service.ts']),
    ).toEqual({
      'clock.ts': ['local/clock.ts', 'src/clock.ts'],
    });
  });

  it('no two files of the product share a name outside the conventions', () => {
    const files = PRODUCT_FOLDERS.flatMap((folder) => filesUnder(join(ROOT, folder)));
    expect(files).toEqual(expect.arrayContaining(['local/time/clock.ts', 'src/function-clock.ts']));
    expect(sharedNames(files)).toEqual({});
  });

  it('no file of src/cli/ shares its name, or its name without a suffix, with a command', () => {
    const commands = readdirSync(join(ROOT, 'src/cli/commands')).map((name) => name.replace(/\.ts$/, ''));
    const cli = readdirSync(join(ROOT, 'src/cli')).filter((name) => name.endsWith('.ts'));
    const clashes = cli.filter((name) => {
      const stem = name.replace(/\.ts$/, '');
      return commands.some(
        (command) => stem === command || stem === `${command}-job` || stem === `${command}-jobs`,
      );
    });
    expect(commands).toEqual(expect.arrayContaining(['drop', 'redrive', 'stop', 'list']));
    expect(clashes).toEqual([]);
  });
});
