/**
 * The work a job does against object storage: reading its model when it leaves STARTING, and
 * writing the optimized model and a report when it completes. Bytes stream or are copied inside
 * S3; the emulator never holds a model file whole.
 */
import { recommendedInferenceImage } from './inference-image';
import { type JobRecord, jobName, optimizationTypes } from './job-record';
import {
  checkTrainingData,
  inspectModel,
  isArchiveUri,
  listFolder,
  ModelSourceError,
  type ModelSourceKind,
  modelLocation,
  readArchive,
} from './model-source';
import type { ObjectStore } from './object-store';
import { UnsupportedOptimizationError, unsupportedOptimization } from './optimization-rules';
import { asFolderPrefix, parseS3Uri, type S3Location } from './s3-uri';

/** What the job work needs from the emulator. */
export interface JobWorkContext {
  store: ObjectStore;
  region: string;
  /** The S3 URI of a SageMaker model's artifacts, for `ModelSource.SageMakerModel`; undefined if there is no such model. */
  modelDataOf: (modelName: string) => string | undefined;
}

/** The report written next to the optimized model. */
export const REPORT_FILE_NAME = 'optimization-report.json';

/** The S3 URI the job's model is read from. */
function sourceUri(context: JobWorkContext, job: JobRecord): string {
  const source = job.request.ModelSource;
  if (source?.S3?.S3Uri) return source.S3.S3Uri;
  const modelName = source?.SageMakerModel?.ModelName ?? '';
  const uri = context.modelDataOf(modelName);
  if (!uri) throw new ModelSourceError(`Could not find model "${modelName}"`);
  return uri;
}

/**
 * Checks that the job's techniques can run on its instance type, then reads its model (and
 * speculative-decoding training data) as the job leaves STARTING. Throws
 * {@link UnsupportedOptimizationError} or {@link ModelSourceError} when the job cannot run.
 */
export async function inspectSource(
  context: JobWorkContext,
  job: JobRecord,
): Promise<NonNullable<JobRecord['source']>> {
  const unsupported = unsupportedOptimization(job.request);
  if (unsupported) throw new UnsupportedOptimizationError(unsupported);
  const uri = sourceUri(context, job);
  const model = await inspectModel(context.store, uri);
  for (const config of job.request.OptimizationConfigs ?? []) {
    const data = config.ModelSpeculativeDecodingConfig?.TrainingDataSource;
    if (data?.S3Uri && data.S3DataType) await checkTrainingData(context.store, data.S3Uri, data.S3DataType);
  }
  return { uri, kind: model.kind, files: model.files.map((file) => file.path) };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const seconds = (from: number | undefined, to: number | undefined) =>
  from === undefined || to === undefined ? undefined : (to - from) / 1000;

/** An output file as the report lists it: its size and the entity tag S3 gave it. */
interface WrittenFile {
  path: string;
  size: number;
  eTag?: string;
}

/** The report of a completed job; built from the job and its output, so writing it again gives the same bytes. */
function buildReport(
  job: JobRecord,
  kind: ModelSourceKind,
  files: WrittenFile[],
  uri: string,
  image: string,
  endTime: number,
) {
  const r = job.request;
  return {
    optimizationJobName: jobName(job),
    optimizationJobArn: job.arn,
    techniques: optimizationTypes(r),
    optimizationConfigs: r.OptimizationConfigs,
    deploymentInstanceType: r.DeploymentInstanceType,
    maxInstanceCount: r.MaxInstanceCount,
    optimizationEnvironment: r.OptimizationEnvironment,
    source: { uri, kind, sageMakerModel: r.ModelSource?.SageMakerModel?.ModelName },
    output: { s3OutputLocation: r.OutputConfig?.S3OutputLocation, kmsKeyId: r.OutputConfig?.KmsKeyId },
    recommendedInferenceImage: image,
    files: [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
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
 * Writes the optimized model under `output` (a folder prefix): a folder's files are copied
 * inside S3 (CopyObject), an archive's files are unpacked and streamed, one at a time.
 */
async function writeModel(
  store: ObjectStore,
  uri: string,
  output: S3Location,
): Promise<{ kind: ModelSourceKind; files: WrittenFile[] }> {
  const written: WrittenFile[] = [];
  if (isArchiveUri(uri)) {
    await readArchive(store, uri, async ({ path, size }, body) => {
      const { eTag } = await store.write(output.bucket, `${output.key}${path}`, body, size);
      written.push({ path, size, ...(eTag && { eTag }) });
    });
    return { kind: 'archive', files: written };
  }
  const location = modelLocation(uri);
  for (const { key, path, size } of (await listFolder(store, location)).files) {
    const { eTag } = await store.copy(
      { bucket: location.bucket, key },
      { bucket: output.bucket, key: `${output.key}${path}` },
    );
    written.push({ path, size, ...(eTag && { eTag }) });
  }
  return { kind: 'folder', files: written };
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
  const prefix = asFolderPrefix(output.key);
  const model = await writeModel(context.store, uri, { bucket: output.bucket, key: prefix });
  const image = recommendedInferenceImage(context.region, job.request.DeploymentInstanceType ?? '');
  const report = `${JSON.stringify(buildReport(job, model.kind, model.files, uri, image, endTime), null, 2)}\n`;
  await context.store.write(output.bucket, `${prefix}${REPORT_FILE_NAME}`, report, Buffer.byteLength(report));
  return image;
}
