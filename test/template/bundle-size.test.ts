import { createRequire, isBuiltin } from 'node:module';
import { describe, expect, inject, it } from 'vitest';
import { budgetFor, kb, readBudgets } from '../../bench/cold/budgets';
import { packagedFunctions } from '../../bench/cold/functions';

const functions = packagedFunctions(inject('packageDir'));
const budgets = readBudgets();
const projectRequire = createRequire(new URL('../../package.json', import.meta.url));

/** Modules a bundle requires at run time that this project has installed, i.e. left out of it. */
function installedExternals(code: string): string[] {
  const specifiers = new Set([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1] as string));
  return [...specifiers].filter((s) => {
    if (isBuiltin(s)) return false;
    try {
      projectRequire.resolve(s);
      return true;
    } catch {
      return false; // an optional module the SDK probes for, e.g. @aws-sdk/signature-v4-crt
    }
  });
}

describe('function bundles (sls package --stage ci)', () => {
  it('finds the functions in the package', () => {
    expect(functions.map((f) => f.name)).toContain('startOptimization');
  });

  it.each(functions.map((f) => [f.name, f] as const))('%s stays within its size budget', (name, fn) => {
    const { budget, explicit } = budgetFor(name, budgets);
    expect(
      fn.entry.size,
      `${name}: ${fn.entry.name} is ${kb(fn.entry.size)}, over its ${explicit ? '' : 'default '}budget of ` +
        `${kb(budget)} in bench/bundle-budgets.json; npm run bench:cold lists what the bytes are`,
    ).toBeLessThanOrEqual(budget);
  });

  it.each(functions.map((f) => [f.name, f] as const))(
    '%s is its own self-contained bundle: the AWS SDK inside, no source map beside it',
    (_name, fn) => {
      const names = fn.files.map((f) => f.name);
      expect(names.filter((n) => /\.[cm]?js$/.test(n))).toEqual([fn.entry.name]);
      expect(names.filter((n) => n.startsWith('node_modules/') || n.endsWith('.map'))).toEqual([]);
      const code = fn.entry.read().toString('utf8');
      expect(installedExternals(code)).toEqual([]);
      expect(code.includes('sourceMappingURL'), 'a sourceMappingURL comment').toBe(false);
    },
  );

  it('has budgets only for functions that exist', () => {
    const names = functions.map((f) => f.name);
    expect(Object.keys(budgets.functions).filter((n) => !names.includes(n))).toEqual([]);
  });
});
