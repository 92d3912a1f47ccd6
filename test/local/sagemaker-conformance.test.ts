/**
 * The SageMaker emulator and the manifest schema against botocore's SageMaker model, not against
 * our own limits (src/sagemaker-api/limits.ts). The model extract is botocore's own
 * (local/sagemaker/botocore-model.json, written by scripts/extract-botocore-models.py from the
 * installed botocore), without the additions the emulator makes to it by hand
 * (local/sagemaker/api-model.ts); every case below is generated from it, for the five
 * optimization-job operations:
 *
 * - a request that breaks one constraint of the model, at one location of the five operations'
 *   input, must get ValidationException naming that location;
 * - where a manifest can express the field, the manifest schema must reject it at the field's path;
 * - a request at each boundary (exact min, exact max, each enum value) must be accepted, by the
 *   emulator and, where it can express it, by the manifest;
 * - Create, Describe and List responses conform to the output shapes;
 * - the constants of src/sagemaker-api/limits.ts equal the model's.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { NEWER_INSTANCE_TYPES } from '../../local/sagemaker/api-model';
import modelJson from '../../local/sagemaker/botocore-model.json';
import { virtualClock } from '../../local/time/clock';
import { manifestSchema } from '../../src/drop/manifest-schema';
import * as limits from '../../src/sagemaker-api/limits';
import {
  type Constraint,
  conformanceProblems,
  constraintsOf,
  type Location,
  modelPattern,
  type ServiceModelExtract,
  type Shape,
  shapeOf,
} from '../support/service-model';
import { advance, type Harness, MODEL_FILES, putFolder, startHarness } from './sagemaker-helpers';

const model = modelJson as unknown as ServiceModelExtract;
const OPERATIONS = [
  'CreateOptimizationJob',
  'DescribeOptimizationJob',
  'ListOptimizationJobs',
  'StopOptimizationJob',
  'DeleteOptimizationJob',
];

// ── Values of the model's string shapes ─────────────────────────────────────

interface StringSample {
  /** A valid value of exactly `length` characters (`seed` makes it unique), if the pattern allows one. */
  ofLength(length: number, seed: string): string | undefined;
  /** A value within the length limits that does not match the pattern. */
  breaksPattern?: string;
  /** The length of the value used where any valid value will do. */
  usual: number;
}
const repeat = (head: string, fill: string, length: number) =>
  length < head.length ? undefined : head + fill.repeat(length - head.length);
const alnum = (seed: string) => seed.replace(/[^a-zA-Z0-9]/g, '');

/** One per string shape the extract reaches; a shape without one fails the test. */
const STRINGS: Record<string, StringSample> = {
  EntityName: {
    ofLength: (n, seed) => (n === 0 ? undefined : (alnum(seed) + 'x'.repeat(n)).slice(0, n)),
    breaksPattern: 'bad_name',
    usual: 20,
  },
  RoleArn: {
    ofLength: (n) => repeat('arn:aws:iam::123456789012:role/', 'r', n),
    breaksPattern: 'arn:aws:iam::123456789012:user/not-a-role',
    usual: 40,
  },
  S3Uri: {
    ofLength: (n) => repeat('s3://bucket/', 'k', n),
    breaksPattern: 'ftp://bucket/key',
    usual: 24,
  },
  ModelName: { ofLength: (n) => repeat('m', 'm', n), breaksPattern: '-model', usual: 12 },
  NonEmptyString256: { ofLength: (n) => repeat('K', 'K', n), breaksPattern: '   ', usual: 8 },
  String256: { ofLength: (n) => 'v'.repeat(n), usual: 8 },
  OptimizationContainerImage: {
    ofLength: (n) => repeat('i', 'i', n),
    breaksPattern: 'has space',
    usual: 30,
  },
  KmsKeyId: { ofLength: (n) => 'k'.repeat(n), breaksPattern: 'key id!', usual: 20 },
  // Unique per seed: the manifest's tags are a record, so equal keys would be one tag.
  TagKey: {
    ofLength: (n, seed) => (n === 0 ? '' : ('t'.repeat(n) + alnum(seed)).slice(-n)),
    breaksPattern: 'bad#key',
    usual: 10,
  },
  TagValue: { ofLength: (n) => 'v'.repeat(n), breaksPattern: 'bad#value', usual: 6 },
  OptimizationVpcSecurityGroupId: {
    ofLength: (n) => repeat('sg-', '0', n),
    breaksPattern: 'sg_0123',
    usual: 20,
  },
  OptimizationVpcSubnetId: {
    ofLength: (n) => repeat('subnet-', '0', n),
    breaksPattern: 'subnet_0123',
    usual: 24,
  },
  // Java's `.` stops at a line break, as JavaScript's does.
  NextToken: { ofLength: (n) => 'n'.repeat(n), breaksPattern: 'line\nbreak', usual: 10 },
  NameContains: { ofLength: (n) => repeat('a', 'a', n), breaksPattern: 'bad name', usual: 6 },
};

