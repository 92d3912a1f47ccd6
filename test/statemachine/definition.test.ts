import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { TRACKER_ASL } from '../../harness/tracker-on-local-aws';
import {
  AWS_SDK_ERROR_NAMING,
  PUT_EVENTS_ERROR_NAMING,
  START_EXECUTION_ERROR_NAMING,
} from '../../local/stepfunctions/error-naming';
import type { ServiceErrorNaming } from '../../local/stepfunctions/task-error';
import { POLL_TIERS_SECONDS } from '../../src/track/schedule';
import botocoreErrors from '../fixtures/botocore/modeled-errors.json';

const definition = JSON.parse(readFileSync(TRACKER_ASL, 'utf8'));

/** Every name an integration can raise: its modeled errors (botocore's models) and its generic class. */
function serviceErrorNames(naming: ServiceErrorNaming, service: keyof typeof botocoreErrors.services) {
  const modeled = botocoreErrors.services[service].errors.map(
    (e) => `${naming.prefix}.${e.endsWith('Exception') ? e : `${e}Exception`}`,
  );
  return [...modeled, `${naming.prefix}.${naming.generic}`];
}

/** What each Task Resource of the definition can fail with, on AWS. */
const CHECK_FUNCTION_ERRORS = [
  ...POLL_TIERS_SECONDS.map((t) => `JobStillRunning.${t}s`),
  'SageMakerUnavailable',
  'StepFunctionsUnavailable',
  'InvalidTrackingState',
  'JobStopTimeout',
];
const PRODUCIBLE: Record<string, string[]> = {
  'arn:aws:states:::aws-sdk:sagemaker:stopOptimizationJob': serviceErrorNames(
    AWS_SDK_ERROR_NAMING.sagemaker,
    'sagemaker',
  ),
  'arn:aws:states:::states:startExecution': serviceErrorNames(START_EXECUTION_ERROR_NAMING, 'stepfunctions'),
  'arn:aws:states:::events:putEvents': [
    'EventBridge.FailedEntry',
    ...serviceErrorNames(PUT_EVENTS_ERROR_NAMING, 'events'),
  ],
  // Lambda's service errors, and the other names AWS documents for the Lambda integration.
  'arn:aws:states:::lambda:invoke': [
    ...botocoreErrors.services.lambda.errors.map((e) => `Lambda.${e}`),
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.Unknown',
    ...CHECK_FUNCTION_ERRORS,
  ],
};

describe('statemachines/track-optimization-job.asl.json', () => {
  it('passes asl-validator, paths and ARNs included', () => {
    const { isValid, errorsText } = aslValidator(structuredClone(definition), {
      checkPaths: true,
      checkArn: true,
    });
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('is JSONPath only: no JSONata, no variables', () => {
    const text = JSON.stringify(definition);
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const jsonataOnly of ['"QueryLanguage":"JSONata"', '"Assign"', '"Arguments"', '"Output"', '{%']) {
      expect(text).not.toContain(jsonataOnly);
    }
  });

  it('has one poll retrier per tier the check function may ask for, without backoff or jitter', () => {
    const retriers = definition.States.CheckJob.Retry.filter((r: any) =>
      r.ErrorEquals.some((e: string) => e.startsWith('JobStillRunning.')),
    );
    expect(retriers.map((r: any) => r.ErrorEquals)).toEqual(
      POLL_TIERS_SECONDS.map((t) => [`JobStillRunning.${t}s`]),
    );
    for (const [index, retrier] of retriers.entries()) {
      expect(retrier).toEqual({
        ErrorEquals: [`JobStillRunning.${POLL_TIERS_SECONDS[index]}s`],
        IntervalSeconds: POLL_TIERS_SECONDS[index],
        BackoffRate: 1,
        MaxAttempts: 99_999_999,
        JitterStrategy: 'NONE',
      });
    }
  });

  it('retries every transient error with backoff and jitter', () => {
    const transient: [state: string, error: string][] = [
      ['CheckJob', 'SageMakerUnavailable'],
      ['CheckVariants', 'SageMakerUnavailable'],
      ['CheckVariants', 'StepFunctionsUnavailable'],
      // Throttling and a refused stop: unmodeled in SageMaker's API, so its generic class.
      ['StopJob', 'SageMaker.SageMakerException'],
      ['PutTerminalEvent', 'EventBridge.FailedEntry'],
    ];
    for (const [state, name] of transient) {
      const retrier = definition.States[state].Retry.find((r: any) => r.ErrorEquals.includes(name));
      expect(retrier, name).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2 });
      expect(retrier.MaxAttempts, name).toBeGreaterThan(0);
    }
  });

  it('retries and catches only error names its Tasks can raise on AWS', () => {
    const tasks = Object.entries<any>(definition.States).filter(([, s]) => s.Type === 'Task');
    for (const [name, task] of tasks) {
      const producible = PRODUCIBLE[task.Resource];
      expect(producible, `${name}: ${task.Resource}`).toBeDefined();
      const matched = [...(task.Retry ?? []), ...(task.Catch ?? [])].flatMap((r: any) => r.ErrorEquals);
      for (const error of matched.filter((e: string) => !e.startsWith('States.'))) {
        expect(producible, `${name} matches ${error}`).toContain(error);
      }
    }
  });

  it('keeps Started the first Task of the execution named after the job', () => {
    expect(definition.StartAt).toBe('WhichExecution');
    expect(definition.States.WhichExecution.Default).toBe('PutStartedEvent');
    expect(definition.States.PutStartedEvent.Parameters.Entries[0].DetailType).toBe(
      'Model Optimization Started',
    );
  });
});
