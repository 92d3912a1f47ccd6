/**
 * Tests may import anything; nothing outside test/ may import from test/. Code that benches or
 * scripts share with tests lives in harness/ (see harness/README.md).
 *
 * The command line is a leaf: nothing but bin/ imports src/cli/, and the client library
 * (src/client/) does not import it back. Outside src/ (local/, harness/, bench/, scripts/),
 * the client library and the drop contract are used through their public modules only,
 * src/client/index.ts and src/drop/index.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCE = /\.(?:[cm]?ts|[cm]?js)$/;
/** Not the project's own code: dependencies, VCS and build or run outputs (all gitignored). */
const SKIPPED_FOLDERS = new Set(['node_modules', 'coverage']);

/** Every source file outside test/, as paths relative to the repository root. */
function sourcesOutsideTest(folder = ROOT): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      const skip = entry.name.startsWith('.') || SKIPPED_FOLDERS.has(entry.name);
      return skip || relative(ROOT, path) === 'test' ? [] : sourcesOutsideTest(path);
    }
    return SOURCE.test(entry.name) ? [relative(ROOT, path)] : [];
  });
}

/**
 * The relative imports of `file` (relative to the root), each with the path it resolves to
 * (relative to the root, extension-less as written): static and dynamic imports, re-exports
 * and require() calls, as TypeScript's own pre-processor finds them.
 */
function relativeImports(file: string, text: string): { specifier: string; target: string }[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({
      specifier,
      target: relative(ROOT, resolve(ROOT, dirname(file), specifier))
        .split(sep)
        .join('/'),
    }));
}

const within = (target: string, folder: string) => target === folder || target.startsWith(`${folder}/`);

/** The imports of `file` that resolve into test/. */
function importsFromTest(file: string, text: string): string[] {
  return relativeImports(file, text)
    .filter(({ target }) => within(target, 'test'))
    .map(({ specifier }) => specifier);
}

/** Folders whose public module (`<folder>/index.ts`) is all that code outside src/ may import. */
const PUBLIC_MODULES = ['src/client', 'src/drop'];

/**
 * The import rules of `file` it breaks, one line each: src/cli/ imported from outside it and
 * bin/ (tests aside); src/cli/ imported by src/client/; a file of src/client/ or src/drop/
 * other than its index imported from outside src/.
 */
function brokenRules(file: string, text: string): string[] {
  const path = file.split(sep).join('/');
  return relativeImports(path, text).flatMap(({ specifier, target }) => {
    const broken: string[] = [];
    if (
      within(target, 'src/cli') &&
      !within(path, 'src/cli') &&
      !within(path, 'bin') &&
      !within(path, 'test')
    )
      broken.push(`${path} → ${specifier}: only bin/ imports src/cli/`);
    if (within(target, 'src/cli') && within(path, 'src/client'))
      broken.push(`${path} → ${specifier}: src/client/ does not import src/cli/`);
    const folder = PUBLIC_MODULES.find((f) => within(target, f));
    const outsideSrc = !within(path, 'src') && !within(path, 'test');
    if (folder && outsideSrc && target !== folder && target !== `${folder}/index`)
      broken.push(`${path} → ${specifier}: outside src/, ${folder}/ is imported through ${folder}/index.ts`);
    return broken;
  });
}

describe('dependencies run one way', () => {
  it('finds an import from test/, whatever form it takes', () => {
    const text = [
      "import { a } from '../test/support/a';",
      "export { b } from '../../test/b';",
      "const c = await import('../test/c');",
      "const d = require('./../test/d');",
      "import { e } from '../src/e';",
      "import { f } from '../harness/test';",
    ].join('\n');
    expect(importsFromTest('bench/x.ts', text)).toEqual(['../test/support/a', '../test/c', './../test/d']);
    expect(importsFromTest('bench/burst/x.ts', text)).toEqual(['../../test/b']);
  });

  it('nothing outside test/ imports from test/', () => {
    const files = sourcesOutsideTest();
    expect(files).toEqual(expect.arrayContaining(['bench/polling.ts', 'scripts/render-bad-inputs.ts']));

    const offenders = files.flatMap((file) =>
      importsFromTest(file, readFileSync(join(ROOT, file), 'utf8')).map(
        (specifier) => `${file} → ${specifier}`,
      ),
    );

    expect(offenders).toEqual([]);
  });

  it('finds each broken rule of the client, the CLI and the public modules', () => {
    const text = [
      "import { a } from '../src/cli/render';",
      "import { b } from '../src/client';",
      "import { c } from '../src/client/tarball';",
      "export { d } from '../../src/drop/drop-plan';",
      "import { e } from '../src/drop/index';",
      "const f = await import('../cli/format');",
    ].join('\n');
    expect(brokenRules('local/x.ts', text)).toEqual([
      'local/x.ts → ../src/cli/render: only bin/ imports src/cli/',
      'local/x.ts → ../src/client/tarball: outside src/, src/client/ is imported through src/client/index.ts',
    ]);
    expect(brokenRules('local/console/x.ts', text)).toEqual([
      'local/console/x.ts → ../../src/drop/drop-plan: outside src/, src/drop/ is imported through src/drop/index.ts',
    ]);
    expect(brokenRules('src/client/x.ts', text)).toEqual([
      'src/client/x.ts → ../cli/format: only bin/ imports src/cli/',
      'src/client/x.ts → ../cli/format: src/client/ does not import src/cli/',
    ]);
    expect(brokenRules('src/terminal/x.ts', "import { t } from '../cli/format';")).toEqual([
      'src/terminal/x.ts → ../cli/format: only bin/ imports src/cli/',
    ]);
    expect(brokenRules('bin/x.js', "await import('../src/cli/main.ts');")).toEqual([]);
    expect(brokenRules('src/cli/commands/x.ts', "import { a } from '../../client/tarball';")).toEqual([]);
    expect(brokenRules('test/unit/x.test.ts', "import { a } from '../../src/cli/render';")).toEqual([]);
  });

  it('only bin/ imports src/cli/; src/client/ and src/drop/ are used outside src/ through their index', () => {
    const files = sourcesOutsideTest();
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/model-opt.js',
        'local/console/routes.ts',
        'local/console/page/main.ts',
        'src/client/index.ts',
        'src/drop/index.ts',
      ]),
    );
    const broken = files.flatMap((file) => brokenRules(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(broken).toEqual([]);
  });
});