/**
 * Rules of the service beyond the model, which every valid request follows: the cross-field
 * rules the emulator enforces (local/sagemaker/request-rules.ts, `checkModelSource`).
 */
const ALSO_REQUIRED: Record<string, string[]> = {
  OptimizationJobModelSourceS3: ['S3Uri'],
  OptimizationSageMakerModel: ['ModelName'],
};
/** Structures of which exactly one member is set, like a union (ModelSource: S3 or SageMakerModel). */
const EXACTLY_ONE = new Set(['OptimizationJobModelSource']);

const isUnionLike = (name: string, shape: Shape) => shape.union === true || EXACTLY_ONE.has(name);

/** A valid value of the shape with only what is required. */
function minimal(name: string, seed: string): unknown {
  const shape = shapeOf(model, name);
  switch (shape.type) {
    case 'structure': {
      const members = shape.members ?? {};
      const wanted = isUnionLike(name, shape)
        ? [Object.keys(members)[0] as string]
        : [...(shape.required ?? []), ...(ALSO_REQUIRED[name] ?? [])];
      return Object.fromEntries(
        wanted.map((member) => [member, minimal((members[member] as { shape: string }).shape, seed)]),
      );
    }
    case 'list':
      return Array.from({ length: Math.max(shape.min ?? 0, 1) }, () =>
        minimal((shape.member as { shape: string }).shape, seed),
      );
    case 'map':
      return {};
    case 'string':
      return shape.enum ? shape.enum[0] : stringOfLength(name, usualLength(name), seed);
    case 'integer':
    case 'long':
      return shape.min ?? 1;
    case 'boolean':
      return true;
    case 'timestamp':
      return 1_767_225_600;
    default:
      throw new Error(`no value for ${name} (${shape.type})`);
  }
}

function sample(name: string): StringSample {
  const found = STRINGS[name];
  if (!found) throw new Error(`no string sample for shape ${name}: add one to STRINGS`);
  return found;
}
function usualLength(name: string): number {
  const shape = shapeOf(model, name);
  return Math.min(Math.max(sample(name).usual, shape.min ?? 0), shape.max ?? Number.POSITIVE_INFINITY);
}
function stringOfLength(name: string, length: number, seed: string): string {
  const value = sample(name).ofLength(length, seed);
  if (value === undefined) throw new Error(`no valid ${name} of length ${length}`);
  return value;
}

// ── Requests: a minimal valid one, changed at one location ──────────────────

type Change = { set: unknown } | { remove: true };

/** The shape at `location` of the input shape `root`. */
function shapeAt(root: string, location: Location): string {
  let name = root;
  for (const step of location) {
    const shape = shapeOf(model, name);
    const ref =
      step === 0
        ? shape.member
        : step === '{key}'
          ? shape.key
          : step === '{value}'
            ? shape.value
            : shape.members?.[step];
    if (!ref) throw new Error(`${name} has no ${String(step)}`);
    name = ref.shape;
  }
  return name;
}

/** The operation's minimal valid input, with `change` made at `location` (creating what leads there). */
function requestWith(
  operation: string,
  location: Location,
  change: Change,
  seed: string,
): Record<string, unknown> {
  const root = model.operations[operation]?.input as string;
  const request = minimal(root, seed) as Record<string, unknown>;
  let container: any = request;
  let name = root;
  location.forEach((step, index) => {
    const shape = shapeOf(model, name);
    const last = index === location.length - 1;
    const childName = shapeAt(name, [step]);
    if (typeof step === 'string' && step !== '{key}' && step !== '{value}') {
      if (isUnionLike(name, shape))
        for (const other of Object.keys(container)) if (other !== step) delete container[other];
      if (last) {
        if ('remove' in change) delete container[step];
        else container[step] = change.set;
        return;
      }
      container[step] ??= minimal(childName, seed);
      container = container[step];
    } else if (step === 0) {
      if (container.length === 0) container.push(minimal(childName, seed));
      if (last) {
        container[0] = (change as { set: unknown }).set;
        return;
      }
      container = container[0];
    } else {
      if (Object.keys(container).length === 0) {
        container[stringOfLength(shapeAt(name, ['{key}']), usualLength(shapeAt(name, ['{key}'])), seed)] =
          minimal(shapeAt(name, ['{value}']), seed);
      }
      const [key, value] = Object.entries(container)[0] as [string, unknown];
      if (step === '{key}') {
        delete container[key];
        container[String((change as { set: unknown }).set)] = value;
      } else {
        container[key] = (change as { set: unknown }).set;
      }
      return;
    }
    name = childName;
  });
  return request;
}

