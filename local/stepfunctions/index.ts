/**
 * Local Step Functions runner: executes an ASL definition with aws-local-stepfunctions, Tasks
 * calling the real AWS SDK clients, on a real, compressed or virtual clock.
 */
export type { Accounting } from './accounting';
export { type LocalClientOptions, localClients } from './clients';
export { type PreparedDefinition, prepareDefinition } from './definition';
export type { AwsClients, LocalLambda } from './resources';
export {
  type ExecutionContextInput,
  type ExecutionReport,
  type RunExecutionOptions,
  runExecution,
  type TaskAttempt,
} from './run-execution';
export { TaskFailure } from './task-error';
