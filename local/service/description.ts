/**
 * What serverless.yml declares, as the local stack needs it: functions with their handlers,
 * environment and events; queues and their redrive; the bucket's notifications; the bus; the
 * state machines. Read through `sls print` (the Framework resolves every variable), then
 * intrinsics are resolved to local names (cfn-values.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LocalNaming, resolveCfn } from './cfn-values';
import { offlineSlsEnv, runSls, SLS_CACHE_DIR, SLS_PROJECT_ROOT } from './sls-cli';

export interface LocalFunction {
  /** The key under `functions:` (what `sls invoke local -f` takes). */
  key: string;
  /** The deployed name, `<service>-<stage>-<key>`. */
  name: string;
  /** Source file relative to the project root, without extension, and the export to call. */
  file: string;
  exportName: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  sqs: { queueLogicalId: string; batchSize: number }[];
  eventBridge: { busName: string; pattern: Record<string, unknown> }[];
}

export interface LocalQueueDefinition {
  logicalId: string;
  name: string;
  visibilityTimeoutSeconds: number;
  redrive?: { deadLetterLogicalId: string; maxReceiveCount: number };
}

export interface LocalServiceDescription {
  service: string;
  stage: string;
  region: string;
  accountId: string;
  functions: LocalFunction[];
  queues: LocalQueueDefinition[];
  buckets: { logicalId: string; name: string }[];
  notifications: { bucket: string; queueLogicalId: string; prefix?: string; suffix?: string }[];
  eventBuses: { logicalId: string; name: string }[];
  topics: { logicalId: string; name: string; arn: string }[];
  stateMachines: { logicalId: string; name: string; arn: string; definition: unknown }[];
  /** Logical id → physical name and ARN, for resolving references. */
  names: Record<string, { ref: string; arn: string; name: string }>;
}

/** The resource properties this module reads, across the resource types it reads them from. */
interface ResourceProperties {
  QueueName?: unknown;
  VisibilityTimeout?: number | string;
  RedrivePolicy?: { deadLetterTargetArn: unknown; maxReceiveCount: number | string };
  BucketName?: unknown;
  NotificationConfiguration?: {
    QueueConfigurations?: {
      Queue: unknown;
      Filter?: { S3Key?: { Rules?: { Name: string; Value: string }[] } };
    }[];
  };
  Name?: unknown;
  TopicName?: unknown;
  RoleName?: unknown;
}

type Template = {
  Resources: Record<string, { Type: string; Properties?: ResourceProperties; Condition?: string }>;
  Conditions?: Record<string, unknown>;
};

interface FunctionEvent {
  sqs?: { arn: unknown; batchSize?: number };
  eventBridge?: { eventBus?: unknown; pattern: Record<string, unknown> };
}

interface PrintedService {
  service: string;
  provider: { region: string; timeout?: number; environment?: Record<string, unknown> };
  functions?: Record<
    string,
    {
      handler: string;
      name?: string;
      timeout?: number;
      environment?: Record<string, unknown>;
      events?: FunctionEvent[];
    }
  >;
  stepFunctions?: { stateMachines?: Record<string, { id?: string; name?: string; definition: unknown }> };
  resources?: Template;
}

const ROOT = SLS_PROJECT_ROOT;