/** The location as AWS names it in validation messages (a map's keys and values: the map). */
function awsPath(location: Location): string {
  const parts: string[] = [];
  for (const step of location) {
    if (step === '{key}' || step === '{value}') break;
    if (step === 0) parts.push('1', 'member');
    else parts.push(step.charAt(0).toLowerCase() + step.slice(1));
  }
  return parts.join('.');
}

// ── The cases ───────────────────────────────────────────────────────────────

interface Case {
  name: string;
  operation: string;
  location: Location;
  constraint: Constraint;
  request: Record<string, unknown>;
  valid: boolean;
  /** For an invalid request: what the ValidationException message must say. */
  message?: string;
}
/** Boundaries no value can reach: a minimum length shorter than the pattern allows. */
const unreachable: { constraint: Constraint; name: string }[] = [];
let serial = 0;

function lengthValue(constraint: Extract<Constraint, { kind: 'min' | 'max' }>, count: number, seed: string) {
  const shape = shapeOf(model, constraint.shape);
  if (constraint.type === 'number') return count;
  if (constraint.type === 'string') return sample(constraint.shape).ofLength(count, seed);
  if (constraint.type === 'list') {
    return Array.from({ length: count }, (_, i) =>
      minimal((shape.member as { shape: string }).shape, `${seed}${i}`),
    );
  }
  const keyShape = (shape.key as { shape: string }).shape;
  const valueShape = (shape.value as { shape: string }).shape;
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      stringOfLength(keyShape, usualLength(keyShape), `K${i}`).slice(0, -String(i).length) + i,
      minimal(valueShape, seed),
    ]),
  );
}

const MAP_PART: Record<string, string> = { '{key}': ' key', '{value}': ' value' };

function casesOf(operation: string, constraint: Constraint, index: number): Case[] {
  const where = `${operation} ${awsPath(constraint.location) || '(input)'}${MAP_PART[String(constraint.location.at(-1))] ?? ''}`;
  // Names differ per operation (only Create makes jobs) and per case (each job is new).
  const seed = `${operation.charAt(0).toLowerCase()}${index}`;
  const make = (what: string, change: Change, valid: boolean, message?: string): Case => ({
    name: `${where}: ${what}`,
    operation,
    location: constraint.location,
    constraint,
    request: requestWith(operation, constraint.location, change, `${seed}n${serial++}`),
    valid,
    ...(message && { message }),
  });
  switch (constraint.kind) {
    case 'required':
      return [make('required, missing', { remove: true }, false, 'Member must not be null')];
    case 'pattern': {
      const breaks = sample(constraint.shape).breaksPattern;
      if (breaks === undefined) throw new Error(`no pattern-breaking sample for ${constraint.shape}`);
      return [
        make(`pattern, ${JSON.stringify(breaks)}`, { set: breaks }, false, 'regular expression pattern'),
      ];
    }
    case 'enum':
      return [
        make('enum, a value not in it', { set: 'NOT_IN_THE_ENUM' }, false, 'enum value set'),
        ...constraint.values.map((value) => make(`enum value ${value}`, { set: value }, true)),
      ];
    case 'union': {
      const [first, second] = constraint.members as [string, string];
      const member = (m: string) => minimal(shapeAt(constraint.shape, [m]), seed);
      return [
        make(
          'union, two members set',
          { set: { [first]: member(first), [second]: member(second) } },
          false,
          'exactly one of',
        ),
        make('union, no member set', { set: {} }, false, 'exactly one of'),
      ];
    }
    case 'min':
    case 'max': {
      const { kind, bound, type } = constraint;
      const unit = type === 'number' ? 'value' : 'length';
      const out: Case[] = [];
      const outside = kind === 'min' ? bound - 1 : bound + 1;
      if (outside >= 0) {
        const value = lengthValue(constraint, outside, seed) ?? 'x'.repeat(outside);
        const phrase = `${unit} ${kind === 'min' ? 'greater' : 'less'} than or equal to ${bound}`;
        out.push(make(`${kind} ${bound}, ${outside}`, { set: value }, false, phrase));
      }
      const boundary = lengthValue(constraint, bound, seed);
      if (boundary === undefined) unreachable.push({ constraint, name: `${where}: ${kind} ${bound}` });
      else out.push(make(`${kind} ${bound}, exactly`, { set: boundary }, true));
      return out;
    }
  }
}

