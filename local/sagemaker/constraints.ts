/**
 * Reading and checking awsJson request members the way AWS's request validation does: a member
 * of the wrong JSON type fails deserialization at once (`SerializationException`); constraint
 * violations (null, length, pattern, enum, range) are collected and reported together as
 * "N validation errors detected: Value '…' at '…' failed to satisfy constraint: …; …".
 */
import { AwsServiceError, validationError } from '../aws-error';

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
    `Value at '${path}' must be ${expected}, got ${Array.isArray(value) ? 'array' : typeof value}`,
  );

/** Collects constraint violations of one request. */
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

  /** Null check for a required member; returns whether the value is present. */
  required(path: string, value: unknown): boolean {
    if (value !== undefined && value !== null) return true;
    this.add(path, null, 'Member must not be null');
    return false;
  }

  /** Length of a string, list or map (`size`) between `min` and `max`. */
  length(path: string, value: unknown, size: number, min: number | undefined, max: number | undefined): void {
    if (min !== undefined && size < min) {
      this.add(path, value, `Member must have length greater than or equal to ${min}`);
    }
    if (max !== undefined && size > max) {
      this.add(path, value, `Member must have length less than or equal to ${max}`);
    }
  }

  /** A string matching `pattern` (the whole string: the patterns are anchored). */
  pattern(path: string, value: string, pattern: RegExp): void {
    if (!pattern.test(value)) {
      this.add(path, value, `Member must satisfy regular expression pattern: ${pattern.source}`);
    }
  }

  /** A string that is one of `values`; returns whether it is. */
  oneOf<T extends string>(path: string, value: string, values: readonly T[]): value is T {
    if ((values as readonly string[]).includes(value)) return true;
    this.add(path, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
    return false;
  }

  /** A number between `min` and `max`. */
  range(path: string, value: number, min: number | undefined, max?: number): void {
    if (min !== undefined && value < min) {
      this.add(path, value, `Member must have value greater than or equal to ${min}`);
    }
    if (max !== undefined && value > max) {
      this.add(path, value, `Member must have value less than or equal to ${max}`);
    }
  }
}

/** Readers of one member of a JSON object that throw `SerializationException` on a wrong type. */
export const read = {
  string(parent: JsonObject, member: string, path: string): string | undefined {
    const value = parent[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw serializationError(path, 'a string', value);
    return value;
  },
  integer(parent: JsonObject, member: string, path: string): number | undefined {
    const value = parent[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw serializationError(path, 'an integer', value);
    return value;
  },
  boolean(parent: JsonObject, member: string, path: string): boolean | undefined {
    const value = parent[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw serializationError(path, 'a boolean', value);
    return value;
  },
  object(parent: JsonObject, member: string, path: string): JsonObject | undefined {
    const value = parent[member];
    if (value === undefined || value === null) return undefined;
    return asObject(value, path);
  },
  list(parent: JsonObject, member: string, path: string): unknown[] | undefined {
    const value = parent[member];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw serializationError(path, 'a list', value);
    return value;
  },
  /** A timestamp: epoch seconds on the wire; a `Date` or ISO string is accepted too. Returns epoch ms. */
  timestamp(parent: JsonObject, member: string, path: string): number | undefined {
    const value = parent[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
    throw serializationError(path, 'a timestamp (epoch seconds)', value);
  },
};

/** `value` as a JSON object, or a `SerializationException` naming `path`. */
export function asObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw serializationError(path || 'request', 'an object', value);
  }
  return value as JsonObject;
}

/** `value` as a string, or a `SerializationException` naming `path`. */
export function asString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw serializationError(path, 'a string', value);
  return value;
}
