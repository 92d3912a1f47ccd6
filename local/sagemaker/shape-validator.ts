/**
 * Request validation driven by the service model's shapes, as AWS's own request validation
 * (and LocalStack's, against the same specs) does. Walking a request along its input shape:
 *
 * - a member of the wrong JSON type fails deserialization at once (`SerializationException`);
 * - every constraint violation (a required member missing, a length, range, pattern or enum, a
 *   union without exactly one member) is collected, and all are reported together as
 *   "N validation errors detected: Value '…' at '…' failed to satisfy constraint: …; …";
 * - members the shape does not define are dropped, as the service's deserializer ignores them.
 *
 * What the model cannot say (rules across members, state) is the caller's, once this passes.
 */
import { AwsServiceError, validationError } from '../protocol/aws-error';
import { type ServiceModel, type Shape, shapeOf } from './api-model';

/** A JSON object as parsed from a request body. */
export type JsonObject = Record<string, unknown>;

/** The path segment AWS uses for a member: its name with the first letter lowered. */
export const memberPath = (parent: string, member: string): string => {
  const segment = member.charAt(0).toLowerCase() + member.slice(1);
  return parent ? `${parent}.${segment}` : segment;
};

/** The path of the `index`-th (0-based) element of a list, as AWS spells it (1-based). */
export const elementPath = (list: string, index: number): string => `${list}.${index + 1}.member`;

const MAX_SHOWN_VALUE = 200;

/**
 * A value as AWS (Java) prints it in a validation message, written only as far as the message
 * shows it: a client's value may be nested thousands deep, and printing it all would overflow
 * the stack.
 */
function javaString(value: unknown, room = MAX_SHOWN_VALUE + 1): string {
  if (room <= 0) return '';
  if (value === null || value === undefined) return 'null';
  const open = Array.isArray(value) ? '[' : typeof value === 'object' ? '{' : undefined;
  if (open === undefined) return String(value).slice(0, room);
  const entries = Array.isArray(value)
    ? value.map((v) => ['', v] as const)
    : Object.entries(value as object).map(([k, v]) => [`${k}=`, v] as const);
  let text = open;
  for (const [i, [prefix, v]] of entries.entries()) {
    if (text.length >= room) break;
    text += `${i > 0 ? ', ' : ''}${prefix}${javaString(v, room - text.length)}`;
  }
  return `${text}${open === '[' ? ']' : '}'}`;
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const text = javaString(value);
  return `'${text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}...` : text}'`;
}

const serializationError = (path: string, expected: string, value: unknown): AwsServiceError =>
  new AwsServiceError(
    'SerializationException',
    `Value at '${path || 'request'}' must be ${expected}, got ${
      value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
    }`,
  );

/** `value` as a JSON object, or a `SerializationException` naming `path`. */
export function asObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw serializationError(path, 'an object', value);
  }
  return value as JsonObject;
}

/** Collects the constraint violations of one request. */
export class Violations {
  private readonly messages: string[] = [];

  /** Records that `value` at `path` breaks `constraint` (worded as AWS does: "Member must …"). */
  add(path: string, value: unknown, constraint: string): void {
    this.messages.push(`Value ${shown(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  /** Throws one `ValidationException` listing every violation, if there is any. */
  throwIfAny(): void {
    const n = this.messages.length;
    if (n === 0) return;
    throw validationError(`${n} validation error${n === 1 ? '' : 's'} detected: ${this.messages.join('; ')}`);
  }
}

const patterns = new Map<string, RegExp>();

/**
 * A model pattern as a JavaScript RegExp. The service matches the whole value (Java's
 * `String.matches`), so the pattern is anchored; `u` for its `\p{…}` classes.
 */
export function modelPattern(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${pattern})$`, 'u');
    patterns.set(pattern, regex);
  }
  return regex;
}

/** The JSON type a scalar shape's value must have, as a SerializationException words it. */
const EXPECTED: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  long: 'an integer',
  float: 'a number',
  double: 'a number',
  boolean: 'a boolean',
};

/** The JSON type a value of the shape must have, as a SerializationException words it. */
const expectedOf = (shape: Shape): string =>
  EXPECTED[shape.type] ??
  ({ list: 'a list', timestamp: 'a timestamp (epoch seconds)' } as Record<string, string>)[shape.type] ??
  'an object';

/** Whether `value` has the JSON type of the scalar shape. */
function hasScalarType(shape: Shape, value: unknown): boolean {
  switch (shape.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
    case 'long':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return false;
  }
}