/**
 * Boundaries a valid request cannot have though the model allows them, for a reason outside
 * the model: excluded from the acceptance cases, with the reason.
 */
const NOT_A_BOUNDARY: Record<string, string> = {
  'ListOptimizationJobs nextToken: max 8192, exactly':
    'only a token the service issued is valid; none is 8192 characters long',
  'ListOptimizationJobs nextToken: min 0, exactly': 'an empty token was not issued by the service',
};

const constraintsByOperation = OPERATIONS.map((operation) => ({
  operation,
  constraints: constraintsOf(model, model.operations[operation]?.input as string),
}));
const allCases = constraintsByOperation.flatMap(({ operation, constraints }) =>
  constraints.flatMap((constraint, i) => casesOf(operation, constraint, i)),
);
const cases = allCases.filter((c) => !(c.name in NOT_A_BOUNDARY));
const invalidCases = cases.filter((c) => !c.valid);
const validCases = cases.filter((c) => c.valid);

// ── The manifest: which API fields it expresses, and where ─────────────────

const TECHNIQUE_OF: Record<string, string> = Object.fromEntries(
  Object.entries(limits.TECHNIQUE_MEMBERS).map(([technique, member]) => [member, technique]),
);
const MANIFEST_FIELD: Record<string, string> = {
  Image: 'image',
  OverrideEnvironment: 'environment',
  Technique: 'technique',
  TrainingDataSource: 'trainingData',
  S3Uri: 's3Uri',
  S3DataType: 's3DataType',
  SecurityGroupIds: 'securityGroupIds',
  Subnets: 'subnets',
  MaxRuntimeInSeconds: 'maxRuntimeInSeconds',
  MaxPendingTimeInSeconds: 'maxPendingTimeInSeconds',
};

/** The manifest path of a CreateOptimizationJob input location, if the manifest expresses it. */
function manifestPath(location: Location): (string | number)[] | undefined {
  const [first, ...rest] = location;
  const mapRest = () => [];
  switch (first) {
    case 'DeploymentInstanceType':
      return ['deploymentInstanceType'];
    case 'MaxInstanceCount':
      return ['maxInstanceCount'];
    case 'OptimizationEnvironment':
      return ['environment', ...mapRest()];
    case 'OptimizationConfigs': {
      if (rest.length < 2) return ['techniques', ...rest];
      const [, member, ...fields] = rest;
      const technique = TECHNIQUE_OF[member as string];
      const mapped = fields
        .filter((f) => f !== '{key}' && f !== '{value}')
        .map((f) => MANIFEST_FIELD[f as string]);
      return technique && !mapped.includes(undefined)
        ? ['techniques', 0, technique, ...(mapped as string[])]
        : undefined;
    }
    case 'StoppingCondition': {
      const field = MANIFEST_FIELD[rest[0] as string];
      return field ? ['stoppingCondition', field] : undefined;
    }
    case 'OutputConfig':
      return rest[0] === 'KmsKeyId' ? ['kmsKeyId'] : undefined;
    case 'Tags':
      return ['tags'];
    case 'VpcConfig':
      return rest.length === 0
        ? ['vpcConfig']
        : ['vpcConfig', MANIFEST_FIELD[rest[0] as string] as string, ...rest.slice(1)];
    case 'ModelSource':
      return rest.join('.') === 'S3.ModelAccessConfig.AcceptEula' ? ['acceptEula'] : undefined;
    default:
      return undefined;
  }
}

const camel = (record: Record<string, unknown> | undefined, fields: Record<string, string>) =>
  record &&
  Object.fromEntries(
    Object.entries(record)
      .filter(([key]) => fields[key])
      .map(([key, value]) => [fields[key] as string, value]),
  );

/** The manifest that asks for what a CreateOptimizationJob request asks, in the fields it has. */
function manifestOf(request: any): unknown {
  const configs = request.OptimizationConfigs as Record<string, any>[] | undefined;
  return JSON.parse(
    JSON.stringify({
      deploymentInstanceType: request.DeploymentInstanceType,
      maxInstanceCount: request.MaxInstanceCount,
      environment: request.OptimizationEnvironment,
      techniques: configs?.map((config) =>
        Object.fromEntries(
          Object.entries(config).map(([member, value]) => [
            TECHNIQUE_OF[member] ?? member,
            member === 'ModelSpeculativeDecodingConfig'
              ? {
                  ...camel(value, MANIFEST_FIELD),
                  ...(value?.TrainingDataSource && {
                    trainingData: camel(value.TrainingDataSource, MANIFEST_FIELD),
                  }),
                }
              : camel(value, MANIFEST_FIELD),
          ]),
        ),
      ),
      stoppingCondition: camel(request.StoppingCondition, MANIFEST_FIELD),
      kmsKeyId: request.OutputConfig?.KmsKeyId,
      tags: request.Tags && Object.fromEntries(request.Tags.map((t: any) => [t.Key, t.Value])),
      vpcConfig: camel(request.VpcConfig, MANIFEST_FIELD),
      acceptEula: request.ModelSource?.S3?.ModelAccessConfig?.AcceptEula,
    }),
  );
}

