/**
 * Human-readable summaries of the pipeline's outcome events: what finished, how long it took,
 * where the output is or why it failed, and what to do next.
 */
import type { PipelineEvent } from '../events/contract';
import { MAX_RUNTIME_MAX_SECONDS } from '../sagemaker-api/limits';
import { humanDuration, humanTime, snsSubject } from './format';

/** Every event but `Started` and `Variants Settled`: the ones a person is told about. */
export type OutcomeEvent = Exclude<
  PipelineEvent,
  { 'detail-type': 'Model Optimization Started' | 'Model Optimization Variants Settled' }
>;
type JobEndEvent = Exclude<OutcomeEvent, { 'detail-type': 'Model Upload Rejected' }>;
type RejectedEvent = Extract<OutcomeEvent, { 'detail-type': 'Model Upload Rejected' }>;

/** What is published to SNS for one event. */
export interface Notification {
  /** ≤ 100 printable ASCII characters, as SNS requires. */
  subject: string;
  message: string;
  /** SNS message attributes, so a subscription can filter (e.g. `status` = FAILED). */
  attributes: Record<string, string>;
}

/** Listing more problems than this helps no one and risks SNS's 256 KB message limit. */
export const MAX_LISTED_ERRORS = 50;

const MAX_RUNTIME_LIMIT = `${MAX_RUNTIME_MAX_SECONDS} s (${MAX_RUNTIME_MAX_SECONDS / 86_400} days)`;

/** Whether a Stopped job was stopped for running too long (the tracker's reason says so). */
export function isTimeout(failureReason: string): boolean {
  return /time[ds]?[ -]?out|max(imum)?[ _-]?runtime|stopping ?condition/i.test(failureReason);
}

/** Whether the drop was a folder finished by a manifest (its s3Uri is the folder prefix). */
function isFolderDrop(s3Uri: string | undefined): boolean {
  return s3Uri?.endsWith('/') ?? false;
}

/** Builds the notification for an outcome event. */
export function summarise(event: OutcomeEvent): Notification {
  switch (event['detail-type']) {
    case 'Model Optimization Completed':
      return completed(event);
    case 'Model Optimization Failed':
      return failed(event);
    case 'Model Optimization Stopped':
      return stopped(event);
    case 'Model Upload Rejected':
      return rejected(event);
  }
}

function modelName(model: { modelId?: string; key?: string } | undefined, fallback?: string): string {
  return model?.modelId ?? model?.key ?? fallback ?? 'an unknown model';
}

function attributesOf(event: OutcomeEvent): Record<string, string> {
  const { detail } = event;
  return {
    detailType: event['detail-type'],
    status: detail.status,
    stage: detail.stage,
    ...(detail.model?.modelId && { modelId: detail.model.modelId }),
  };
}

function lines(...blocks: (string | false | undefined)[][]): string {
  return blocks
    .map((block) => block.filter((line): line is string => typeof line === 'string').join('\n'))
    .filter(Boolean)
    .join('\n\n');
}

function jobFacts(event: JobEndEvent): string[] {
  const { detail } = event;
  return [
    `Model:       ${modelName(detail.model)} (${detail.model.s3Uri})`,
    `Dropped as:  s3://${detail.model.bucket}/${detail.model.key}`,
    `Job:         ${detail.jobName}`,
    `Techniques:  ${detail.techniques.join(', ')} for ${detail.deploymentInstanceType}`,
    `Took:        ${humanDuration(detail.durationSeconds)} (${humanTime(detail.startedAt)} to ${humanTime(detail.endedAt)})`,
  ];
}

function footer(event: OutcomeEvent): string[] {
  const { detail } = event;
  return [
    `Stage ${detail.stage}, ${event.region}, account ${event.account}; event ${event.id} (schema ${detail.schemaVersion}).`,
    'jobArn' in detail && `Job ARN:   ${detail.jobArn}`,
    'executionArn' in detail && `Execution: ${detail.executionArn}`,
  ].filter((line): line is string => typeof line === 'string');
}

function redropHint(model: { bucket?: string; key?: string; s3Uri?: string } | undefined): string {
  const where = model?.bucket && model.key ? ` (s3://${model.bucket}/${model.key})` : '';
  return isFolderDrop(model?.s3Uri)
    ? `upload the manifest again${where}, last, after the folder's other files`
    : `upload the model again${where}`;
}

function completed(event: Extract<OutcomeEvent, { 'detail-type': 'Model Optimization Completed' }>) {
  const { detail } = event;
  const name = modelName(detail.model);
  const image = detail.output.recommendedInferenceImage;
  const registered = detail.output.sageMakerModel;
  const deploy = registered
    ? `- Deploy it on ${detail.deploymentInstanceType}, the instance type it was optimized for: it is registered as the SageMaker model ${registered.name}, so an endpoint config that names that model is all an endpoint needs.`
    : `- Deploy it on ${detail.deploymentInstanceType}, the instance type it was optimized for: create a SageMaker model from ${detail.output.s3Uri}${image ? ' with the recommended image' : ''}.`;
  return {
    subject: snsSubject(`[${detail.stage}] Optimized ${name} in ${humanDuration(detail.durationSeconds)}`),
    message: lines(
      [`The optimization of ${name} completed in ${humanDuration(detail.durationSeconds)}.`],
      [
        ...jobFacts(event),
        `Output:      ${detail.output.s3Uri}`,
        image && `Image:       ${image} (recommended for inference)`,
        registered && `SageMaker model: ${registered.name} (${registered.arn})`,
      ],
      ['What next:', deploy, '- Compare it with the original model before you replace it anywhere.'],
      footer(event),
    ),
    attributes: attributesOf(event),
  };
}

