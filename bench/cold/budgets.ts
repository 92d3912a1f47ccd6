/**
 * Bundle-size budgets (bench/bundle-budgets.json): bytes, never time, so a test can enforce them.
 */
import { readFileSync } from 'node:fs';

/** A size limit in bytes and the target it is measured against. */
export interface Budget {
  /** npm test fails when the bundle is larger. */
  budget: number;
  /** What the cold-start issue aims for; reported, not enforced. */
  goal: number;
}

interface BudgetFile {
  default: Budget;
  functions: Record<string, Budget>;
}

const FILE = new URL('../bundle-budgets.json', import.meta.url);

/** The budgets file, parsed. */
export function readBudgets(): BudgetFile {
  return JSON.parse(readFileSync(FILE, 'utf8')) as BudgetFile;
}

/** The budget of a function by its serverless.yml name, or the default. */
export function budgetFor(name: string, budgets = readBudgets()): Budget & { explicit: boolean } {
  const own = budgets.functions[name];
  return own ? { ...own, explicit: true } : { ...budgets.default, explicit: false };
}

/** `12.3 KB` with KB = 1024 bytes, as the budgets file counts. */
export function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