/**
 * Where the manifest means to differ from the API, and why: a default fills what the API
 * requires, or the pipeline asks for less than the API allows.
 */
const MANIFEST_DIFFERS: Record<string, string> = {
  'CreateOptimizationJob deploymentInstanceType: required, missing':
    'every manifest field is optional: the stage’s defaults fill what it leaves out',
  'CreateOptimizationJob optimizationConfigs: required, missing':
    'every manifest field is optional: the stage’s defaults fill what it leaves out',
  'CreateOptimizationJob optimizationConfigs.1.member.modelSpeculativeDecodingConfig.technique: required, missing':
    'the manifest defaults the technique to EAGLE',
  'CreateOptimizationJob modelSource.s3.modelAccessConfig.acceptEula: required, missing':
    'acceptEula is optional in the manifest; without it the pipeline sends no ModelAccessConfig',
  'CreateOptimizationJob tags.1.member.key: required, missing': 'a manifest tag is a key with its value',
  'CreateOptimizationJob tags.1.member.value: required, missing': 'a manifest tag is a key with its value',
  'CreateOptimizationJob optimizationConfigs: min 0, exactly':
    'a manifest that names techniques names at least one ({} means the stage defaults)',
  'CreateOptimizationJob tags: max 50, exactly':
    'the pipeline adds up to 5 tags of its own (variant and drop-job on a variant’s job): a manifest has at most 45',
};

const manifestCases = cases.filter(
  (c) => c.operation === 'CreateOptimizationJob' && manifestPath(c.location) && !(c.name in MANIFEST_DIFFERS),
);

// ── The emulator, over HTTP ─────────────────────────────────────────────────

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ maxConcurrentJobs: 100_000 });
});
afterAll(() => h?.close());