/** The shape's `min` and `max` that `size` (a number, or a string's, list's or map's length) breaks. */
function boundProblems(shape: Shape, size: number, unit: 'length' | 'value'): string[] {
  const problems: string[] = [];
  if (shape.min !== undefined && size < shape.min)
    problems.push(`Member must have ${unit} greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && size > shape.max)
    problems.push(`Member must have ${unit} less than or equal to ${shape.max}`);
  return problems;
}

/** The constraints a string, number or boolean of the right type breaks, worded as AWS does. */
function scalarProblems(shape: Shape, value: unknown): string[] {
  if (typeof value === 'number') return boundProblems(shape, value, 'value');
  const problems: string[] = [];
  if (typeof value === 'string') {
    problems.push(...boundProblems(shape, value.length, 'length'));
    if (shape.pattern !== undefined && !modelPattern(shape.pattern).test(value))
      problems.push(`Member must satisfy regular expression pattern: ^${shape.pattern}$`);
    if (shape.enum && !shape.enum.includes(value))
      problems.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  }
  return problems;
}

/** A walk of one request along its shapes, collecting violations. */
class Walk {
  readonly violations = new Violations();

  constructor(private readonly model: ServiceModel) {}

  /** The value of shape `name` at `path` (present: not null), with only the members its shapes define. */
  value(name: string, value: unknown, path: string): unknown {
    const shape = shapeOf(this.model, name);
    switch (shape.type) {
      case 'structure':
        return shape.union ? this.union(shape, value, path) : this.structure(shape, value, path);
      case 'list':
        return this.list(shape, value, path);
      case 'map':
        return this.map(shape, value, path);
      case 'timestamp':
        return timestamp(value, path);
      default: {
        if (!hasScalarType(shape, value)) throw serializationError(path, expectedOf(shape), value);
        for (const problem of scalarProblems(shape, value)) this.violations.add(path, value, problem);
        return value;
      }
    }
  }

  private structure(shape: Shape, value: unknown, path: string): JsonObject {
    const input = asObject(value, path);
    const required = new Set(shape.required ?? []);
    const out: JsonObject = {};
    for (const [member, ref] of Object.entries(shape.members ?? {})) {
      const at = memberPath(path, member);
      const given = input[member];
      if (given === undefined || given === null) {
        if (required.has(member)) this.violations.add(at, null, 'Member must not be null');
        continue;
      }
      out[member] = this.value(ref.shape, given, at);
    }
    return out;
  }

  /** A union: exactly one member set, and a member the shape defines. */
  private union(shape: Shape, value: unknown, path: string): JsonObject | undefined {
    const input = asObject(value, path);
    const members = Object.keys(shape.members ?? {});
    const present = Object.keys(input).filter((key) => input[key] !== undefined && input[key] !== null);
    const [only] = present;
    if (present.length !== 1 || only === undefined || !members.includes(only)) {
      this.violations.add(
        path,
        present,
        `Member must have exactly one of [${members.join(', ')}] set, but has ${present.length}`,
      );
      return undefined;
    }
    return this.structure({ ...shape, union: false }, input, path);
  }

  private list(shape: Shape, value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) throw serializationError(path, 'a list', value);
    for (const problem of boundProblems(shape, value.length, 'length'))
      this.violations.add(path, value, problem);
    const member = (shape.member as { shape: string }).shape;
    return value.flatMap((item, i) => {
      const at = elementPath(path, i);
      if (item === null || item === undefined)
        throw serializationError(at, expectedOf(shapeOf(this.model, member)), item);
      return [this.value(member, item, at)];
    });
  }

  /**
   * A map: its size; its keys' and values' constraints, each reported once for the whole map
   * ("Map keys must satisfy constraint: [...]"), as AWS does.
   */
  private map(shape: Shape, value: unknown, path: string): JsonObject {
    const input = asObject(value, path);
    const entries = Object.entries(input);
    for (const problem of boundProblems(shape, entries.length, 'length'))
      this.violations.add(path, input, problem);
    const keyShape = shapeOf(this.model, (shape.key as { shape: string }).shape);
    const valueName = (shape.value as { shape: string }).shape;
    const valueShape = shapeOf(this.model, valueName);
    const keyProblems = new Set<string>();
    const valueProblems = new Set<string>();
    const out: JsonObject = {};
    for (const [key, item] of entries) {
      for (const problem of scalarProblems(keyShape, key)) keyProblems.add(problem);
      const at = `${path}.${key}`;
      if (item === null || item === undefined) {
        valueProblems.add('Member must not be null');
      } else if (valueShape.type in EXPECTED) {
        if (!hasScalarType(valueShape, item)) throw serializationError(at, expectedOf(valueShape), item);
        for (const problem of scalarProblems(valueShape, item)) valueProblems.add(problem);
        out[key] = item;
      } else {
        out[key] = this.value(valueName, item, at);
      }
    }
    if (keyProblems.size)
      this.violations.add(path, input, `Map keys must satisfy constraint: [${[...keyProblems].join(', ')}]`);
    if (valueProblems.size)
      this.violations.add(
        path,
        input,
        `Map value must satisfy constraint: [${[...valueProblems].join(', ')}]`,
      );
    return out;
  }
}

/** A timestamp: epoch seconds on the wire; an ISO-8601 string is accepted too. Returns epoch seconds. */
function timestamp(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value) / 1000;
  throw serializationError(path, 'a timestamp (epoch seconds)', value);
}

/**
 * Validates `body` as a value of the structure `shape` of `model` and returns it with only the
 * members the model defines (timestamps as epoch seconds). Throws `SerializationException` at
 * the first member of the wrong JSON type, else `ValidationException` listing every violation.
 */
export function validateShape(model: ServiceModel, shape: string, body: unknown): JsonObject {
  const walk = new Walk(model);
  const value = walk.value(shape, asObject(body, ''), '') as JsonObject;
  walk.violations.throwIfAny();
  return value;
}
