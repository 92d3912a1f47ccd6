import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it, vi } from 'vitest';
import { jobNameOf, reportOutcome } from '../../src/track/report-outcome';
import type { CheckOutcome } from '../../src/track/tracking-state';

const detail = (status: 'COMPLETED' | 'FAILED' | 'STOPPED') =>
  ({ status, durationSeconds: 754 }) as unknown as Extract<CheckOutcome, { action: 'publish' }>['detail'];

describe('reportOutcome', () => {
  it.each([
    ['COMPLETED', 'JobsCompleted'],
    ['FAILED', 'JobsFailed'],
    ['STOPPED', 'JobsStopped'],
  ] as const)('counts a %s job as %s and records how long it ran', (status, metric) => {
    const metrics = new Metrics({ namespace: 'test', serviceName: 'test' });
    const add = vi.spyOn(metrics, 'addMetric');

    reportOutcome(
      {
        action: 'publish',
        detailType: 'Model Optimization Completed',
        detail: detail(status),
      } as CheckOutcome,
      new Logger({ logLevel: 'SILENT' }),
      metrics,
    );

    expect(add.mock.calls).toEqual([
      [metric, 'Count', 1],
      ['TrackingDurationSeconds', 'Seconds', 754],
    ]);
  });

  it('counts nothing while the job still runs or is being stopped', () => {
    const metrics = new Metrics({ namespace: 'test', serviceName: 'test' });
    const add = vi.spyOn(metrics, 'addMetric');

    reportOutcome(
      { action: 'stop', stop: { requestedAt: '2026-01-01T00:00:00.000Z', reason: 'timed out' } },
      new Logger({ logLevel: 'SILENT' }),
      metrics,
    );

    expect(add).not.toHaveBeenCalled();
  });

  it('finds the job name in a check payload, and nothing in a malformed one', () => {
    expect(jobNameOf({ state: { jobName: 'tiny-llm-0123456789' } })).toBe('tiny-llm-0123456789');
    expect(jobNameOf({ state: {} })).toBeUndefined();
    expect(jobNameOf(null)).toBeUndefined();
  });
});