/** One awsJson request to the emulator, as the SDK would send it; the answer's status and JSON body. */
async function callOn(
  harness: Harness,
  operation: string,
  body: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(harness.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `SageMaker.${operation}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}
const call = (operation: string, body: unknown) => callOn(h, operation, body);

describe(`SageMaker emulator vs ${model.source}`, () => {
  it('generates a case for every constraint of the five operations’ inputs', () => {
    const constraints = constraintsByOperation.reduce((n, o) => n + o.constraints.length, 0);
    const covered = new Set(allCases.map((c) => c.constraint));
    // The only constraints without a case: a minimum length shorter than the pattern allows
    // (0 where it needs a character; RoleArn's 20, where an ARN takes at least 31).
    for (const { constraint, name } of unreachable) {
      expect(constraint, name).toMatchObject({ kind: 'min', type: 'string' });
      const { shape, bound } = constraint as { shape: string; bound: number };
      expect(sample(shape).ofLength(bound, 'x'), name).toBeUndefined();
      covered.add(constraint);
    }
    expect(covered.size).toBe(constraints);
    // The figures for the record (docs/local.md, issue 12's closing note).
    console.info(
      `conformance: ${constraints} constraints → ${cases.length} cases ` +
        `(${invalidCases.length} invalid, ${validCases.length} at a boundary or enum value; ` +
        `${manifestCases.length} also through the manifest); unreachable boundaries: ${unreachable.length}`,
    );
  });

  it.each(invalidCases.map((c) => [c.name, c] as const))('refuses %s', async (_name, c) => {
    const { status, body } = await call(c.operation, c.request);
    expect({ status, type: body.__type }).toEqual({ status: 400, type: 'ValidationException' });
    const at = awsPath(c.location);
    expect(body.message).toContain(
      at ? `at '${at}' failed to satisfy constraint` : 'failed to satisfy constraint',
    );
    expect(body.message).toContain(c.message);
  });

  it.each(validCases.map((c) => [c.name, c] as const))('accepts %s', async (_name, c) => {
    const { status, body } = await call(c.operation, c.request);
    if (['DescribeOptimizationJob', 'StopOptimizationJob', 'DeleteOptimizationJob'].includes(c.operation)) {
      // Valid, and about a job that does not exist.
      expect(body.__type).toBe('ResourceNotFound');
      return;
    }
    expect({ status, type: body.__type }).toEqual({ status: 200, type: undefined });
    const output = model.operations[c.operation]?.output as string;
    expect(conformanceProblems(model, output, body)).toEqual([]);
  });
});

describe('manifest schema vs the same constraints, where a manifest can express the field', () => {
  const parse = (c: Case) => manifestSchema.safeParse(manifestOf(c.request));

  it.each(manifestCases.filter((c) => !c.valid).map((c) => [c.name, c] as const))(
    'rejects %s at the field’s path',
    (_name, c) => {
      const result = parse(c);
      expect(result.success).toBe(false);
      const path = manifestPath(c.location) as (string | number)[];
      const paths = (result.error as z.ZodError).issues.map((issue) => issue.path);
      expect(paths.some((p) => path.every((step, i) => p[i] === step))).toBe(true);
    },
  );

  it.each(manifestCases.filter((c) => c.valid).map((c) => [c.name, c] as const))('accepts %s', (_name, c) => {
    const result = parse(c);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('differs from the API only where it says why', () => {
    for (const name of Object.keys(MANIFEST_DIFFERS)) expect(allCases.map((c) => c.name)).toContain(name);
  });
});

describe('Describe and List responses conform to the output shapes', () => {
  // On a manual clock: the test describes every job, then moves time past the next phase.
  let slow: Harness;
  const clock = virtualClock();
  beforeAll(async () => {
    slow = await startHarness({
      clock,
      durations: { startingSeconds: 600, inProgressSeconds: 1200, stoppingSeconds: 300 },
    });
  });
  afterAll(() => slow?.close());

  it('at every status a job passes through, and in every list', async () => {
    const call = (operation: string, body: unknown) => callOn(slow, operation, body);
    await putFolder(slow.store, 'models', 'conform/', MODEL_FILES);
    const base = (name: string) => ({
      OptimizationJobName: name,
      RoleArn: 'arn:aws:iam::123456789012:role/SageMakerOptimization',
      DeploymentInstanceType: 'ml.g5.2xlarge',
      OutputConfig: { S3OutputLocation: `s3://out/${name}/`, KmsKeyId: 'alias/pipeline' },
      StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxPendingTimeInSeconds: 7200 },
    });
    const requests = [
      {
        ...base('conform-completes'),
        ModelSource: { S3: { S3Uri: 's3://models/conform/', ModelAccessConfig: { AcceptEula: true } } },
        OptimizationConfigs: [
          { ModelQuantizationConfig: { OverrideEnvironment: { OPTION_QUANTIZE: 'awq' } } },
        ],
        OptimizationEnvironment: { A: '1' },
        MaxInstanceCount: 2,
        Tags: [{ Key: 'team', Value: 'ml' }],
        VpcConfig: { SecurityGroupIds: ['sg-0123'], Subnets: ['subnet-0123'] },
      },
      {
        ...base('conform-fails'),
        ModelSource: { S3: { S3Uri: 's3://models/missing/' } },
        OptimizationConfigs: [
          {
            ModelSpeculativeDecodingConfig: {
              Technique: 'EAGLE',
              TrainingDataSource: { S3Uri: 's3://d/x/', S3DataType: 'S3Prefix' },
            },
          },
        ],
      },
      {
        ...base('conform-stops'),
        ModelSource: { SageMakerModel: { ModelName: 'my-model' } },
        OptimizationConfigs: [{ ModelCompilationConfig: {} }],
      },
    ];
    const problems: string[] = [];
    for (const request of requests) {
      const created = await call('CreateOptimizationJob', request);
      problems.push(...conformanceProblems(model, 'CreateOptimizationJobResponse', created.body));
    }
    await call('StopOptimizationJob', { OptimizationJobName: 'conform-stops' });
    const seen = new Set<string>();
    const describeAll = async () => {
      for (const { OptimizationJobName } of requests) {
        const { body } = await call('DescribeOptimizationJob', { OptimizationJobName });
        seen.add(body.OptimizationJobStatus);
        problems.push(
          ...conformanceProblems(model, 'DescribeOptimizationJobResponse', body, OptimizationJobName),
        );
      }
      const list = await call('ListOptimizationJobs', { NameContains: 'conform', MaxResults: 2 });
      problems.push(...conformanceProblems(model, 'ListOptimizationJobsResponse', list.body, 'list'));
      const next = await call('ListOptimizationJobs', {
        NameContains: 'conform',
        NextToken: list.body.NextToken,
      });
      problems.push(...conformanceProblems(model, 'ListOptimizationJobsResponse', next.body, 'list page 2'));
      return requests.length;
    };
    // STARTING and STOPPING; STOPPED; INPROGRESS and FAILED; COMPLETED.
    for (const seconds of [0, 300, 300, 1200]) {
      await advance(slow, clock, seconds);
      await describeAll();
    }
    expect(problems).toEqual([]);
    expect([...seen].sort()).toEqual([
      'COMPLETED',
      'FAILED',
      'INPROGRESS',
      'STARTING',
      'STOPPED',
      'STOPPING',
    ]);
  });
});

