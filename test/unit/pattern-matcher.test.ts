import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  compilePattern,
  type EventPattern,
  type ExactValue,
  InvalidEventPatternError,
  MAX_OR_COMBINATIONS,
  matchesPattern,
  validatePattern,
} from '../../local/eventbridge/pattern-matcher';

const VectorSchema = z.object({
  id: z.string(),
  operator: z.string(),
  pattern: z.unknown(),
  event: z.record(z.string(), z.unknown()),
  match: z.boolean().optional(),
  invalid: z.literal(true).optional(),
  source: z.string(),
  note: z.string(),
});

type Vector = z.infer<typeof VectorSchema>;

const vectors: readonly Vector[] = z
  .array(VectorSchema)
  .parse(
    JSON.parse(
      readFileSync(new URL('../fixtures/eventbridge-pattern-vectors.json', import.meta.url), 'utf8'),
    ),
  );

const matchVectors = vectors.filter((vector) => vector.match !== undefined);
const invalidVectors = vectors.filter((vector) => vector.invalid === true);

describe('EventBridge pattern vectors', () => {
  it('accounts for every vector exactly once', () => {
    expect(vectors).toHaveLength(65);
    expect(new Set(vectors.map((vector) => vector.id)).size).toBe(vectors.length);
    expect(matchVectors.length + invalidVectors.length).toBe(vectors.length);
  });

  it.each(matchVectors)('$id', (vector) => {
    expect(() => validatePattern(vector.pattern)).not.toThrow();
    expect(matchesPattern(vector.pattern as EventPattern, vector.event)).toBe(vector.match);
  });

  // invalid-or-too-many-combinations is the one vector that reflects a service limit (the documented cap of
  // 1000 rule combinations for $or) rather than matching semantics. The local bus enforces the same cap on
  // purpose, so a rule that deploys locally also deploys to EventBridge; see MAX_OR_COMBINATIONS.
  it.each(invalidVectors)('$id', (vector) => {
    expect(() => validatePattern(vector.pattern)).toThrow(InvalidEventPatternError);
  });
});

const completedEvent = {
  version: '0',
  id: '0d1a4f7e-2b9c-4c1e-9f5a-6f0e8d3c2b1a',
  'detail-type': 'Model Optimization Completed',
  source: 'model-optimization-pipeline',
  account: '123456789012',
  time: '2025-03-14T09:26:53Z',
  region: 'us-east-1',
  resources: ['arn:aws:sagemaker:us-east-1:123456789012:optimization-job/llama-3-8b-inf2'],
  detail: {
    jobName: 'llama-3-8b-inf2',
    model: { bucket: 'model-drop', key: 'incoming/llama-3-8b/model.tar.gz' },
    durationSeconds: 1830,
    deploymentInstanceType: 'ml.inf2.xlarge',
  },
};

const completedOnInferentia: EventPattern = {
  source: ['model-optimization-pipeline'],
  'detail-type': ['Model Optimization Completed'],
  detail: {
    model: { key: [{ prefix: 'incoming/' }] },
    durationSeconds: [{ numeric: ['>', 600] }],
    deploymentInstanceType: [{ prefix: 'ml.inf2' }],
  },
};

function withDetail(changes: Record<string, unknown>): typeof completedEvent {
  return { ...completedEvent, detail: { ...completedEvent.detail, ...changes } };
}

