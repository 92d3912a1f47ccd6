/**
 * One upload-queue message, end to end: parse → classify → validate (schema, stage policy, and
 * the technique/instance compatibility rules on the merged settings) → create the job →
 * start its tracking execution. A drop with variants validates every variant first, then creates
 * one job and one tracking execution per variant, then starts the execution that waits for them
 * all and puts `Variants Settled` (named `<drop's job name>-variants`). Invalid drops are
 * rejected and consumed; anything else that fails is thrown, so the message is redelivered.
 *
 * Neither `Model Optimization Started` nor `Model Upload Rejected` is put here: an execution
 * named after the drop puts it. Starting a named execution is the only step that is idempotent
 * and atomic, so that is where "exactly one Started, or one Rejected, per drop" can hold across
 * crashes and redeliveries.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Config } from '../config';
import { assertValidDrop, classifyObject, type Drop } from '../drop/classify';
import type { Manifest } from '../drop/manifest-schema';
import { readManifest } from '../drop/read-manifest';
import { parseUploadMessage, type S3ObjectRef } from '../drop/s3-notification';
import { InvalidDropError, type ValidationIssue } from '../errors';
import { type ModelRef, type RejectedDetail, SCHEMA_VERSION } from '../events/contract';
import { buildCreateJobRequest, outputS3UriFor } from '../job/build-request';
import { type PlannedJob, planJobs } from '../job/drop-jobs';
import {
  type DropIdentity,
  jobNameFor,
  rejectionExecutionName,
  settleExecutionName,
  variantJobNameFor,
} from '../job/job-name';
import { registeredModelName, techniqueNames } from '../job/settings';
import type { RejectionInput, SettleInput, TrackingInput } from '../job/tracking-input';
import { createJobOnce, startTrackingOnce } from './start-job';

export interface StartDeps {
  s3: S3Client;
  sageMaker: SageMakerClient;
  sfn: SFNClient;
  config: Config;
  now?: () => Date;
}

export type DropOutcome =
  | { kind: 'test-event' }
  | { kind: 'ignored'; key: string; reason: string }
  | { kind: 'rejected'; key?: string; jobName?: string; issues: ValidationIssue[] }
  /** The job quota was full: the message is back on the queue, delayed (handle-record.ts). */
  | { kind: 'deferred'; delaySeconds: number }
  /** The job quota was full for longer than the stage allows: the message is in the DLQ. */
  | { kind: 'quota-wait-exceeded'; quotaWaitSeconds: number; deadLetterQueueArn: string }
  | {
      kind: 'started';
      key: string;
      jobName: string;
      jobArn: string;
      executionArn: string;
      jobCreated: boolean;
      executionStarted: boolean;
      /** A drop with variants: every variant's job (the fields above are the first's). */
      variants?: {
        variant?: string;
        jobName: string;
        jobArn: string;
        executionArn: string;
        jobCreated: boolean;
        executionStarted: boolean;
      }[];
      /** The execution that puts the drop's one `Variants Settled`. */
      settleExecutionArn?: string;
    };

type JobDrop = Exclude<Drop, { kind: 'ignored' }>;

/** Handles one SQS message body. Resolves with what happened to each object in it. */
export async function processUploadMessage(body: string, deps: StartDeps): Promise<DropOutcome[]> {
  let message: ReturnType<typeof parseUploadMessage>;
  try {
    message = parseUploadMessage(body);
  } catch (error) {
    if (!(error instanceof InvalidDropError)) throw error;
    await reject(deps, error.issues, rejectionExecutionName({ body }));
    return [{ kind: 'rejected', issues: error.issues }];
  }
  if (message.kind === 'test-event') return [{ kind: 'test-event' }];

  const outcomes: DropOutcome[] = [];
  for (const object of message.objects) outcomes.push(await processObject(object, deps));
  return outcomes;
}

async function processObject(object: S3ObjectRef, deps: StartDeps): Promise<DropOutcome> {
  const drop = classifyObject(object, deps.config);
  if (drop.kind === 'ignored') return { kind: 'ignored', key: object.key, reason: drop.reason };

  const model = modelRefOf(drop);
  const identity = { bucket: object.bucket, key: object.key, version: object.versionId ?? object.eTag };
  let jobName: string | undefined;
  try {
    assertValidDrop(drop);
    jobName = jobNameFor(drop.modelId, identity);
    return await startJob(drop, jobName, model, deps);
  } catch (error) {
    if (!(error instanceof InvalidDropError)) throw error;
    const name = rejectionExecutionName({ modelId: drop.modelId, identity });
    await reject(deps, error.issues, name, model, jobName);
    return { kind: 'rejected', key: object.key, jobName, issues: error.issues };
  }
}

