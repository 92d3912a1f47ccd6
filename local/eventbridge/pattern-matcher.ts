/**
 * EventBridge event-pattern matcher for the embedded local stack.
 *
 * Written by hand because no maintained library implements EventBridge content filtering; see tests for the
 * vectors it is checked against (test/unit/pattern-matcher.test.ts, test/fixtures/eventbridge-pattern-vectors.json).
 *
 * Semantics follow the AWS guide "Content filtering in Amazon EventBridge event patterns" and aws/event-ruler,
 * the engine behind EventBridge. Where the docs are silent, event-ruler's behaviour and validation messages win.
 *
 * How a pattern is evaluated:
 * - `$or` is expanded into alternatives (disjunctive normal form) before matching, as event-ruler does, so that
 *   fields from an `$or` branch and its siblings are checked against the same array element.
 * - Each alternative is matched recursively. When the event holds an array of objects where the pattern holds an
 *   object, the sub-pattern must hold within one element (README "JSON Array Matching", `rulesForJSONEvent`).
 * - `exists: false` holds when no leaf value sits at the path. Within an array of objects it is checked against
 *   the element the other conditions picked, or against every element when no condition picked one.
 */

// ---------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------

/** A value matched exactly: strings, numbers (compared numerically), `true`, `false` and `null`. */
export type ExactValue = string | number | boolean | null;

type OneOrMany<T> = T | readonly T[];

type IgnoreCase = { readonly 'equals-ignore-case': string };

/** Operand of `anything-but`: values to exclude, or a prefix/suffix/equals-ignore-case/wildcard to exclude. */
export type AnythingButOperand =
  | OneOrMany<string>
  | OneOrMany<number>
  | { readonly prefix: OneOrMany<string> }
  | { readonly suffix: OneOrMany<string> }
  | { readonly 'equals-ignore-case': OneOrMany<string> }
  | { readonly wildcard: OneOrMany<string> };

/** A comparison operator in a pattern's value array, e.g. `{ "prefix": "ml.inf2" }`. */
export type ContentFilter =
  | { readonly prefix: string | IgnoreCase }
  | { readonly suffix: string | IgnoreCase }
  | { readonly 'equals-ignore-case': string }
  | { readonly 'anything-but': AnythingButOperand }
  | { readonly numeric: readonly (string | number)[] }
  | { readonly exists: boolean }
  | { readonly wildcard: string }
  | { readonly cidr: string };

/** The values a leaf field may take: any one of them matching is enough. */
export type PatternValues = readonly (ExactValue | ContentFilter)[];

/** An EventBridge event pattern. `$or` holds an array of sub-patterns; any other key names an event field. */
export interface EventPattern {
  readonly [field: string]: PatternValues | EventPattern | readonly EventPattern[];
}

/** A compiled pattern: tells whether an event matches. */
export type EventMatcher = (event: Readonly<Record<string, unknown>>) => boolean;

/** Documented EventBridge limit on the rule combinations an `$or` pattern may expand to. */
export const MAX_OR_COMBINATIONS = 1000;