/** Runs `sls print` for the stage (cached by the content of the files it reads). */
export async function printService(stage: string, region: string): Promise<PrintedService> {
  const filesUnder = (dir: string) =>
    existsSync(join(ROOT, dir))
      ? readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => join(entry.parentPath, entry.name).slice(ROOT.length))
          .sort()
      : [];
  // Everything `sls print` reads: the service file and the files it inlines or runs.
  const inputs = [
    'serverless.yml',
    ...filesUnder('resources'),
    ...filesUnder('statemachines'),
    ...filesUnder('schemas'),
    ...filesUnder('config'),
  ];
  const hash = createHash('sha256').update(JSON.stringify([stage, region]));
  for (const file of inputs) hash.update(file).update(readFileSync(join(ROOT, file)));
  const cacheFile = join(SLS_CACHE_DIR, `sls-print-${hash.digest('hex').slice(0, 16)}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8'));

  const home = join(SLS_CACHE_DIR, 'home');
  mkdirSync(home, { recursive: true });
  // CloudFormation references stay references; they are resolved locally below.
  const { stdout } = await runSls(['print', '--stage', stage, '--region', region, '--format', 'json'], {
    env: offlineSlsEnv({ home }),
  });
  const printed = JSON.parse(stdout.slice(stdout.indexOf('{'))) as PrintedService;
  mkdirSync(SLS_CACHE_DIR, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(printed));
  return printed;
}

/** Builds the local description of the service for a stage. */
export async function describeService(
  stage: string,
  region: string,
  accountId: string,
): Promise<LocalServiceDescription> {
  const printed = await printService(stage, region);
  const template: Template = printed.resources ?? { Resources: {} };
  const stackName = `${printed.service}-${stage}`;
  const names: LocalServiceDescription['names'] = {};
  const naming: LocalNaming = {
    stackName,
    region,
    accountId,
    conditions: template.Conditions ?? {},
    attribute(logicalId, attribute) {
      const entry = names[logicalId];
      if (!entry) return undefined;
      if (attribute === 'Ref') return entry.ref;
      if (attribute === 'Arn') return entry.arn;
      if (attribute === 'QueueName' || attribute === 'Name' || attribute === 'TopicName') return entry.name;
      if (attribute === 'QueueUrl') return entry.ref;
      return undefined;
    },
  };

  const stateMachines = Object.entries(printed.stepFunctions?.stateMachines ?? {}).map(([key, sm]) => {
    const logicalId = sm.id ?? key;
    const name = sm.name ?? `${stackName}-${key}`;
    const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
    names[logicalId] = { ref: arn, arn, name };
    return { logicalId, name, arn, definition: sm.definition };
  });

  // Name every resource first (names may refer to each other only through Fn::Sub of pseudo params).
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (names[logicalId]) continue;
    const physical = (explicit: unknown, fallback: string) =>
      explicit === undefined ? fallback : String(resolveCfn(explicit, naming));
    switch (resource.Type) {
      case 'AWS::SQS::Queue': {
        const name = physical(resource.Properties?.QueueName, `${stackName}-${logicalId}`);
        names[logicalId] = {
          ref: `https://sqs.${region}.amazonaws.com/${accountId}/${name}`,
          arn: `arn:aws:sqs:${region}:${accountId}:${name}`,
          name,
        };
        break;
      }
      case 'AWS::S3::Bucket': {
        const name = physical(resource.Properties?.BucketName, `${stackName}-${logicalId}`.toLowerCase());
        names[logicalId] = { ref: name, arn: `arn:aws:s3:::${name}`, name };
        break;
      }
      case 'AWS::Events::EventBus': {
        const name = physical(resource.Properties?.Name, `${stackName}-${logicalId}`);
        names[logicalId] = {
          ref: name,
          arn: `arn:aws:events:${region}:${accountId}:event-bus/${name}`,
          name,
        };
        break;
      }
      case 'AWS::SNS::Topic': {
        const name = physical(resource.Properties?.TopicName, `${stackName}-${logicalId}`);
        const arn = `arn:aws:sns:${region}:${accountId}:${name}`;
        names[logicalId] = { ref: arn, arn, name };
        break;
      }
      case 'AWS::IAM::Role': {
        const name = physical(resource.Properties?.RoleName, `${stackName}-${logicalId}`);
        names[logicalId] = { ref: name, arn: `arn:aws:iam::${accountId}:role/${name}`, name };
        break;
      }
      default:
        break;
    }
  }

  const active = (logicalId: string) => {
    const condition = template.Resources[logicalId]?.Condition;
    return !condition || Boolean(resolveCfn({ 'Fn::If': [condition, true, false] }, naming));
  };
  const ofType = (type: string) =>
    Object.entries(template.Resources).filter(([id, r]) => r.Type === type && active(id));
  const logicalIdOf = (value: unknown): string => {
    const v = value as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
    const id = v?.['Fn::GetAtt']?.[0] ?? v?.Ref;
    if (!id) throw new Error(`expected a Ref or Fn::GetAtt to a resource, got ${JSON.stringify(value)}`);
    return id;
  };

  const queues = ofType('AWS::SQS::Queue').map(([logicalId, r]) => {
    const redrive = r.Properties?.RedrivePolicy;
    return {
      logicalId,
      name: names[logicalId]?.name ?? logicalId,
      visibilityTimeoutSeconds: Number(r.Properties?.VisibilityTimeout ?? 30),
      ...(redrive && {
        redrive: {
          deadLetterLogicalId: logicalIdOf(redrive.deadLetterTargetArn),
          maxReceiveCount: Number(redrive.maxReceiveCount),
        },
      }),
    };
  });

  const buckets = ofType('AWS::S3::Bucket').map(([logicalId]) => ({
    logicalId,
    name: names[logicalId]?.name ?? logicalId,
  }));
  const notifications = ofType('AWS::S3::Bucket').flatMap(([logicalId, r]) =>
    (r.Properties?.NotificationConfiguration?.QueueConfigurations ?? []).map((c) => {
      const rules = c.Filter?.S3Key?.Rules ?? [];
      return {
        bucket: names[logicalId]?.name ?? logicalId,
        queueLogicalId: logicalIdOf(c.Queue),
        prefix: rules.find((rule) => rule.Name.toLowerCase() === 'prefix')?.Value,
        suffix: rules.find((rule) => rule.Name.toLowerCase() === 'suffix')?.Value,
      };
    }),
  );

  const functions = Object.entries(printed.functions ?? {}).map(([key, fn]): LocalFunction => {
    const dot = fn.handler.lastIndexOf('.');
    const environment = resolveCfn({ ...printed.provider.environment, ...fn.environment }, naming) as Record<
      string,
      unknown
    >;
    const events = fn.events ?? [];
    return {
      key,
      name: fn.name ?? `${stackName}-${key}`,
      file: fn.handler.slice(0, dot),
      exportName: fn.handler.slice(dot + 1),
      environment: Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)])),
      timeoutSeconds: Number(fn.timeout ?? printed.provider.timeout ?? 6),
      sqs: events.flatMap(({ sqs }) =>
        sqs ? [{ queueLogicalId: logicalIdOf(sqs.arn), batchSize: Number(sqs.batchSize ?? 10) }] : [],
      ),
      eventBridge: events.flatMap(({ eventBridge }) =>
        eventBridge
          ? [
              {
                busName: busNameOf(resolveCfn(eventBridge.eventBus ?? 'default', naming)),
                pattern: eventBridge.pattern,
              },
            ]
          : [],
      ),
    };
  });

  return {
    service: printed.service,
    stage,
    region,
    accountId,
    functions,
    queues,
    buckets,
    notifications,
    eventBuses: ofType('AWS::Events::EventBus').map(([logicalId]) => ({
      logicalId,
      name: names[logicalId]?.name ?? logicalId,
    })),
    topics: ofType('AWS::SNS::Topic').map(([logicalId]) => ({
      logicalId,
      name: names[logicalId]?.name ?? logicalId,
      arn: names[logicalId]?.arn ?? logicalId,
    })),
    stateMachines,
    names,
  };
}

/** An `eventBus` value may be a name or an ARN (`…:event-bus/<name>`). */
function busNameOf(value: unknown): string {
  const text = String(value);
  return text.includes(':event-bus/') ? text.slice(text.indexOf(':event-bus/') + ':event-bus/'.length) : text;
}
