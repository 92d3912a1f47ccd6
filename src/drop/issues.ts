import type * as z from 'zod';
import type { ValidationIssue } from '../errors';

/** Formats a zod path as JSONPath: `$.techniques[0].quantization`. */
export function jsonPath(path: readonly PropertyKey[], root = '$'): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    const name = String(part);
    return /^[A-Za-z_$][\w$-]*$/.test(name) ? `${acc}.${name}` : `${acc}[${JSON.stringify(name)}]`;
  }, root);
}

/** Every zod issue as a { path, message } pair, unions flattened to their own issues. */
export function toIssues(error: z.ZodError, root = '$'): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: jsonPath(issue.path, root), message: issue.message }));
}
