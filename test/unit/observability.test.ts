import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { publishMetricsIfAny } from '../../src/observability';

const context = { functionName: 'fn', awsRequestId: 'req-1' } as unknown as Context;

/** A Metrics instance that publishes (test/setup.ts disables metrics for the handlers). */
function publishingMetrics(): Metrics {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  try {
    return new Metrics({ namespace: 'test', serviceName: 'test' });
  } finally {
    vi.unstubAllEnvs();
  }
}

/** Everything written to the console (Powertools' console when POWERTOOLS_DEV is set). */
function consoleLines(): string[] {
  const lines: string[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
  }
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe('publishMetricsIfAny', () => {
  it('publishes the metrics a handler added, as embedded metric format', async () => {
    const metrics = publishingMetrics();
    const handler = middy()
      .use(publishMetricsIfAny(metrics))
      .handler(async () => {
        metrics.addMetric('JobsCompleted', MetricUnit.Count, 1);
      });
    const lines = consoleLines();

    await handler({}, context);

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ JobsCompleted: 1 });
  });

  it('publishes them when the handler throws too', async () => {
    const metrics = publishingMetrics();
    const handler = middy()
      .use(publishMetricsIfAny(metrics))
      .handler(async () => {
        metrics.addMetric('JobsFailed', MetricUnit.Count, 1);
        throw new Error('boom');
      });
    const lines = consoleLines();

    await expect(handler({}, context)).rejects.toThrow('boom');

    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ JobsFailed: 1 });
  });

  it('writes nothing, not even a warning, when the handler added no metric', async () => {
    const metrics = publishingMetrics();
    const handler = middy()
      .use(publishMetricsIfAny(metrics))
      .handler(async () => undefined);
    const lines = consoleLines();

    await handler({}, context);

    expect(lines).toEqual([]);
  });
});
