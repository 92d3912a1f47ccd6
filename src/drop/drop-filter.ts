/**
 * What a folder drop leaves out (docs/cli.md, "What a drop leaves out"): a repository's and a
 * cache's folders by default, what the folder's `.modelignore` names, and `--exclude`, unless
 * `--include` brings it back. Patterns are gitignore's, matched by the `ignore` library, in
 * layers where a later one wins: defaults, `.modelignore`, `--exclude`, `--include`. No I/O
 * here: `model-opt drop` and the local console's page share it.
 */
import ignore from 'ignore';
import { formatBytes } from '../text-format';
import { DropError } from './drop-plan';
import { DEFAULT_DROP_RULES } from './drop-rules';

/** Left out of every folder drop unless brought back (the hub's own upload tools skip these). */
export const DEFAULT_LEFT_OUT = ['.git/', '.cache/', '__pycache__/', '.DS_Store'] as const;

/** The file at a folder's root that names more to leave out; never uploaded itself. */
export const MODELIGNORE = '.modelignore';

/** Where the patterns come from, each layer overriding the ones before it. */
export interface DropFilterRules {
  /** The text of the folder's `.modelignore`, when it has one. */
  modelignore?: string;
  /** `--exclude`: more to leave out, over the defaults and `.modelignore`. */
  exclude?: readonly string[];
  /** `--include`: brought back, over everything else. */
  include?: readonly string[];
  /** The manifest at the folder's root is the trigger: never left out. */
  manifestName?: string;
}

/** Decides path by path; directories are asked about before anything under them. */
export interface DropFilter {
  /** Whether `path` (relative to the folder, `/`-separated) is left out. */
  leavesOut(path: string, isDirectory: boolean): boolean;
}

/** One thing left out, as the plan names it: the highest folder left out, or a file. */
export interface LeftOut {
  /** Relative to the folder; a folder ends in `/`. */
  path: string;
  /** Its bytes; for a folder, counted as far as {@link complete} says, or not at all (undefined). */
  bytes?: number;
  /** False when counting stopped early: `bytes` is then a lower bound. */
  complete: boolean;
}

const checkPattern = (option: string) => (pattern: string) => {
  if (pattern.trim() === '' || pattern.startsWith('!') || pattern.startsWith('#'))
    throw new DropError(
      `${option} takes a gitignore pattern that does not start with ! or # (use --include to bring something back): ${JSON.stringify(pattern)}`,
    );
  return pattern;
};

/** The filter for a folder drop; throws {@link DropError} for a pattern that cannot be used. */
export function dropFilter(rules: DropFilterRules = {}): DropFilter {
  const manifestName = rules.manifestName ?? DEFAULT_DROP_RULES.manifestName;
  // Case-sensitive, as git is on Linux (the library's default ignores case).
  const patterns = ignore({ ignorecase: false })
    .add([...DEFAULT_LEFT_OUT, `/${MODELIGNORE}`])
    .add(rules.modelignore ?? '')
    .add((rules.exclude ?? []).map(checkPattern('--exclude')))
    .add((rules.include ?? []).map(checkPattern('--include')).map((p) => `!${p}`));
  return {
    leavesOut: (path, isDirectory) =>
      path !== manifestName && patterns.ignores(isDirectory ? `${path}/` : path),
  };
}

/**
 * Files split into those a drop sends and what it leaves out, grouped by the highest folder left
 * out (for files already listed, as a browser lists a picked folder).
 */
export function splitFiles<F extends { path: string; size: number }>(
  files: readonly F[],
  filter: DropFilter,
): { kept: F[]; leftOut: LeftOut[] } {
  const kept: F[] = [];
  const groups = new Map<string, LeftOut>();
  for (const file of files) {
    if (!filter.leavesOut(file.path, false)) {
      kept.push(file);
      continue;
    }
    const parts = file.path.split('/');
    let group = file.path;
    for (let depth = 1; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join('/');
      if (filter.leavesOut(folder, true)) {
        group = `${folder}/`;
        break;
      }
    }
    const entry = groups.get(group) ?? { path: group, bytes: 0, complete: true };
    entry.bytes = (entry.bytes ?? 0) + file.size;
    groups.set(group, entry);
  }
  return { kept, leftOut: [...groups.values()].sort(byPath) };
}

const byPath = (a: LeftOut, b: LeftOut) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** How many are named before "and N more". */
const NAMED = 6;

/**
 * `leaving out 2 paths, 140.2 GiB: .git/ (140.2 GiB), .DS_Store (6.0 KiB)`, largest first, or
 * undefined when nothing is left out.
 */
export function describeLeftOut(leftOut: readonly LeftOut[]): string | undefined {
  if (leftOut.length === 0) return undefined;
  const size = (e: { bytes?: number; complete: boolean }) =>
    e.bytes === undefined ? undefined : `${e.complete ? '' : 'at least '}${formatBytes(e.bytes)}`;
  const total = leftOutBytes(leftOut);
  const sorted = [...leftOut].sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0) || byPath(a, b));
  const named = sorted.slice(0, NAMED).map((e) => (size(e) ? `${e.path} (${size(e)})` : e.path));
  const rest = sorted.length - named.length;
  const head = `leaving out ${leftOut.length} ${leftOut.length === 1 ? 'path' : 'paths'}, ${size(total)}`;
  return `${head}: ${named.join(', ')}${rest > 0 ? `, and ${rest} more` : ''}`;
}

/** The bytes left out, and whether every entry was counted in full. */
export function leftOutBytes(leftOut: readonly LeftOut[]): { bytes: number; complete: boolean } {
  return {
    bytes: leftOut.reduce((n, e) => n + (e.bytes ?? 0), 0),
    complete: leftOut.every((e) => e.complete && e.bytes !== undefined),
  };
}
