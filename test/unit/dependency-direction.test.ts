/**
 * Tests may import anything; nothing outside test/ may import from test/. Code that benches or
 * scripts share with tests lives in harness/ (see harness/README.md).
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
 * The imports of `file` (relative to the root) that resolve into test/: static and dynamic
 * imports, re-exports and require() calls, as TypeScript's own pre-processor finds them.
 */
function importsFromTest(file: string, text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .filter((specifier) => {
      const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
      return target === 'test' || target.startsWith(`test${sep}`);
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
});