describe('patterns on our own events', () => {
  it('matches a completed Inferentia job that took longer than the threshold', () => {
    expect(matchesPattern(completedOnInferentia, completedEvent)).toBe(true);
  });

  it('rejects a job deployed on another instance family', () => {
    expect(
      matchesPattern(completedOnInferentia, withDetail({ deploymentInstanceType: 'ml.g5.2xlarge' })),
    ).toBe(false);
  });

  it('rejects a job that finished within the threshold', () => {
    expect(matchesPattern(completedOnInferentia, withDetail({ durationSeconds: 600 }))).toBe(false);
  });

  it('does not compare a duration sent as a string numerically', () => {
    expect(matchesPattern(completedOnInferentia, withDetail({ durationSeconds: '1830' }))).toBe(false);
  });

  it('rejects a model outside the watched key prefix', () => {
    const event = withDetail({ model: { bucket: 'model-drop', key: 'archive/llama-3-8b/model.tar.gz' } });
    expect(matchesPattern(completedOnInferentia, event)).toBe(false);
  });

  it('rejects another source or detail-type', () => {
    expect(matchesPattern(completedOnInferentia, { ...completedEvent, source: 'aws.sagemaker' })).toBe(false);
    const failed = { ...completedEvent, 'detail-type': 'Model Optimization Failed' };
    expect(matchesPattern(completedOnInferentia, failed)).toBe(false);
  });

  it('routes either instance family through $or, compiling the rule once', () => {
    const matcher = compilePattern({
      source: ['model-optimization-pipeline'],
      detail: {
        $or: [
          { deploymentInstanceType: [{ prefix: 'ml.inf2' }] },
          {
            deploymentInstanceType: [{ wildcard: 'ml.g*.*xlarge' }],
            durationSeconds: [{ numeric: ['<=', 3600] }],
          },
        ],
      },
    });
    expect(matcher(completedEvent)).toBe(true);
    expect(matcher(withDetail({ deploymentInstanceType: 'ml.g5.2xlarge' }))).toBe(true);
    expect(matcher(withDetail({ deploymentInstanceType: 'ml.g5.2xlarge', durationSeconds: 7200 }))).toBe(
      false,
    );
    expect(matcher(withDetail({ deploymentInstanceType: 'ml.p4d.24xlarge' }))).toBe(false);
  });

  it('selects successful jobs by the absence of an error field', () => {
    const pattern: EventPattern = {
      'detail-type': [{ prefix: 'Model Optimization' }],
      detail: { error: [{ exists: false }] },
    };
    expect(matchesPattern(pattern, completedEvent)).toBe(true);
    expect(matchesPattern(pattern, withDetail({ error: { code: 'CapacityError' } }))).toBe(true);
    expect(matchesPattern(pattern, withDetail({ error: 'CapacityError' }))).toBe(false);
  });

  it('matches one of the resources by suffix', () => {
    expect(matchesPattern({ resources: [{ suffix: '/llama-3-8b-inf2' }] }, completedEvent)).toBe(true);
    expect(matchesPattern({ resources: [{ suffix: '/other-job' }] }, completedEvent)).toBe(false);
  });
});

describe('arrays of objects', () => {
  const event = { detail: { targets: [{ name: 'a', weight: 1 }, { name: 'b' }] } };

  it('requires exists:false to hold in every element when nothing else picks one', () => {
    expect(matchesPattern({ detail: { targets: { weight: [{ exists: false }] } } }, event)).toBe(false);
  });

  it('checks exists:false within the element the other conditions picked', () => {
    const pattern: EventPattern = { detail: { targets: { name: ['b'], weight: [{ exists: false }] } } };
    expect(matchesPattern(pattern, event)).toBe(true);
  });

  it('keeps $or branches and their siblings on the same element', () => {
    const pattern: EventPattern = {
      detail: { targets: { name: ['b'] }, $or: [{ targets: { weight: [1] } }, { targets: { weight: [2] } }] },
    };
    expect(matchesPattern(pattern, event)).toBe(false);
  });
});

