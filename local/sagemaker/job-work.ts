/**
 * The work a job does against object storage: reading its model when it leaves STARTING, and
 * writing the optimized model and a report when it completes.
 */
import { createHash } from 'node:crypto';
import { recommendedInferenceImage } from './inference-image';
import { type JobRecord, jobName, optimizationTypes } from './job-record';
import { checkTrainingData, type LoadedModel, loadModel, ModelSourceError } from './model-source';
import type { ObjectStore } from './object-store';
import { asFolderPrefix, parseS3Uri } from './s3-uri';

/** What the job work needs from the emulator. */
export interface JobWorkContext {
  store: ObjectStore;
  region: string;
  /** SageMaker model name → S3 URI of its artifacts, for `ModelSource.SageMakerModel`. */
  sageMakerModels: Readonly<Record<string, string>>;
}

/** The report written next to the optimized model. */
export const REPORT_FILE_NAME = 'optimization-report.json';

/** The S3 URI the job's model is read from. */
function sourceUri(context: JobWorkContext, job: JobRecord): string {
  const source = job.request.ModelSource;
  if (source?.S3?.S3Uri) return source.S3.S3Uri;
  const modelName = source?.SageMakerModel?.ModelName ?? '';
  const uri = context.sageMakerModels[modelName];
  if (!uri) throw new ModelSourceError(`Could not find model "${modelName}"`);
  return uri;
}

/**
 * Reads the job's model (and checks speculative-decoding training data) as the job leaves
 * STARTING. Throws {@link ModelSourceError} when the job cannot run.
 */
export async function inspectSource(
  context: JobWorkContext,
  job: JobRecord,
): Promise<NonNullable<JobRecord['source']>> {
  const uri = sourceUri(context, job);
  const model = await loadModel(context.store, uri);
  for (const config of job.request.OptimizationConfigs ?? []) {
    const data = config.ModelSpeculativeDecodingConfig?.TrainingDataSource;
    if (data?.S3Uri && data.S3DataType) await checkTrainingData(context.store, data.S3Uri, data.S3DataType);
  }
  return { uri, kind: model.kind, files: model.files.map((file) => file.path) };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const seconds = (from: number | undefined, to: number | undefined) =>
  from === undefined || to === undefined ? undefined : (to - from) / 1000;

/** The report of a completed job; built from the job alone, so writing it again gives the same bytes. */
function buildReport(job: JobRecord, model: LoadedModel, uri: string, image: string, endTime: number) {
  const r = job.request;
  return {
    optimizationJobName: jobName(job),
    optimizationJobArn: job.arn,
    techniques: optimizationTypes(r),
    optimizationConfigs: r.OptimizationConfigs,
    deploymentInstanceType: r.DeploymentInstanceType,
    maxInstanceCount: r.MaxInstanceCount,
    optimizationEnvironment: r.OptimizationEnvironment,
    source: { uri, kind: model.kind, sageMakerModel: r.ModelSource?.SageMakerModel?.ModelName },
    output: { s3OutputLocation: r.OutputConfig?.S3OutputLocation, kmsKeyId: r.OutputConfig?.KmsKeyId },
    recommendedInferenceImage: image,
    files: model.files.map((file) => ({
      path: file.path,
      size: file.body.length,
      sha256: createHash('sha256').update(file.body).digest('hex'),
    })),
    timings: {
      creationTime: iso(job.creationTime),
      optimizationStartTime: iso(job.startTime),
      optimizationEndTime: iso(endTime),
      startingSeconds: seconds(job.creationTime, job.startTime),
      optimizationSeconds: seconds(job.startTime, endTime),
    },
    generatedBy: 'local SageMaker emulator',
  };
}

/**
 * Writes the optimized model (the source files, unpacked) and the report under the job's
 * S3OutputLocation; the report goes last. Returns the recommended inference image.
 */
export async function writeOutputs(
  context: JobWorkContext,
  job: JobRecord,
  endTime: number,
): Promise<string> {
  const outputUri = job.request.OutputConfig?.S3OutputLocation ?? '';
  const output = parseS3Uri(outputUri);
  if (!output) throw new ModelSourceError(`Could not parse the output S3 URI ${outputUri}`);
  const uri = job.source?.uri ?? sourceUri(context, job);
  const model = await loadModel(context.store, uri);
  const image = recommendedInferenceImage(context.region, job.request.DeploymentInstanceType ?? '');
  const prefix = asFolderPrefix(output.key);
  for (const file of model.files) await context.store.put(output.bucket, `${prefix}${file.path}`, file.body);
  const report = buildReport(job, model, uri, image, endTime);
  await context.store.put(
    output.bucket,
    `${prefix}${REPORT_FILE_NAME}`,
    `${JSON.stringify(report, null, 2)}\n`,
  );
  return image;
}