// ── src/sagemaker-api/limits.ts against the model ─────────────────────────────────

/** The constants by name (a copy: they are looked up by the names in the tables below). */
const LIMITS: Record<string, unknown> = { ...limits };
const bound = (shape: string, kind: 'min' | 'max') => shapeOf(model, shape)[kind];
const enumOf = (shape: string) => shapeOf(model, shape).enum;

/** Each numeric constant and the model's bound it states. */
const NUMBERS: [keyof typeof limits, number | undefined][] = [
  ['JOB_NAME_MAX_LENGTH', bound('EntityName', 'max')],
  ['MODEL_NAME_MAX_LENGTH', bound('ModelName', 'max')],
  ['ROLE_ARN_MIN_LENGTH', bound('RoleArn', 'min')],
  ['ROLE_ARN_MAX_LENGTH', bound('RoleArn', 'max')],
  ['S3_URI_MAX_LENGTH', bound('S3Uri', 'max')],
  ['IMAGE_MAX_LENGTH', bound('OptimizationContainerImage', 'max')],
  ['KMS_KEY_ID_MAX_LENGTH', bound('KmsKeyId', 'max')],
  ['ENVIRONMENT_MAX_ENTRIES', bound('OptimizationJobEnvironmentVariables', 'max')],
  ['ENVIRONMENT_KEY_MAX_LENGTH', bound('NonEmptyString256', 'max')],
  ['ENVIRONMENT_VALUE_MAX_LENGTH', bound('String256', 'max')],
  ['OPTIMIZATION_CONFIGS_MIN', bound('OptimizationConfigs', 'min')],
  ['OPTIMIZATION_CONFIGS_MAX', bound('OptimizationConfigs', 'max')],
  ['MAX_RUNTIME_MIN_SECONDS', bound('MaxRuntimeInSeconds', 'min')],
  ['MAX_WAIT_TIME_MIN_SECONDS', bound('MaxWaitTimeInSeconds', 'min')],
  ['MAX_PENDING_TIME_MIN_SECONDS', bound('MaxPendingTimeInSeconds', 'min')],
  ['MAX_PENDING_TIME_MAX_SECONDS', bound('MaxPendingTimeInSeconds', 'max')],
  ['TAGS_MAX', bound('TagList', 'max')],
  ['TAG_KEY_MIN_LENGTH', bound('TagKey', 'min')],
  ['TAG_KEY_MAX_LENGTH', bound('TagKey', 'max')],
  ['TAG_VALUE_MAX_LENGTH', bound('TagValue', 'max')],
  ['SECURITY_GROUPS_MIN', bound('OptimizationVpcSecurityGroupIds', 'min')],
  ['SECURITY_GROUPS_MAX', bound('OptimizationVpcSecurityGroupIds', 'max')],
  ['SUBNETS_MIN', bound('OptimizationVpcSubnets', 'min')],
  ['SUBNETS_MAX', bound('OptimizationVpcSubnets', 'max')],
  ['VPC_ID_MAX_LENGTH', bound('OptimizationVpcSecurityGroupId', 'max')],
  ['VPC_ID_MAX_LENGTH', bound('OptimizationVpcSubnetId', 'max')],
  ['MAX_INSTANCE_COUNT_MIN', bound('OptimizationJobMaxInstanceCount', 'min')],
  ['FAILURE_REASON_MAX_LENGTH', bound('FailureReason', 'max')],
  ['LIST_MAX_RESULTS_MIN', bound('MaxResults', 'min')],
  ['LIST_MAX_RESULTS_MAX', bound('MaxResults', 'max')],
  ['NAME_CONTAINS_MAX_LENGTH', bound('NameContains', 'max')],
  ['NEXT_TOKEN_MAX_LENGTH', bound('NextToken', 'max')],
];

/** Each pattern constant and the model's pattern it states. */
const PATTERNS: [keyof typeof limits, string][] = [
  ['JOB_NAME_PATTERN', 'EntityName'],
  ['MODEL_NAME_PATTERN', 'ModelName'],
  ['ROLE_ARN_PATTERN', 'RoleArn'],
  ['S3_URI_PATTERN', 'S3Uri'],
  ['IMAGE_PATTERN', 'OptimizationContainerImage'],
  ['KMS_KEY_ID_PATTERN', 'KmsKeyId'],
  ['ENVIRONMENT_KEY_PATTERN', 'NonEmptyString256'],
  ['TAG_PATTERN', 'TagKey'],
  ['TAG_PATTERN', 'TagValue'],
  ['SECURITY_GROUP_ID_PATTERN', 'OptimizationVpcSecurityGroupId'],
  ['SUBNET_ID_PATTERN', 'OptimizationVpcSubnetId'],
  ['NAME_CONTAINS_PATTERN', 'NameContains'],
  ['NEXT_TOKEN_PATTERN', 'NextToken'],
];

