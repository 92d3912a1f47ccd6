/** Types of stage-prefixes.cjs, for src/config.ts. */
export function normalizePrefix(prefix: string | undefined): string;
export function prefixProblems(modelsPrefix: string, outputPrefix: string): string[];
