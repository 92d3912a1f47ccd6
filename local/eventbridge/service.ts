/** Local EventBridge on the wire (awsJson 1.1, `AWSEvents.<Operation>`). */
import { AwsServiceError } from '../aws-error';
import type { LocalBus, PutEventsEntry } from './bus';

export const EVENTS_TARGET_PREFIX = 'AWSEvents';

/** The EventBridge operations the local stack serves. */
export function createEventBridgeService(bus: LocalBus, busNames: string[], arnOf: (name: string) => string) {
  return {
    async handle(operation: string, input: unknown): Promise<unknown> {
      switch (operation) {
        case 'PutEvents':
          return bus.putEvents(input as { Entries?: PutEventsEntry[] });
        case 'ListEventBuses':
          return { EventBuses: ['default', ...busNames].map((Name) => ({ Name, Arn: arnOf(Name) })) };
        case 'DescribeEventBus': {
          const name = String((input as { Name?: string }).Name ?? 'default');
          if (name !== 'default' && !busNames.includes(name)) {
            throw new AwsServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
          }
          return { Name: name, Arn: arnOf(name) };
        }
        default:
          throw new AwsServiceError(
            'UnsupportedOperation',
            `${operation} is not supported by the local stack.`,
          );
      }
    },
  };
}
