/**
 * One upload-queue message, end to end: parse → classify → validate → create the job →
 * start its tracking execution. Invalid drops are rejected with an event and consumed;
 * anything else that fails is thrown, so the message is redelivered.
 *
 * The `Model Optimization Started` event is put by the tracking execution's first state, not
 * here: the execution (one per job name) is the only step that is idempotent and atomic, so
 * that is where "exactly one Started per drop" can hold across crashes and redeliveries.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
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
import { publishEvent } from '../events/publish';
import { buildCreateJobRequest, outputS3UriFor } from '../job/build-request';
import { jobNameFor } from '../job/job-name';
import { resolveSettings, techniqueNames } from '../job/settings';
import type { TrackingInput } from '../job/tracking-input';
import { createJobOnce, startTrackingOnce } from './start-job';

export interface StartDeps {
  s3: S3Client;
  sageMaker: SageMakerClient;
  sfn: SFNClient;
  eventBridge: EventBridgeClient;
  config: Config;
  now?: () => Date;
}

export type DropOutcome =
  | { kind: 'test-event' }
  | { kind: 'ignored'; key: string; reason: string }
  | { kind: 'rejected'; key?: string; jobName?: string; issues: ValidationIssue[] }
  | {
      kind: 'started';
      key: string;
      jobName: string;
      jobArn: string;
      executionArn: string;
      jobCreated: boolean;
      executionStarted: boolean;
    };

type JobDrop = Exclude<Drop, { kind: 'ignored' }>;

/** Handles one SQS message body. Resolves with what happened to each object in it. */
export async function processUploadMessage(body: string, deps: StartDeps): Promise<DropOutcome[]> {
  let message: ReturnType<typeof parseUploadMessage>;
  try {
    message = parseUploadMessage(body);
  } catch (error) {
    if (!(error instanceof InvalidDropError)) throw error;
    await reject(deps, error.issues, undefined);
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
  let jobName: string | undefined;
  try {
    assertValidDrop(drop);
    jobName = jobNameFor(drop.modelId, {
      bucket: object.bucket,
      key: object.key,
      version: object.versionId ?? object.eTag,
    });
    return await startJob(drop, jobName, model, deps);
  } catch (error) {
    if (!(error instanceof InvalidDropError)) throw error;
    await reject(deps, error.issues, model, jobName);
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
  const settings = resolveSettings(config.defaults, manifest);
  assertEulaAccepted(drop, settings.acceptEula, config.eulaRequiredModelPrefixes);

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
    },
    settings,
  );
  const { jobArn, created } = await createJobOnce(deps.sageMaker, request);

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
    maxRuntimeInSeconds: settings.maxRuntimeInSeconds,
    droppedAt: drop.object.eventTime,
    tracking: config.tracking,
  };
  const { executionArn, alreadyExisted } = await startTrackingOnce(
    deps.sfn,
    config.stateMachineArn,
    jobName,
    input,
  );
  return {
    kind: 'started',
    key: drop.object.key,
    jobName,
    jobArn,
    executionArn,
    jobCreated: created,
    executionStarted: !alreadyExisted,
  };
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

async function reject(
  deps: StartDeps,
  issues: ValidationIssue[],
  model: Partial<ModelRef> | undefined,
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
  await publishEvent(deps.eventBridge, 'rejected', detail, { eventBusName: deps.config.eventBusName });
}
