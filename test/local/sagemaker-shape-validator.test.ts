/**
 * The SageMaker emulator's model-driven validator (local/sagemaker/shape-validator.ts), one
 * constraint kind at a time on a small model of its own, and the model the emulator loads
 * (local/sagemaker/api-model.ts) against the SDK it stands in for.
 */
import { OptimizationJobDeploymentInstanceType } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../local/protocol/aws-error';
import {
  BOTOCORE_MODEL,
  inputShape,
  NEWER_INSTANCE_TYPES,
  SAGEMAKER_MODEL,
  type ServiceModel,
  shapeOf,
} from '../../local/sagemaker/api-model';
import { modelPattern, validateShape } from '../../local/sagemaker/shape-validator';

const MODEL: ServiceModel = {
  source: 'test',
  operations: {},
  shapes: {
    Request: {
      type: 'structure',
      required: ['Name'],
      members: {
        Name: { shape: 'Name' },
        Colour: { shape: 'Colour' },
        Count: { shape: 'Count' },
        Ratio: { shape: 'Ratio' },
        Big: { shape: 'Big' },
        Flag: { shape: 'Flag' },
        At: { shape: 'At' },
        Items: { shape: 'Items' },
        Env: { shape: 'Env' },
        Nested: { shape: 'Nested' },
        Choice: { shape: 'Choice' },
      },
    },
    Name: { type: 'string', min: 2, max: 5, pattern: '[a-z]+' },
    Colour: { type: 'string', enum: ['red', 'green'] },
    Count: { type: 'integer', min: 1, max: 10 },
    Ratio: { type: 'double', min: 0, max: 1 },
    Big: { type: 'long', max: 5_000_000_000 },
    Flag: { type: 'boolean' },
    At: { type: 'timestamp' },
    Items: { type: 'list', min: 1, max: 2, member: { shape: 'Name' } },
    Env: { type: 'map', max: 2, key: { shape: 'Key' }, value: { shape: 'Value' } },
    Key: { type: 'string', max: 3, pattern: '(?!\\s*$).+' },
    Value: { type: 'string', max: 4 },
    Nested: { type: 'structure', required: ['Inner'], members: { Inner: { shape: 'Inner' } } },
    Inner: { type: 'structure', members: { Count: { shape: 'Count' } } },
    Choice: { type: 'structure', union: true, members: { A: { shape: 'Flag' }, B: { shape: 'Count' } } },
  },
};

const validate = (body: unknown) => validateShape(MODEL, 'Request', body);

function thrown(body: unknown): AwsServiceError {
  try {
    validate(body);
  } catch (error) {
    if (error instanceof AwsServiceError) return error;
    throw error;
  }
  throw new Error('expected an AwsServiceError');
}
/** The one violation a request has: its ValidationException message, without the count. */
function violation(body: unknown): string {
  const error = thrown(body);
  expect(error.type).toBe('ValidationException');
  expect(error.message).toMatch(/^1 validation error detected: /);
  return error.message.replace('1 validation error detected: ', '');
}

