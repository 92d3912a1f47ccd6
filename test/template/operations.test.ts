import { describe, expect, it } from 'vitest';
import { METRIC } from '../../src/observability';
import { packagedTemplate, resource } from '../support/template';

const template = packagedTemplate();

describe('packaged template: alarms for operations (docs/operations.md)', () => {
  it('alarms as soon as a drop reaches the upload DLQ', () => {
    const alarm = resource(template, 'UploadDeadLetterQueueAlarm').Properties;
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['UploadDeadLetterQueue', 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms on failed tracking executions', () => {
    expect(resource(template, 'TrackOptimizationJobFailedAlarm').Properties).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
    });
  });

  it('alarms when more than half of the jobs that ended in an hour failed, from the tracker metrics', () => {
    const alarm = resource(template, 'JobFailureRateAlarm').Properties;
    const metricNames = alarm?.Metrics.filter((m: any) => m.MetricStat).map(
      (m: any) => m.MetricStat.Metric.MetricName,
    );
    expect(metricNames.sort()).toEqual(['JobsCompleted', 'JobsFailed', 'JobsStopped']);
    expect(alarm?.Threshold).toBe(0.5);
    expect(alarm?.Metrics.find((m: any) => m.ReturnData)?.Expression).toContain('failed');
  });

  it('alarms as soon as an outcome event reaches notify-on-outcome’s DLQ', () => {
    expect(resource(template, 'NotifyOnOutcomeDeadLetterQueueAlarm').Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': ['NotifyOnOutcomeDeadLetterQueue', 'QueueName'] } },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms on any error of notify-on-outcome, before its retries end', () => {
    expect(resource(template, 'NotifyOnOutcomeErrorsAlarm').Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'NotifyOnOutcomeLambdaFunction' } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on an event that breaks the contract, by the metric notify-on-outcome publishes', () => {
    expect(resource(template, 'MalformedEventsAlarm').Properties).toMatchObject({
      Namespace: 'ModelOptimizationPipeline',
      MetricName: METRIC.malformedEvents,
      Dimensions: [{ Name: 'service', Value: 'model-optimization-pipeline' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});