async function startJob(
  drop: JobDrop,
  jobName: string,
  model: ModelRef,
  deps: StartDeps,
): Promise<DropOutcome> {
  const { config } = deps;
  const manifest: Manifest =
    drop.kind === 'manifest' ? await readManifest(deps.s3, drop.object, drop.sourceKey, config) : {};
  const jobs = planJobs(manifest, config.defaults, config.jobPolicy);
  for (const { settings } of jobs) {
    // A registered model (source.sageMakerModel) has no S3 ModelAccessConfig: its terms were settled when it was registered.
    if (!settings.sourceModelName)
      assertEulaAccepted(drop, settings.acceptEula, config.eulaRequiredModelPrefixes);
  }

  // One job and one tracking execution per variant, in manifest order; each step is idempotent
  // by name, so a redelivered drop redoes them all and a crash between two loses nothing.
  const started: StartedJob[] = [];
  for (const job of jobs) started.push(await startOneJob(drop, jobName, model, job, deps));
  const [first] = started;
  if (!first) throw new TypeError('planJobs returned no job');
  if (!manifest.variants) {
    return { kind: 'started', key: drop.object.key, ...first };
  }

  const settle: SettleInput = {
    schemaVersion: SCHEMA_VERSION,
    stage: config.stage,
    eventBusName: config.eventBusName,
    model,
    dropJobName: jobName,
    variants: started.map(({ variant, jobName: name, deploymentInstanceType }) => ({
      name: variant ?? '',
      jobName: name,
      deploymentInstanceType,
    })),
    tracking: config.tracking,
  };
  const settleExecution = await startTrackingOnce(
    deps.sfn,
    config.stateMachineArn,
    settleExecutionName(jobName),
    settle,
  );
  return {
    kind: 'started',
    key: drop.object.key,
    ...first,
    variants: started,
    settleExecutionArn: settleExecution.executionArn,
  };
}

interface StartedJob {
  variant?: string;
  jobName: string;
  jobArn: string;
  executionArn: string;
  deploymentInstanceType: TrackingInput['deploymentInstanceType'];
  jobCreated: boolean;
  executionStarted: boolean;
}

/** Creates one job (a plain drop's, or one variant's) and starts its tracking execution. */
async function startOneJob(
  drop: JobDrop,
  dropJobName: string,
  model: ModelRef,
  { variant, settings }: PlannedJob,
  deps: StartDeps,
): Promise<StartedJob> {
  const { config } = deps;
  const jobName = variant ? variantJobNameFor(drop.modelId, identityOf(model), variant.name) : dropJobName;
  const outputS3Uri = outputS3UriFor(
    config.outputBucket ?? drop.object.bucket,
    config.outputPrefix,
    drop.modelId,
    jobName,
  );
  const request = buildCreateJobRequest(
    {
      jobName,
      modelId: drop.modelId,
      stage: config.stage,
      roleArn: config.sageMakerRoleArn,
      sourceS3Uri: model.s3Uri,
      sourceKey: drop.sourceKey,
      outputS3Uri,
      outputKmsKeyId: config.outputKmsKeyId,
      ...(variant && { variant: { name: variant.name, dropJobName } }),
    },
    settings,
  );
  const { jobArn, created } = await createJobOnce(deps.sageMaker, request);
  const sageMakerModelName = registeredModelName(settings, jobName);

  const input: TrackingInput = {
    schemaVersion: SCHEMA_VERSION,
    stage: config.stage,
    eventBusName: config.eventBusName,
    jobName,
    jobArn,
    model,
    deploymentInstanceType: settings.deploymentInstanceType,
    techniques: techniqueNames(settings.techniques),
    outputS3Uri,
    ...(sageMakerModelName && { sageMakerModelName }),
    maxRuntimeInSeconds: settings.maxRuntimeInSeconds,
    droppedAt: drop.object.eventTime,
    tracking: config.tracking,
    ...(variant && { variant: variant.name, dropJobName }),
  };
  const { executionArn, alreadyExisted } = await startTrackingOnce(
    deps.sfn,
    config.stateMachineArn,
    jobName,
    input,
  );
  return {
    ...(variant && { variant: variant.name }),
    jobName,
    jobArn,
    executionArn,
    deploymentInstanceType: settings.deploymentInstanceType,
    jobCreated: created,
    executionStarted: !alreadyExisted,
  };
}

/** The drop's identity as job names hash it: the version, else the eTag. */
function identityOf(model: ModelRef): DropIdentity {
  return { bucket: model.bucket, key: model.key, version: model.versionId ?? model.eTag };
}

function assertEulaAccepted(drop: JobDrop, acceptEula: boolean | undefined, gatedPrefixes: string[]): void {
  const id = drop.modelId.toLowerCase();
  const gated = gatedPrefixes.find((p) => id.startsWith(p.toLowerCase()));
  if (!gated || acceptEula === true) return;
  const how =
    drop.kind === 'manifest'
      ? 'set "acceptEula": true in the manifest after reviewing the license'
      : 'drop it as a folder with a manifest that sets "acceptEula": true';
  throw new InvalidDropError([
    { path: '$.acceptEula', message: `model ids starting with "${gated}" require EULA acceptance: ${how}` },
  ]);
}

function modelRefOf(drop: JobDrop): ModelRef {
  const { bucket, key, versionId, eTag } = drop.object;
  return {
    bucket,
    key,
    s3Uri: `s3://${bucket}/${drop.sourceKey}`,
    modelId: drop.modelId,
    ...(versionId && { versionId }),
    ...(eTag && { eTag }),
  };
}

/** Starts the execution named `executionName` that puts the Rejected event (once per drop). */
async function reject(
  deps: StartDeps,
  issues: ValidationIssue[],
  executionName: string,
  model?: Partial<ModelRef>,
  jobName?: string,
): Promise<void> {
  const detail: RejectedDetail = {
    schemaVersion: SCHEMA_VERSION,
    stage: deps.config.stage,
    status: 'REJECTED',
    ...(model && { model }),
    ...(jobName && { jobName }),
    errors: issues,
    endedAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  const input: RejectionInput = {
    schemaVersion: SCHEMA_VERSION,
    stage: deps.config.stage,
    eventBusName: deps.config.eventBusName,
    rejection: detail,
  };
  await startTrackingOnce(deps.sfn, deps.config.stateMachineArn, executionName, input);
}
