/**
 * Runs the local stack's executions with the ASL runner: Tasks call the stack's own services
 * through the real SDK clients at its edge, Lambda Tasks call the in-process functions, and
 * Waits and retry delays follow the stack's compressed clock.
 */
import type { LocalStackContext } from '../stack';
import { type AwsClients, localClients, type PreparedDefinition, prepareDefinition, runExecution } from '.';
import type { ExecuteDefinition } from './service';

/** The stack's `execute` for Step Functions executions. */
export function aslExecutor(stack: LocalStackContext): ExecuteDefinition {
  const prepared = new Map<string, PreparedDefinition>();
  let clients: AwsClients | undefined;
  const lambdas = Object.fromEntries(
    stack.functionNames.map((name) => [name, (payload: unknown) => stack.lambda.invoke(name, payload)]),
  );

  return async ({
    stateMachine,
    execution,
    input,
    signal,
    resumeAt,
    onStateEntered,
    onTaskSucceeded,
    onStateEvent,
  }) => {
    // The edge's address is known only once it listens, after the executor is created. One SDK
    // attempt per call, as Step Functions makes: the definition's Retry is the only retry (SDK
    // retries would also sleep in real time, minutes of simulated time on a compressed clock).
    clients ??= localClients({ endpoint: stack.endpoint, region: stack.region, maxAttempts: 1 });
    let definition = prepared.get(stateMachine.arn);
    if (!definition) {
      definition = prepareDefinition(stateMachine.definition as object);
      prepared.set(stateMachine.arn, definition);
    }
    const report = await runExecution({
      definition,
      input,
      context: {
        executionArn: execution.executionArn,
        stateMachineArn: stateMachine.arn,
        startTime: new Date(execution.startDate),
      },
      clients,
      lambdas,
      clock: stack.clock,
      signal,
      ...(resumeAt && { resumeAt }),
      onStateEntered: (state, _at, stateInput, entry) => onStateEntered(state, stateInput, entry),
      onTaskSucceeded,
      ...(onStateEvent && { onStateEvent: (event, at) => onStateEvent(event, at.getTime()) }),
    });
    if (report.status === 'SUCCEEDED') return report.output;
    throw Object.assign(new Error(report.error?.Cause ?? 'execution failed'), {
      name: report.error?.Error ?? 'States.Runtime',
    });
  };
}
