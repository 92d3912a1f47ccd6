/**
 * What a Task's Resource does locally: the same call Step Functions would make, through the
 * real AWS SDK v3 clients (pointed at whatever endpoints the caller configured), or an
 * in-process Lambda handler. Results and errors are shaped as Step Functions shapes them.
 */
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AWS_SDK_ERROR_NAMING, PUT_EVENTS_ERROR_NAMING, START_EXECUTION_ERROR_NAMING } from './error-naming';
import { lambdaTaskFailure, type ServiceErrorNaming, serviceTaskFailure, TaskFailure } from './task-error';

/** SDK clients the Tasks call; configure their endpoints to reach a local stack or a fake. */
export interface AwsClients {
  sagemaker?: SageMakerClient;
  eventbridge?: EventBridgeClient;
  sfn?: SFNClient;
}

/** An in-process Lambda function: receives the payload, resolves with the result or throws. */
export type LocalLambda = (payload: unknown) => Promise<unknown>;

export interface ResourceEnv {
  clients: AwsClients;
  /** Functions by name; ARNs and qualified names are reduced to the name. */
  lambdas: Record<string, LocalLambda>;
  executionArn: string;
  stateMachineArn: string;
}

export type ResourceHandler = (input: unknown, env: ResourceEnv) => Promise<unknown>;

type CommandCtor = new (input: object) => object;
interface SdkService {
  /** Its error names; its `sdkModule` also holds the commands. */
  errors: ServiceErrorNaming;
  client: (clients: AwsClients) => { send(command: object): Promise<unknown> } | undefined;
}

/** Services the aws-sdk integration can reach here, by the name used in the Resource ARN. */
const SDK_SERVICES: Record<string, SdkService> = {
  sagemaker: { errors: AWS_SDK_ERROR_NAMING.sagemaker, client: (c) => c.sagemaker },
  eventbridge: { errors: AWS_SDK_ERROR_NAMING.eventbridge, client: (c) => c.eventbridge },
  sfn: { errors: AWS_SDK_ERROR_NAMING.sfn, client: (c) => c.sfn },
};

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([^:]+)(:.+)?$/;

/** The handler for a Task's Resource, or an Error naming what this runner does not support. */
export function resourceHandler(resource: string): ResourceHandler {
  if (resource === 'arn:aws:states:::lambda:invoke') return invokeLambdaIntegration;
  if (resource === 'arn:aws:states:::events:putEvents') return putEvents;
  if (resource === 'arn:aws:states:::states:startExecution') return startExecution;
  const lambdaArn = LAMBDA_ARN.exec(resource);
  if (lambdaArn?.[1]) {
    const name = lambdaArn[1];
    return (input, env) => invokeLocal(name, input, env);
  }
  const sdk = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)$/.exec(resource);
  if (sdk?.[1] && sdk[2]) {
    const service = SDK_SERVICES[sdk[1]];
    if (!service) throw new Error(`aws-sdk service "${sdk[1]}" is not supported by the local runner`);
    return sdkCall(service, sdk[2]);
  }
  throw new Error(`Task resource "${resource}" is not supported by the local runner`);
}

function functionName(nameOrArn: string): string {
  return LAMBDA_ARN.exec(nameOrArn)?.[1] ?? nameOrArn.split(':')[0] ?? nameOrArn;
}

async function invokeLocal(nameOrArn: string, payload: unknown, env: ResourceEnv): Promise<unknown> {
  const name = functionName(nameOrArn);
  const fn = env.lambdas[name];
  if (!fn) {
    throw new TaskFailure(
      'Lambda.ResourceNotFoundException',
      `Function not found: ${nameOrArn} (Service: Lambda, Status Code: 404)`,
    );
  }
  try {
    // A JSON round trip, as the Lambda service serializes both ways.
    const result = await fn(JSON.parse(JSON.stringify(payload ?? null)));
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  } catch (error) {
    throw lambdaTaskFailure(error);
  }
}

async function invokeLambdaIntegration(input: unknown, env: ResourceEnv): Promise<unknown> {
  const { FunctionName, Payload } = (input ?? {}) as { FunctionName?: string; Payload?: unknown };
  if (!FunctionName) throw new TaskFailure('States.TaskFailed', 'lambda:invoke needs FunctionName');
  const result = await invokeLocal(FunctionName, Payload, env);
  return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
}

/**
 * The optimized EventBridge integration: Detail objects are serialized, the execution and state
 * machine ARNs are appended to each entry's Resources, and `FailedEntryCount > 0` fails the
 * Task with `EventBridge.FailedEntry`.
 */
async function putEvents(input: unknown, env: ResourceEnv): Promise<unknown> {
  const client = requireClient(env.clients.eventbridge, 'eventbridge');
  const { Entries = [] } = (input ?? {}) as { Entries?: Record<string, unknown>[] };
  const entries = Entries.map((entry) => ({
    ...entry,
    ...(entry.Detail !== undefined && {
      Detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail),
    }),
    Resources: [...((entry.Resources as string[] | undefined) ?? []), env.executionArn, env.stateMachineArn],
  }));
  let response: PutEventsCommandOutput;
  try {
    response = await client.send(new PutEventsCommand({ Entries: entries }));
  } catch (error) {
    throw serviceTaskFailure(PUT_EVENTS_ERROR_NAMING, error);
  }
  const result = toStepFunctionsJson(response) as { FailedEntryCount?: number };
  if ((result.FailedEntryCount ?? 0) > 0)
    throw new TaskFailure('EventBridge.FailedEntry', JSON.stringify(result));
  return result;
}

/** The optimized Step Functions integration (request-response): starts another execution. */
async function startExecution(input: unknown, env: ResourceEnv): Promise<unknown> {
  const client = requireClient(env.clients.sfn, 'sfn');
  const { StateMachineArn, Name, Input } = (input ?? {}) as Record<string, unknown>;
  try {
    const response = await client.send(
      new StartExecutionCommand({
        stateMachineArn: String(StateMachineArn),
        ...(Name !== undefined && { name: String(Name) }),
        ...(Input !== undefined && { input: typeof Input === 'string' ? Input : JSON.stringify(Input) }),
      }),
    );
    return { ExecutionArn: response.executionArn, StartDate: response.startDate?.toISOString() };
  } catch (error) {
    throw serviceTaskFailure(START_EXECUTION_ERROR_NAMING, error);
  }
}

/** `arn:aws:states:::aws-sdk:<service>:<action>`: the action's SDK command with the Parameters. */
function sdkCall(service: SdkService, action: string): ResourceHandler {
  const commandName = `${action.charAt(0).toUpperCase()}${action.slice(1)}Command`;
  const Command = service.errors.sdkModule[commandName] as CommandCtor | undefined;
  if (typeof Command !== 'function') {
    throw new Error(`the ${service.errors.prefix} SDK has no ${commandName}`);
  }
  return async (input, env) => {
    const client = requireClient(service.client(env.clients), service.errors.prefix);
    try {
      return toStepFunctionsJson(await client.send(new Command((input ?? {}) as object)));
    } catch (error) {
      throw serviceTaskFailure(service.errors, error);
    }
  };
}

function requireClient<T>(client: T | undefined, name: string): T {
  if (!client) throw new TaskFailure('States.TaskFailed', `no ${name} client was given to the local runner`);
  return client;
}

/** An SDK response as a Task result: no $metadata, timestamps as ISO-8601 text. */
function toStepFunctionsJson(response: unknown): unknown {
  return JSON.parse(JSON.stringify(response, (key, value) => (key === '$metadata' ? undefined : value)));
}
