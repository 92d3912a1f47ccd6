/**
 * Step Functions' execution ARNs, written out once: the pipeline, the CLI, the local stack,
 * the tests and the benches all name executions by these two functions.
 */

/**
 * The ARN Step Functions gives the execution named `name` of a (Standard) state machine:
 * `arn:aws:states:<region>:<account>:execution:<state-machine>:<name>`.
 */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** The state machine ARN an execution ARN belongs to: the inverse of executionArnFor. */
export function stateMachineArnOf(executionArn: string): string {
  return executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, '');
}