describe('validateShape', () => {
  it('accepts a valid request and returns it with only the members the model defines', () => {
    const request = {
      Name: 'abc',
      Colour: 'red',
      Count: 10,
      Ratio: 0.5,
      Big: 4_000_000_000,
      Flag: false,
      At: 1_700_000_000,
      Items: ['ab'],
      Env: { K: 'v' },
      Nested: { Inner: { Count: 1, Extra: true } },
      Choice: { B: 2 },
    };
    expect(validate({ ...request, Unknown: 'dropped' })).toEqual({
      ...request,
      Nested: { Inner: { Count: 1 } },
    });
    expect(validate({ Name: 'ab', Colour: null })).toEqual({ Name: 'ab' });
  });

  it('structure: a required member missing or null', () => {
    expect(violation({})).toBe("Value null at 'name' failed to satisfy constraint: Member must not be null");
    expect(violation({ Name: 'ab', Nested: {} })).toBe(
      "Value null at 'nested.inner' failed to satisfy constraint: Member must not be null",
    );
  });

  it('string: length, pattern and enum', () => {
    expect(violation({ Name: 'a' })).toBe(
      "Value 'a' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2",
    );
    expect(violation({ Name: 'abcdef' })).toBe(
      "Value 'abcdef' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5",
    );
    expect(violation({ Name: 'AB' })).toBe(
      "Value 'AB' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z]+$",
    );
    expect(violation({ Name: 'ab', Colour: 'blue' })).toBe(
      "Value 'blue' at 'colour' failed to satisfy constraint: Member must satisfy enum value set: [red, green]",
    );
  });

  it('integer, long and double: range', () => {
    expect(violation({ Name: 'ab', Count: 0 })).toContain(
      "at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect(violation({ Name: 'ab', Count: 11 })).toContain('Member must have value less than or equal to 10');
    expect(violation({ Name: 'ab', Big: 5_000_000_001 })).toContain(
      "at 'big' failed to satisfy constraint: Member must have value less than or equal to 5000000000",
    );
    expect(violation({ Name: 'ab', Ratio: 1.5 })).toContain(
      "Value '1.5' at 'ratio' failed to satisfy constraint: Member must have value less than or equal to 1",
    );
  });

  it('list: size, and each element at its 1-based path', () => {
    expect(violation({ Name: 'ab', Items: [] })).toBe(
      "Value '[]' at 'items' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect(violation({ Name: 'ab', Items: ['ab', 'cd', 'ef'] })).toContain(
      'Member must have length less than or equal to 2',
    );
    expect(violation({ Name: 'ab', Items: ['ab', 'XY'] })).toContain(
      "Value 'XY' at 'items.2.member' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );
  });

  it('map: size, and its keys’ and values’ constraints reported once for the map', () => {
    expect(violation({ Name: 'ab', Env: { a: '1', b: '2', c: '3' } })).toBe(
      "Value '{a=1, b=2, c=3}' at 'env' failed to satisfy constraint: Member must have length less than or equal to 2",
    );
    expect(violation({ Name: 'ab', Env: { long: '1', ' ': '2' } })).toBe(
      "Value '{long=1,  =2}' at 'env' failed to satisfy constraint: Map keys must satisfy constraint: " +
        '[Member must have length less than or equal to 3, Member must satisfy regular expression pattern: ^(?!\\s*$).+$]',
    );
    const error = thrown({ Name: 'ab', Env: { a: 'value', b: null } });
    expect(error.message).toContain(
      "at 'env' failed to satisfy constraint: Map value must satisfy constraint: " +
        '[Member must have length less than or equal to 4, Member must not be null]',
    );
  });

  it('union: exactly one member, of those it defines', () => {
    const message = (n: number) =>
      `failed to satisfy constraint: Member must have exactly one of [A, B] set, but has ${n}`;
    expect(violation({ Name: 'ab', Choice: {} })).toBe(`Value '[]' at 'choice' ${message(0)}`);
    expect(violation({ Name: 'ab', Choice: { A: true, B: 1 } })).toBe(
      `Value '[A, B]' at 'choice' ${message(2)}`,
    );
    expect(violation({ Name: 'ab', Choice: { C: 1 } })).toBe(`Value '[C]' at 'choice' ${message(1)}`);
  });

  it('reports every violation of a request at once, in the model’s member order', () => {
    const error = thrown({ Count: 0, Colour: 'blue' });
    expect(error.message).toMatch(
      /^3 validation errors detected: Value null at 'name'.*; Value 'blue' at 'colour'.*; Value '0' at 'count'/,
    );
  });

  it('a member of the wrong JSON type is a SerializationException naming it', () => {
    const cases: [unknown, string][] = [
      [[], "Value at 'request' must be an object, got array"],
      [{ Name: 1 }, "Value at 'name' must be a string, got number"],
      [{ Name: 'ab', Count: 1.5 }, "Value at 'count' must be an integer, got number"],
      [{ Name: 'ab', Ratio: 'half' }, "Value at 'ratio' must be a number, got string"],
      [{ Name: 'ab', Flag: 'yes' }, "Value at 'flag' must be a boolean, got string"],
      [{ Name: 'ab', At: 'soon' }, "Value at 'at' must be a timestamp (epoch seconds), got string"],
      [{ Name: 'ab', Items: 'ab' }, "Value at 'items' must be a list, got string"],
      [{ Name: 'ab', Items: [null] }, "Value at 'items.1.member' must be a string, got null"],
      [{ Name: 'ab', Env: { a: 1 } }, "Value at 'env.a' must be a string, got number"],
      [{ Name: 'ab', Nested: [] }, "Value at 'nested' must be an object, got array"],
    ];
    for (const [body, message] of cases) {
      const error = thrown(body);
      expect({ type: error.type, message: error.message }).toEqual({
        type: 'SerializationException',
        message,
      });
    }
  });

  it('timestamp: epoch seconds, or an ISO-8601 string read as epoch seconds', () => {
    expect(validate({ Name: 'ab', At: 1.5 }).At).toBe(1.5);
    expect(validate({ Name: 'ab', At: '2026-01-01T00:00:00Z' }).At).toBe(1_767_225_600);
  });

  it('fails loudly on a shape the model does not have', () => {
    expect(() => validateShape(MODEL, 'Missing', {})).toThrow('the model has no shape Missing');
  });
});

describe('the model the emulator loads', () => {
  it('compiles every pattern of the model', () => {
    const patterns = Object.values(SAGEMAKER_MODEL.shapes).flatMap((shape) => shape.pattern ?? []);
    expect(patterns.length).toBeGreaterThan(10);
    for (const pattern of patterns) expect(() => modelPattern(pattern)).not.toThrow();
  });

  it('accepts the instance types of the SDK it stands in for, and only botocore’s and those', () => {
    const sdk = Object.values(OptimizationJobDeploymentInstanceType) as string[];
    const emulator = shapeOf(SAGEMAKER_MODEL, 'OptimizationJobDeploymentInstanceType').enum ?? [];
    expect([...emulator].sort()).toEqual([...sdk].sort());
    const botocore = shapeOf(BOTOCORE_MODEL, 'OptimizationJobDeploymentInstanceType').enum ?? [];
    expect(NEWER_INSTANCE_TYPES.filter((type) => botocore.includes(type))).toEqual([]);
  });

  it('has TrainingPlanArns, which the SDK’s request has and botocore’s lacks', () => {
    expect(shapeOf(SAGEMAKER_MODEL, 'CreateOptimizationJobRequest').members).toHaveProperty(
      'TrainingPlanArns',
    );
    expect(shapeOf(BOTOCORE_MODEL, 'CreateOptimizationJobRequest').members).not.toHaveProperty(
      'TrainingPlanArns',
    );
  });

  it('gives Describe, Stop and DeleteOptimizationJob the same input, which one validator reads', () => {
    const inputs = ['DescribeOptimizationJob', 'StopOptimizationJob', 'DeleteOptimizationJob'].map(
      (operation) => shapeOf(SAGEMAKER_MODEL, inputShape(operation)),
    );
    expect(inputs[1]).toEqual(inputs[0]);
    expect(inputs[2]).toEqual(inputs[0]);
  });
});