/**
 * Thrown for a pattern EventBridge would reject with `InvalidEventPatternException`.
 * `reason` says what is wrong and `path` where (e.g. `detail.state[0].numeric`).
 */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';

  constructor(
    readonly reason: string,
    readonly path: string,
  ) {
    super(`Event pattern is not valid. Reason: ${reason} at ${path === '' ? '(pattern root)' : path}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parsed (validated) form
// ---------------------------------------------------------------------------------------------------------------

type Leaf = string | number | boolean | null;
type ValueTest = (value: Leaf) => boolean;
type PatternPath = readonly (string | number)[];

interface LeafCondition {
  /** Any test passing for any leaf value at the path satisfies the condition. */
  readonly tests: readonly ValueTest[];
  /** Whether the condition holds when no leaf value sits at the path (`exists: false`). */
  readonly allowsAbsence: boolean;
}

type ParsedEntry =
  | { readonly kind: 'leaf'; readonly key: string; readonly condition: LeafCondition }
  | { readonly kind: 'object'; readonly key: string; readonly pattern: ParsedPattern }
  | { readonly kind: 'or'; readonly branches: readonly ParsedPattern[] };

type ParsedPattern = readonly ParsedEntry[];

type ParsedFilter = { readonly kind: 'test'; readonly test: ValueTest } | { readonly kind: 'absence' };

const OR_KEYWORD = '$or';

/** Names event-ruler refuses as field names anywhere inside an `$or` branch. */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

function formatPath(path: PatternPath): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    return text === '' ? segment : `${text}.${segment}`;
  }, '');
}

function fail(reason: string, path: PatternPath): never {
  throw new InvalidEventPatternError(reason, formatPath(path));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function describeValue(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function requireString(value: unknown, what: string, path: PatternPath): string {
  if (typeof value !== 'string') fail(`${what} must be a string`, path);
  return value;
}

function requireNumber(value: unknown, operator: string, path: PatternPath): number {
  if (!isFiniteNumber(value)) fail(`Value of ${operator} must be numeric`, path);
  return value;
}

function parseObject(raw: unknown, path: PatternPath, insideOr: boolean): ParsedPattern {
  if (!isPlainObject(raw)) fail('Event pattern must be a JSON object', path);
  const entries = Object.entries(raw);
  if (entries.length === 0) fail('Empty objects are not allowed', path);
  return entries.map(([key, value]) => parseEntry(key, value, [...path, key], insideOr));
}

function parseEntry(key: string, value: unknown, path: PatternPath, insideOr: boolean): ParsedEntry {
  if (key === OR_KEYWORD) return { kind: 'or', branches: parseOrBranches(value, path) };
  if (insideOr && RESERVED_IN_OR.has(key)) {
    fail(`"${key}" is a reserved keyword and cannot be used as a field name inside ${OR_KEYWORD}`, path);
  }
  if (Array.isArray(value)) return { kind: 'leaf', key, condition: parseLeafCondition(value, path) };
  if (isPlainObject(value)) return { kind: 'object', key, pattern: parseObject(value, path, insideOr) };
  return fail(`"${key}" must be an object or an array`, path);
}

function parseOrBranches(value: unknown, path: PatternPath): readonly ParsedPattern[] {
  if (!Array.isArray(value)) fail(`${OR_KEYWORD} must be followed by an array of objects`, path);
  if (value.length < 2) fail(`There must be at least 2 objects in ${OR_KEYWORD}`, path);
  return value.map((branch, index) => {
    if (!isPlainObject(branch))
      fail(`Only JSON objects are allowed in the ${OR_KEYWORD} array`, [...path, index]);
    return parseObject(branch, [...path, index], true);
  });
}

function parseLeafCondition(values: readonly unknown[], path: PatternPath): LeafCondition {
  if (values.length === 0) fail('Empty arrays are not allowed', path);
  const filters = values.map((value, index) => parseMatchValue(value, [...path, index]));
  return {
    tests: filters.flatMap((filter) => (filter.kind === 'test' ? [filter.test] : [])),
    allowsAbsence: filters.some((filter) => filter.kind === 'absence'),
  };
}

function parseMatchValue(value: unknown, path: PatternPath): ParsedFilter {
  if (isPlainObject(value)) return parseFilter(value, path);
  if (typeof value === 'string') return { kind: 'test', test: exactStringTest(value) };
  if (isFiniteNumber(value) || typeof value === 'boolean' || value === null) {
    return { kind: 'test', test: (candidate) => candidate === value };
  }
  return fail('Match value must be a string, number, true, false, null or a match expression object', path);
}

function parseFilter(filter: Record<string, unknown>, path: PatternPath): ParsedFilter {
  const [operator, ...others] = Object.keys(filter);
  if (operator === undefined) fail('Match expression name not found', path);
  if (others.length > 0) fail('Only one key allowed in match expression', path);
  const operand = filter[operator];
  const operandPath = [...path, operator];
  if (operator === 'exists') return parseExists(operand, operandPath);
  return { kind: 'test', test: parseValueFilter(operator, operand, operandPath) };
}

function parseValueFilter(operator: string, operand: unknown, path: PatternPath): ValueTest {
  switch (operator) {
    case 'prefix':
      return parsePrefix(operand, path);
    case 'suffix':
      return parseSuffix(operand, path);
    case 'equals-ignore-case':
      return equalsIgnoreCaseTest(requireString(operand, 'equals-ignore-case match pattern', path));
    case 'anything-but':
      return parseAnythingBut(operand, path);
    case 'numeric':
      return parseNumeric(operand, path);
    case 'wildcard':
      return wildcardTest(parseWildcard(requireString(operand, 'wildcard match pattern', path), path));
    case 'cidr':
      return parseCidr(operand, path);
    default:
      return fail(`Unrecognized match type ${operator}`, path.slice(0, -1));
  }
}

function parseExists(operand: unknown, path: PatternPath): ParsedFilter {
  if (typeof operand !== 'boolean') fail('exists match pattern must be either true or false', path);
  // Any leaf value counts as present, including JSON null.
  return operand ? { kind: 'test', test: () => true } : { kind: 'absence' };
}

function parseIgnoreCaseOperand(
  operand: Record<string, unknown>,
  operator: string,
  path: PatternPath,
): string {
  const [name, ...others] = Object.keys(operand);
  if (name !== 'equals-ignore-case') fail(`Unsupported ${operator} pattern: ${name ?? '(none)'}`, path);
  if (others.length > 0) fail('Only one key allowed in match expression', path);
  return requireString(operand[name], 'equals-ignore-case match pattern', [...path, name]);
}

function parsePrefix(operand: unknown, path: PatternPath): ValueTest {
  if (isPlainObject(operand)) return prefixIgnoreCaseTest(parseIgnoreCaseOperand(operand, 'prefix', path));
  const prefix = requireString(operand, 'prefix match pattern', path);
  return (value) => typeof value === 'string' && value.startsWith(prefix);
}

function parseSuffix(operand: unknown, path: PatternPath): ValueTest {
  if (isPlainObject(operand)) return suffixIgnoreCaseTest(parseIgnoreCaseOperand(operand, 'suffix', path));
  const suffix = requireString(operand, 'suffix match pattern', path);
  return (value) => typeof value === 'string' && value.endsWith(suffix);
}

// ---------------------------------------------------------------------------------------------------------------
// anything-but
// ---------------------------------------------------------------------------------------------------------------

function parseAnythingBut(operand: unknown, path: PatternPath): ValueTest {
  if (isPlainObject(operand)) return parseAnythingButModifier(operand, path);
  const excluded: ReadonlySet<string | number> = new Set(
    Array.isArray(operand) ? parseAnythingButList(operand, path) : [parseAnythingButScalar(operand, path)],
  );
  // Values of another type (or null/booleans) are never excluded, as in event-ruler.
  return (value) => !(typeof value === 'string' || typeof value === 'number') || !excluded.has(value);
}

function parseAnythingButScalar(operand: unknown, path: PatternPath): string | number {
  if (typeof operand === 'string' || isFiniteNumber(operand)) return operand;
  return fail('Value of anything-but must be an array or single string/number value', path);
}

function parseAnythingButList(values: readonly unknown[], path: PatternPath): readonly (string | number)[] {
  const allStrings = values.every((value) => typeof value === 'string');
  const allNumbers = values.every(isFiniteNumber);
  if (values.length === 0 || !(allStrings || allNumbers)) {
    fail(
      'Inside anything-but list, either all values are numbers or all are strings; mixed types are not supported',
      path,
    );
  }
  return values as readonly (string | number)[];
}

const ANYTHING_BUT_MODIFIERS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;

type AnythingButModifier = (typeof ANYTHING_BUT_MODIFIERS)[number];

function isAnythingButModifier(name: string): name is AnythingButModifier {
  return (ANYTHING_BUT_MODIFIERS as readonly string[]).includes(name);
}

function parseAnythingButModifier(operand: Record<string, unknown>, path: PatternPath): ValueTest {
  const [modifier, ...others] = Object.keys(operand);
  if (modifier === undefined) fail('Anything-but expression name not found', path);
  if (!isAnythingButModifier(modifier)) fail(`Unsupported anything-but pattern: ${modifier}`, path);
  if (others.length > 0) fail('Only one key allowed in match expression', path);
  const modifierPath = [...path, modifier];
  const texts = parseAnythingButTexts(operand[modifier], modifier, modifierPath);
  const tests = texts.map((text) => anythingButModifierTest(modifier, text, modifierPath));
  // Only strings can be excluded by these modifiers; every other leaf value passes.
  return (value) => typeof value !== 'string' || !tests.some((test) => test(value));
}

function parseAnythingButTexts(
  operand: unknown,
  modifier: AnythingButModifier,
  path: PatternPath,
): readonly string[] {
  const texts = Array.isArray(operand) ? operand : [operand];
  if (texts.length === 0) fail(`anything-but ${modifier} list must not be empty`, path);
  return texts.map((text, index) => {
    const textPath = Array.isArray(operand) ? [...path, index] : path;
    const value = requireString(text, `anything-but ${modifier} match pattern`, textPath);
    if (value === '' && (modifier === 'prefix' || modifier === 'suffix')) {
      fail('Null prefix/suffix not allowed', textPath);
    }
    return value;
  });
}

function anythingButModifierTest(modifier: AnythingButModifier, text: string, path: PatternPath): ValueTest {
  switch (modifier) {
    case 'prefix':
      return (value) => typeof value === 'string' && value.startsWith(text);
    case 'suffix':
      return (value) => typeof value === 'string' && value.endsWith(text);
    case 'equals-ignore-case':
      return equalsIgnoreCaseTest(text);
    case 'wildcard':
      return wildcardTest(parseWildcard(text, path));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// equals-ignore-case (also inside prefix, suffix and anything-but)
// ---------------------------------------------------------------------------------------------------------------

/**
 * For each UTF-16 unit of the pattern, the spellings accepted in the event: like event-ruler, the lower- and
 * upper-case forms of the pattern character (which may differ in length, e.g. "ß" → "SS"), plus the character.
 */
function unitVariants(text: string): readonly (readonly string[])[] {
  const variants: (readonly string[])[] = [];
  for (let index = 0; index < text.length; index++) {
    const unit = text.charAt(index);
    variants.push([...new Set([unit, unit.toLowerCase(), unit.toUpperCase()])]);
  }
  return variants;
}

/** Offsets in `value` reachable after matching all variants forwards from offset 0. */
function forwardOffsets(variants: readonly (readonly string[])[], value: string): ReadonlySet<number> {
  let offsets: ReadonlySet<number> = new Set([0]);
  for (const options of variants) {
    const next = new Set<number>();
    for (const offset of offsets) {
      for (const option of options) if (value.startsWith(option, offset)) next.add(offset + option.length);
    }
    if (next.size === 0) return next;
    offsets = next;
  }
  return offsets;
}

/** Whether the variants can be matched backwards so that they end exactly at the end of `value`. */
function matchesSuffixVariants(variants: readonly (readonly string[])[], value: string): boolean {
  let offsets: ReadonlySet<number> = new Set([value.length]);
  for (const options of [...variants].reverse()) {
    const next = new Set<number>();
    for (const offset of offsets) {
      for (const option of options) {
        const start = offset - option.length;
        if (start >= 0 && value.startsWith(option, start)) next.add(start);
      }
    }
    if (next.size === 0) return false;
    offsets = next;
  }
  return true;
}

function equalsIgnoreCaseTest(expected: string): ValueTest {
  const variants = unitVariants(expected);
  return (value) => typeof value === 'string' && forwardOffsets(variants, value).has(value.length);
}

function prefixIgnoreCaseTest(prefix: string): ValueTest {
  const variants = unitVariants(prefix);
  return (value) => typeof value === 'string' && forwardOffsets(variants, value).size > 0;
}

function suffixIgnoreCaseTest(suffix: string): ValueTest {
  const variants = unitVariants(suffix);
  return (value) => typeof value === 'string' && matchesSuffixVariants(variants, value);
}

// ---------------------------------------------------------------------------------------------------------------
// numeric
// ---------------------------------------------------------------------------------------------------------------

interface NumericBound {
  readonly value: number;
  readonly inclusive: boolean;
}

function numericRangeTest(lower: NumericBound | undefined, upper: NumericBound | undefined): ValueTest {
  return (value) =>
    typeof value === 'number' &&
    (lower === undefined || value > lower.value || (lower.inclusive && value === lower.value)) &&
    (upper === undefined || value < upper.value || (upper.inclusive && value === upper.value));
}

function parseNumeric(operand: unknown, path: PatternPath): ValueTest {
  if (!Array.isArray(operand)) fail('Value of numeric must be an array', path);
  const [operator, value, ...rest] = operand as readonly unknown[];
  if (typeof operator !== 'string') fail(`Invalid member in numeric match: ${describeValue(operator)}`, path);
  const bound = { value: requireNumberFor(operator, value, path), inclusive: operator.includes('=') };
  if (operator === '=') {
    requireNoMoreTerms(rest, path);
    return numericRangeTest(bound, bound);
  }
  if (operator === '<' || operator === '<=') {
    requireNoMoreTerms(rest, path);
    return numericRangeTest(undefined, bound);
  }
  return numericRangeTest(bound, rest.length === 0 ? undefined : parseUpperBound(rest, bound, path));
}

function requireNumberFor(operator: string, value: unknown, path: PatternPath): number {
  if (!['=', '<', '<=', '>', '>='].includes(operator))
    fail(`Unrecognized numeric range operator: ${operator}`, path);
  return requireNumber(value, operator, path);
}

function requireNoMoreTerms(rest: readonly unknown[], path: PatternPath): void {
  if (rest.length > 0) fail('Too many elements in numeric expression', path);
}

function parseUpperBound(terms: readonly unknown[], lower: NumericBound, path: PatternPath): NumericBound {
  const [operator, value, ...rest] = terms;
  if (operator !== '<' && operator !== '<=')
    fail(`Bad numeric range operator: ${describeValue(operator)}`, path);
  const upper = { value: requireNumber(value, operator, path), inclusive: operator === '<=' };
  if (rest.length > 0) fail('Too many terms in numeric range expression', path);
  if (upper.value <= lower.value) fail('Bottom must be less than top', path);
  return upper;
}

// ---------------------------------------------------------------------------------------------------------------
// wildcard
// ---------------------------------------------------------------------------------------------------------------

/** Splits a wildcard pattern into the literal parts between its `*`s, applying `\*` and `\\` escapes. */
function parseWildcard(text: string, path: PatternPath): readonly string[] {
  const parts: string[] = [];
  let current = '';
  let index = 0;
  while (index < text.length) {
    const char = text.charAt(index);
    if (char === '*') {
      if (text.charAt(index + 1) === '*') fail(`Consecutive wildcard characters at pos ${index}`, path);
      parts.push(current);
      current = '';
    } else if (char === '\\') {
      const next = text.charAt(index + 1);
      if (next !== '*' && next !== '\\') fail(`Invalid escape character at pos ${index}`, path);
      current += next;
      index++;
    } else {
      current += char;
    }
    index++;
  }
  parts.push(current);
  return parts;
}

function matchesWildcard(parts: readonly string[], value: string): boolean {
  const first = parts[0] ?? '';
  if (parts.length === 1) return value === first;
  const last = parts[parts.length - 1] ?? '';
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last))
    return false;
  const end = value.length - last.length;
  let offset = first.length;
  // Leftmost placement of each middle part is optimal when `*` is the only operator.
  for (const middle of parts.slice(1, -1)) {
    const found = value.indexOf(middle, offset);
    if (found < 0 || found + middle.length > end) return false;
    offset = found + middle.length;
  }
  return true;
}

function wildcardTest(parts: readonly string[]): ValueTest {
  return (value) => typeof value === 'string' && matchesWildcard(parts, value);
}

// ---------------------------------------------------------------------------------------------------------------
// IP addresses and cidr
// ---------------------------------------------------------------------------------------------------------------

function parseIpv4(text: string): Uint8Array | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (match === null) return undefined;
  const octets = match.slice(1).map(Number);
  return octets.every((octet) => octet <= 255) ? Uint8Array.from(octets) : undefined;
}

/** Plain hexadecimal IPv6 (optionally with one `::`); like event-ruler, no zone ids or embedded IPv4. */
function parseIpv6(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const [head = '', tail = ''] = halves;
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  if (!groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  return Uint8Array.from(
    groups.flatMap((group) => [Number.parseInt(group, 16) >> 8, Number.parseInt(group, 16) & 0xff]),
  );
}

function parseIpAddress(text: string): Uint8Array | undefined {
  return parseIpv4(text) ?? parseIpv6(text);
}

function inNetwork(address: Uint8Array, network: Uint8Array, maskBits: number): boolean {
  if (address.length !== network.length) return false;
  for (let bit = 0; bit < maskBits; bit += 8) {
    const index = bit / 8;
    const mask = (0xff << (8 - Math.min(8, maskBits - bit))) & 0xff;
    if (((address[index] ?? 0) & mask) !== ((network[index] ?? 0) & mask)) return false;
  }
  return true;
}

function ipTest(network: Uint8Array, maskBits: number): ValueTest {
  return (value) => {
    if (typeof value !== 'string') return false;
    const address = parseIpAddress(value);
    return address !== undefined && inNetwork(address, network, maskBits);
  };
}

/**
 * event-ruler turns an exact string that is an IP address into a one-address range, so `"10.0.0.1"` also
 * matches other spellings of the same address (notably IPv6 case and zero compression).
 */
function exactStringTest(expected: string): ValueTest {
  const address = parseIpAddress(expected);
  if (address === undefined) return (value) => value === expected;
  const sameAddress = ipTest(address, address.length * 8);
  return (value) => value === expected || sameAddress(value);
}

function parseCidr(operand: unknown, path: PatternPath): ValueTest {
  const text = requireString(operand, 'cidr match pattern', path);
  const [addressText = '', maskText, ...extra] = text.split('/');
  if (maskText === undefined || extra.length > 0) fail("Malformed CIDR, one '/' required", path);
  if (!/^\d+$/.test(maskText)) fail('Malformed CIDR, mask bits must be a non-negative integer', path);
  const network = parseIpAddress(addressText);
  if (network === undefined) fail(`Invalid IP address: ${addressText}`, path);
  const maskBits = Number(maskText);
  // event-ruler's limits: a full-length mask is rejected (an exact IP string already matches one address).
  const maxBits = network.length * 8 - 1;
  if (maskBits > maxBits) fail(`IPv${network.length === 4 ? 4 : 6} mask bits must be < ${maxBits + 1}`, path);
  return ipTest(network, maskBits);
}

// ---------------------------------------------------------------------------------------------------------------
// $or expansion
// ---------------------------------------------------------------------------------------------------------------

function countCombinations(pattern: ParsedPattern): number {
  return pattern.reduce((product, entry) => product * entryCombinations(entry), 1);
}

function entryCombinations(entry: ParsedEntry): number {
  switch (entry.kind) {
    case 'leaf':
      return 1;
    case 'object':
      return countCombinations(entry.pattern);
    case 'or':
      return entry.branches.reduce((sum, branch) => sum + countCombinations(branch), 0);
  }
}

/** An `$or`-free pattern node. Leaf keys may repeat (all must hold); child keys are merged. */
interface PatternNode {
  readonly leaves: readonly (readonly [string, LeafCondition])[];
  readonly children: ReadonlyMap<string, PatternNode>;
}

const EMPTY_NODE: PatternNode = { leaves: [], children: new Map() };

function mergeNodes(left: PatternNode, right: PatternNode): PatternNode {
  const children = new Map(left.children);
  for (const [key, child] of right.children) {
    const existing = children.get(key);
    children.set(key, existing === undefined ? child : mergeNodes(existing, child));
  }
  return { leaves: [...left.leaves, ...right.leaves], children };
}

function expandPattern(pattern: ParsedPattern): readonly PatternNode[] {
  return pattern.reduce<readonly PatternNode[]>(
    (alternatives, entry) => {
      const entryAlternatives = expandEntry(entry);
      return alternatives.flatMap((left) => entryAlternatives.map((right) => mergeNodes(left, right)));
    },
    [EMPTY_NODE],
  );
}

function expandEntry(entry: ParsedEntry): readonly PatternNode[] {
  switch (entry.kind) {
    case 'leaf':
      return [{ leaves: [[entry.key, entry.condition]], children: new Map() }];
    case 'object':
      return expandPattern(entry.pattern).map((child) => ({
        leaves: [],
        children: new Map([[entry.key, child]]),
      }));
    case 'or':
      return entry.branches.flatMap(expandPattern);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------------------------

/**
 * How a (sub-)pattern can hold against part of an event: `byValue` when at least one of its conditions is met by
 * a value found there, `byAbsence` when every condition is met by its field being absent (`exists: false`).
 * The distinction decides which array element, if any, absence is checked against.
 */
interface Outcome {
  readonly byValue: boolean;
  readonly byAbsence: boolean;
}

const NO_MATCH: Outcome = { byValue: false, byAbsence: false };

function ownField(object: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function isLeaf(value: unknown): value is Leaf {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

/** Array structure is crushed out: nested arrays are flattened into one list of elements. */
function flattenArray(values: readonly unknown[]): readonly unknown[] {
  return values.flatMap((value) => (Array.isArray(value) ? flattenArray(value) : [value]));
}

/** The leaf values at a field; objects are not leaves, so a pattern leaf never matches them. */
function leafValues(value: unknown): readonly Leaf[] {
  if (Array.isArray(value)) return flattenArray(value).filter(isLeaf);
  return isLeaf(value) ? [value] : [];
}

function isAbsenceOnly(node: PatternNode): boolean {
  return (
    node.leaves.every(([, condition]) => condition.allowsAbsence) &&
    [...node.children.values()].every(isAbsenceOnly)
  );
}

function matchLeaf(condition: LeafCondition, value: unknown): Outcome {
  const values = leafValues(value);
  return {
    byValue: values.some((leaf) => condition.tests.some((test) => test(leaf))),
    byAbsence: condition.allowsAbsence && values.length === 0,
  };
}

function matchChild(node: PatternNode, value: unknown): Outcome {
  if (isPlainObject(value)) return matchNode(node, value);
  if (Array.isArray(value)) return matchElements(node, flattenArray(value).filter(isPlainObject));
  return { byValue: false, byAbsence: isAbsenceOnly(node) };
}

/** A value match must come from one element; a match by absence must hold in every element. */
function matchElements(node: PatternNode, elements: readonly Record<string, unknown>[]): Outcome {
  let byValue = false;
  let byAbsence = isAbsenceOnly(node);
  for (const element of elements) {
    const outcome = matchNode(node, element);
    byValue ||= outcome.byValue;
    byAbsence &&= outcome.byAbsence;
    if (byValue && !byAbsence) break;
  }
  return { byValue, byAbsence };
}

function* fieldOutcomes(node: PatternNode, object: Readonly<Record<string, unknown>>): Generator<Outcome> {
  for (const [key, condition] of node.leaves) yield matchLeaf(condition, ownField(object, key));
  for (const [key, child] of node.children) yield matchChild(child, ownField(object, key));
}

function matchNode(node: PatternNode, object: Readonly<Record<string, unknown>>): Outcome {
  let byValue = false;
  let byAbsence = true;
  for (const outcome of fieldOutcomes(node, object)) {
    if (!outcome.byValue && !outcome.byAbsence) return NO_MATCH;
    byValue ||= outcome.byValue;
    byAbsence &&= outcome.byAbsence;
  }
  return { byValue, byAbsence };
}

// ---------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------

function parsePattern(pattern: unknown): ParsedPattern {
  const parsed = parseObject(pattern, [], false);
  const combinations = countCombinations(parsed);
  if (combinations > MAX_OR_COMBINATIONS) {
    fail(
      `${OR_KEYWORD} expands to ${combinations} rule combinations; at most ${MAX_OR_COMBINATIONS} are allowed`,
      [],
    );
  }
  return parsed;
}

/**
 * Checks a pattern the way `PutRule`/`TestEventPattern` would.
 *
 * @throws InvalidEventPatternError when EventBridge would reject the pattern.
 */
export function validatePattern(pattern: unknown): asserts pattern is EventPattern {
  parsePattern(pattern);
}

/**
 * Validates a pattern once and returns a function that matches events against it.
 *
 * @throws InvalidEventPatternError when EventBridge would reject the pattern.
 */
export function compilePattern(pattern: unknown): EventMatcher {
  const alternatives = expandPattern(parsePattern(pattern));
  return (event) =>
    alternatives.some((node) => {
      const outcome = matchNode(node, event);
      return outcome.byValue || outcome.byAbsence;
    });
}

/**
 * Whether `event` matches `pattern` under EventBridge semantics. Compile with {@link compilePattern} when the
 * same pattern is matched repeatedly.
 *
 * @throws InvalidEventPatternError when the pattern is invalid.
 */
export function matchesPattern(pattern: EventPattern, event: Readonly<Record<string, unknown>>): boolean {
  return compilePattern(pattern)(event);
}