function failed(event: Extract<OutcomeEvent, { 'detail-type': 'Model Optimization Failed' }>) {
  const { detail } = event;
  const name = modelName(detail.model);
  const outOfMemory = /out of memory|\bOOM\b/i.test(detail.failureReason);
  return {
    subject: snsSubject(
      `[${detail.stage}] FAILED: ${name} optimization after ${humanDuration(detail.durationSeconds)}`,
    ),
    message: lines(
      [`The optimization of ${name} failed after ${humanDuration(detail.durationSeconds)}.`],
      [`Reason: ${detail.failureReason}`],
      jobFacts(event),
      [
        'What next:',
        '- Read the reason above, then the job and its logs:',
        `    aws sagemaker describe-optimization-job --optimization-job-name ${detail.jobName} --region ${event.region}`,
        `    CloudWatch Logs: the log groups under /aws/sagemaker/, streams named after ${detail.jobName}.`,
        outOfMemory &&
          `- Out of memory: choose a larger deploymentInstanceType than ${detail.deploymentInstanceType} in the manifest, or shard the model.`,
        '- Fix the model or its manifest (see docs/manifest.md), then drop it again: ' +
          `${redropHint(detail.model)}.`,
      ],
      footer(event),
    ),
    attributes: attributesOf(event),
  };
}

function stopped(event: Extract<OutcomeEvent, { 'detail-type': 'Model Optimization Stopped' }>) {
  const { detail } = event;
  const name = modelName(detail.model);
  const timeout = isTimeout(detail.failureReason);
  const took = humanDuration(detail.durationSeconds);
  const next = timeout
    ? [
        'What next:',
        isFolderDrop(detail.model.s3Uri)
          ? `- Raise stoppingCondition.maxRuntimeInSeconds in the manifest (s3://${detail.model.bucket}/${detail.model.key}): it ran ${took} (${Math.round(detail.durationSeconds)} s); the limit is ${MAX_RUNTIME_LIMIT}.`
          : `- A single-file drop runs with the stage's maxRuntimeInSeconds: drop it as a folder with a manifest that raises stoppingCondition.maxRuntimeInSeconds (it ran ${took}; the limit is ${MAX_RUNTIME_LIMIT}), or raise the stage parameter.`,
        `- A larger deploymentInstanceType than ${detail.deploymentInstanceType} may also finish sooner.`,
        `- Then drop it again: ${redropHint(detail.model)}.`,
      ]
    : [
        'What next:',
        '- Someone or something stopped the job (see the reason above).',
        `- If that was not intended, drop it again: ${redropHint(detail.model)}.`,
      ];
  return {
    subject: snsSubject(
      `[${detail.stage}] STOPPED${timeout ? ' (timeout)' : ''}: ${name} optimization after ${took}`,
    ),
    message: lines(
      [`The optimization of ${name} was stopped after ${took}${timeout ? ': it ran out of time' : ''}.`],
      [`Reason: ${detail.failureReason}`],
      jobFacts(event),
      next,
      footer(event),
    ),
    attributes: attributesOf(event),
  };
}

function rejected(event: RejectedEvent) {
  const { detail } = event;
  const name = modelName(detail.model, detail.jobName);
  const count = detail.errors.length;
  const problems = `${count} problem${count === 1 ? '' : 's'}`;
  const listed = detail.errors.slice(0, MAX_LISTED_ERRORS).map((e) => `- ${e.path}: ${e.message}`);
  const unlisted = count - listed.length;
  const upload =
    detail.model?.bucket && detail.model.key ? `s3://${detail.model.bucket}/${detail.model.key}` : undefined;
  return {
    subject: snsSubject(`[${detail.stage}] REJECTED upload: ${name} (${problems})`),
    message: lines(
      [
        `The upload ${upload ?? `of ${name}`} was rejected at ${humanTime(detail.endedAt)}; no job was started. ${problems}:`,
      ],
      [...listed, unlisted > 0 && `- ... and ${unlisted} more`],
      [
        'What next:',
        isFolderDrop(detail.model?.s3Uri)
          ? '- Fix each problem above in the manifest (each path is a JSONPath into it; the format is in docs/manifest.md).'
          : '- Fix each problem above (each path is a JSONPath; the manifest format is in docs/manifest.md).',
        `- Then upload it again${upload ? ` to ${upload}` : ''}; for a folder drop, upload the manifest last.`,
      ],
      footer(event),
    ),
    attributes: attributesOf(event),
  };
}
