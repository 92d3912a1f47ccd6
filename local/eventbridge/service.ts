/** Local EventBridge on the wire (awsJson 1.1, `AWSEvents.<Operation>`). */
import * as z from 'zod';
import { AwsServiceError } from '../protocol/aws-error';
import { dispatchOperation, optional, parseInput } from '../protocol/aws-json';
import type { LocalBus } from './bus';

export const EVENTS_TARGET_PREFIX = 'AWSEvents';

/** The request shapes, as in the EventBridge API reference (members the stack ignores left out). */
const SHAPES = {
  PutEvents: z.object({
    Entries: z
      .array(
        z.object({
          // awsJson timestamps are epoch seconds; an ISO-8601 string is accepted too.
          Time: optional(z.union([z.number(), z.string()])),
          Source: optional(z.string()),
          Resources: optional(z.array(z.string())),
          DetailType: optional(z.string()),
          Detail: optional(z.string()),
          EventBusName: optional(z.string().max(1600)),
          TraceHeader: optional(z.string().max(500)),
        }),
      )
      .min(1)
      .max(10),
    EndpointId: optional(z.string().max(50)),
  }),
  ListEventBuses: z.object({
    NamePrefix: optional(z.string().min(1).max(256)),
    NextToken: optional(z.string().min(1).max(2048)),
    Limit: optional(z.int().min(1).max(100)),
  }),
  DescribeEventBus: z.object({ Name: optional(z.string().min(1).max(1600)) }),
};

/** What the edge knows of a request beyond its body. */
export interface EventBridgeRequestContext {
  /** The local runner's replay key (../replay-key), when a Task made the call. */
  replayKey?: string;
}

/** The EventBridge operations the local stack serves. */
export function createEventBridgeService(bus: LocalBus, busNames: string[], arnOf: (name: string) => string) {
  const operations = {
    PutEvents: (input: unknown, context: EventBridgeRequestContext) =>
      bus.putEvents(parseInput(SHAPES.PutEvents, input), context.replayKey),
    ListEventBuses: (input: unknown) => {
      const { NamePrefix = '' } = parseInput(SHAPES.ListEventBuses, input);
      return {
        EventBuses: ['default', ...busNames]
          .filter((name) => name.startsWith(NamePrefix))
          .map((Name) => ({ Name, Arn: arnOf(Name) })),
      };
    },
    DescribeEventBus: (input: unknown) => {
      const { Name = 'default' } = parseInput(SHAPES.DescribeEventBus, input);
      const name = Name.includes(':event-bus/') ? Name.slice(Name.lastIndexOf('/') + 1) : Name;
      if (name !== 'default' && !busNames.includes(name)) {
        throw new AwsServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
      }
      return { Name: name, Arn: arnOf(name) };
    },
  };
  return {
    async handle(
      operation: string,
      input: unknown,
      context: EventBridgeRequestContext = {},
    ): Promise<unknown> {
      return dispatchOperation(operations, operation, input, context);
    },
  };
}