/**
 * Constants the model does not state, and where they come from instead. A new constant must be
 * added to one of the three tables.
 */
const NOT_IN_THE_MODEL: Partial<Record<keyof typeof limits, string>> = {
  MAX_RUNTIME_MAX_SECONDS: 'the API reference’s prose: "The maximum value is 28 days"',
  MAX_RUNTIME_DEFAULT_SECONDS: 'the API reference’s prose: "The default value is 1 day"',
  TRAINING_PLANS_MAX: 'TrainingPlanArns: in @aws-sdk/client-sagemaker’s newer model, not in this botocore',
  TRAINING_PLAN_ARN_PATTERN: 'TrainingPlanArns, as above',
  TRAINING_PLAN_ARN_MIN_LENGTH: 'TrainingPlanArns, as above',
  TRAINING_PLAN_ARN_MAX_LENGTH: 'TrainingPlanArns, as above',
  LIST_MAX_RESULTS_DEFAULT: 'the API reference’s prose (MaxResults defaults to 50)',
};

/** Strings to compare two regular expressions on: each pattern's samples and random text. */
const PATTERN_PROBES = fc.sample(
  fc.string({
    unit: fc.constantFrom(...'aZ09-_ ./:=+@,#!\t\n\r\u00e9\u2028xs3arn'.split('')),
    maxLength: 24,
  }),
  { numRuns: 3000, seed: 12 },
);

describe('src/sagemaker-api/limits.ts against the model', () => {
  it.each(NUMBERS)('%s is the model’s bound', (constant, expected) => {
    expect(expected, `${constant}: the model has no such bound`).toBeDefined();
    expect(LIMITS[constant]).toBe(expected);
  });

  it.each(PATTERNS)('%s accepts exactly what the model’s pattern of %s does', (constant, shape) => {
    const ours = LIMITS[constant] as RegExp;
    const theirs = modelPattern(shapeOf(model, shape).pattern as string);
    const sampled = STRINGS[shape] as StringSample;
    const probes = [
      ...PATTERN_PROBES,
      ...[1, 2, 5, sampled.usual].map((n) => sampled.ofLength(n, 'probe') ?? ''),
      sampled.breaksPattern ?? '',
    ];
    const disagree = probes.filter((probe) => ours.test(probe) !== theirs.test(probe));
    expect(disagree).toEqual([]);
  });

  it('enums: the model’s values, no more (but for a newer SDK’s instance types, listed)', () => {
    const set = (values: readonly string[] | undefined) => [...(values ?? [])].sort();
    expect(set(limits.OPTIMIZATION_JOB_STATUSES)).toEqual(set(enumOf('OptimizationJobStatus')));
    expect(set(limits.SPECULATIVE_DECODING_TECHNIQUES)).toEqual(
      set(enumOf('ModelSpeculativeDecodingTechnique')),
    );
    expect(set(limits.SPECULATIVE_DECODING_S3_DATA_TYPES)).toEqual(
      set(enumOf('ModelSpeculativeDecodingS3DataType')),
    );
    expect(set(limits.LIST_SORT_BY)).toEqual(set(enumOf('ListOptimizationJobsSortBy')));
    expect(set(limits.SORT_ORDERS)).toEqual(set(enumOf('SortOrder')));
    expect(set(limits.TECHNIQUE_MEMBER_NAMES)).toEqual(
      set(Object.keys(shapeOf(model, 'OptimizationConfig').members ?? {})),
    );
    expect(set(limits.DEPLOYMENT_INSTANCE_TYPES)).toEqual(
      set([...(enumOf('OptimizationJobDeploymentInstanceType') ?? []), ...NEWER_INSTANCE_TYPES]),
    );
  });

  it('leaves no constant unchecked: each is in a table above, or says why the model has none', () => {
    const checked = new Set<string>([
      ...NUMBERS.map(([name]) => name),
      ...PATTERNS.map(([name]) => name),
      ...Object.keys(NOT_IN_THE_MODEL),
    ]);
    const constants = Object.entries(LIMITS)
      .filter(([, value]) => typeof value === 'number' || value instanceof RegExp)
      .map(([name]) => name);
    expect(constants.filter((name) => !checked.has(name))).toEqual([]);
  });
});