describe('operator details', () => {
  it('matches IPv6 addresses against a cidr whatever their spelling', () => {
    const pattern: EventPattern = { ip: [{ cidr: '2001:db8:1234:1a00::/64' }] };
    expect(matchesPattern(pattern, { ip: '2001:DB8:1234:1A00:0:0:0:5' })).toBe(true);
    expect(matchesPattern(pattern, { ip: '10.0.0.1' })).toBe(false);
  });

  it('matches an exact IP address string by address, as event-ruler does', () => {
    expect(matchesPattern({ ip: ['2001:db8::1'] }, { ip: '2001:0DB8:0:0::1' })).toBe(true);
    expect(matchesPattern({ ip: ['2001:db8::1'] }, { ip: '2001:db8::2' })).toBe(false);
  });

  it('lets anything-but pass values of another type but never a missing field', () => {
    expect(matchesPattern({ n: [{ 'anything-but': 123 }] }, { n: '123' })).toBe(true);
    expect(matchesPattern({ n: [{ 'anything-but': { prefix: 'init' } }] }, { n: 5 })).toBe(true);
    expect(matchesPattern({ n: [{ 'anything-but': 123 }] }, {})).toBe(false);
  });

  it('ignores case inside prefix and anything-but', () => {
    expect(
      matchesPattern({ s: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { s: 'eventbridge' }),
    ).toBe(true);
    const pattern: EventPattern = {
      s: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }],
    };
    expect(matchesPattern(pattern, { s: 'STOPPED' })).toBe(false);
    expect(matchesPattern(pattern, { s: 'running' })).toBe(true);
  });

  it('reads an escaped asterisk literally, even right before a wildcard', () => {
    expect(matchesPattern({ k: [{ wildcard: 'a\\**' }] }, { k: 'a*bc' })).toBe(true);
    expect(matchesPattern({ k: [{ wildcard: 'a\\**' }] }, { k: 'abc' })).toBe(false);
  });

  it('matches exists:true on a JSON null and any element of an array field', () => {
    expect(matchesPattern({ v: [{ exists: true }] }, { v: null })).toBe(true);
    expect(matchesPattern({ v: [{ exists: true }] }, { v: [1] })).toBe(true);
    expect(matchesPattern({ v: [{ exists: true }] }, { v: { nested: 1 } })).toBe(false);
  });
});

describe('validatePattern', () => {
  it.each([
    ['a pattern that is not an object', ['source'], ''],
    ['an empty value array', { source: [] }, 'source'],
    ['an empty object', { detail: {} }, 'detail'],
    ['a bare string value', { source: 'aws.ec2' }, 'source'],
    ['an unknown operator', { source: [{ contains: 'ec2' }] }, 'source[0]'],
    ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }, 'source[0]'],
    ['consecutive wildcards', { key: [{ wildcard: 'a**b' }] }, 'key[0].wildcard'],
    ['an invalid wildcard escape', { key: [{ wildcard: 'a\\b' }] }, 'key[0].wildcard'],
    ['a reversed numeric range', { n: [{ numeric: ['>', 10, '<', 5] }] }, 'n[0].numeric'],
    ['a numeric range in the wrong order', { n: [{ numeric: ['<', 10, '>', 5] }] }, 'n[0].numeric'],
    ['a numeric operand given as a string', { n: [{ numeric: ['>', '5'] }] }, 'n[0].numeric'],
    ['mixed anything-but types', { s: [{ 'anything-but': ['a', 1] }] }, 's[0].anything-but'],
    [
      'an unknown anything-but modifier',
      { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
      's[0].anything-but',
    ],
    ['an empty anything-but prefix', { s: [{ 'anything-but': { prefix: '' } }] }, 's[0].anything-but.prefix'],
    ['a non-boolean exists', { s: [{ exists: 'yes' }] }, 's[0].exists'],
    ['a malformed cidr', { ip: [{ cidr: '10.0.0.0' }] }, 'ip[0].cidr'],
    ['a cidr with an invalid address', { ip: [{ cidr: '10.0.0.256/24' }] }, 'ip[0].cidr'],
    ['$or with one branch', { $or: [{ source: ['a'] }] }, '$or'],
    ['$or that is not an array', { $or: { source: ['a'] } }, '$or'],
    ['a reserved name inside $or', { $or: [{ numeric: [1] }, { source: ['a'] }] }, '$or[0].numeric'],
  ])('rejects %s', (_label, pattern, path) => {
    const error = captureError(() => validatePattern(pattern));
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect(error).toMatchObject({ name: 'InvalidEventPatternError', path });
    expect((error as Error).message).toContain(path);
  });

  it(`accepts $or expanding to exactly ${MAX_OR_COMBINATIONS} combinations`, () => {
    const branches = (field: string, count: number) =>
      Array.from({ length: count }, (_, index) => ({ [field]: [`${field}${index}`] }));
    const pattern = {
      $or: branches('a', 10),
      detail: { $or: branches('b', 10), inner: { $or: branches('c', 10) } },
    };
    expect(() => validatePattern(pattern)).not.toThrow();
  });
});

