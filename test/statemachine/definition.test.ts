import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { TRACKER_ASL } from '../../harness/tracker-on-fake-aws';
import { POLL_TIERS_SECONDS } from '../../src/track/schedule';

const definition = JSON.parse(readFileSync(TRACKER_ASL, 'utf8'));

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
    const transient = ['SageMakerUnavailable', 'SageMaker.ThrottlingException', 'EventBridge.FailedEntry'];
    const retriers = Object.values<any>(definition.States).flatMap((s) => s.Retry ?? []);
    for (const name of transient) {
      const retrier = retriers.find((r: any) => r.ErrorEquals.includes(name));
      expect(retrier, name).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2 });
      expect(retrier.MaxAttempts, name).toBeGreaterThan(0);
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