function captureError(action: () => void): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------------

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const fieldName = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/);
const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

const { eventObject } = fc.letrec<{ eventObject: Record<string, Json>; value: Json }>((tie) => ({
  eventObject: fc.dictionary(fieldName, tie('value'), { maxKeys: 4 }),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(scalar, { maxLength: 3 }),
    tie('eventObject'),
    fc.array(tie('eventObject'), { maxLength: 3 }),
  ),
}));

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: Json): value is ExactValue {
  return !isObject(value) && !Array.isArray(value);
}

/** A pattern requiring every leaf value of `object` (one element per array), or undefined if it has none. */
function patternFromEvent(object: { [key: string]: Json }): EventPattern | undefined {
  const entries = Object.entries(object).flatMap(([key, value]) => {
    const pattern = patternForValue(value);
    return pattern === undefined ? [] : [[key, pattern] as const];
  });
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

function patternForValue(value: Json): EventPattern[string] | undefined {
  if (isObject(value)) return patternFromEvent(value);
  if (!Array.isArray(value)) return [value];
  const leaves = value.filter(isScalar);
  if (leaves.length > 0) return leaves;
  const elementPatterns = value.filter(isObject).map(patternFromEvent);
  return elementPatterns.find((pattern) => pattern !== undefined);
}

/** Escapes a literal so that a wildcard pattern matches exactly it. */
function escapeWildcard(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('*', '\\*');
}

describe('properties', () => {
  it("a pattern built from an event's own leaf values matches that event", () => {
    fc.assert(
      fc.property(fc.string(), eventObject, (source, detail) => {
        const event = { source, detail };
        const pattern: EventPattern = { source: [source], ...(patternFromEvent({ detail }) ?? {}) };
        expect(matchesPattern(pattern, event)).toBe(true);
      }),
    );
  });

  it("anything-but an event's own value never matches it, and a different value always does", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (value, other) => {
        expect(matchesPattern({ key: [{ 'anything-but': value }] }, { key: value })).toBe(false);
        expect(matchesPattern({ key: [{ 'anything-but': value }] }, { key: other })).toBe(value !== other);
      }),
    );
  });

  it('prefix, suffix and escaped wildcards built from a value match it', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), (value, cut) => {
        const at = value.length === 0 ? 0 : cut % (value.length + 1);
        const head = value.slice(0, at);
        const tail = value.slice(at);
        expect(matchesPattern({ key: [{ prefix: head }] }, { key: value })).toBe(true);
        expect(matchesPattern({ key: [{ suffix: tail }] }, { key: value })).toBe(true);
        expect(matchesPattern({ key: [{ wildcard: escapeWildcard(value) }] }, { key: value })).toBe(true);
        const split = `${escapeWildcard(head)}*${escapeWildcard(tail)}`;
        expect(matchesPattern({ key: [{ wildcard: split }] }, { key: value })).toBe(true);
      }),
    );
  });

  it('equals-ignore-case matches any ASCII casing of a value', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'aBcDeF-0._') }), (value) => {
        expect(matchesPattern({ key: [{ 'equals-ignore-case': value.toUpperCase() }] }, { key: value })).toBe(
          true,
        );
        expect(matchesPattern({ key: [{ 'equals-ignore-case': value.toLowerCase() }] }, { key: value })).toBe(
          true,
        );
      }),
    );
  });

  it('a numeric range matches exactly the numbers inside it', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(finite, finite, finite, (value, a, b) => {
        fc.pre(a < b);
        const pattern: EventPattern = { n: [{ numeric: ['>=', a, '<', b] }] };
        expect(matchesPattern(pattern, { n: value })).toBe(value >= a && value < b);
      }),
    );
  });
});
