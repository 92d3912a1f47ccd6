/**
 * Dropping a model: a `.tar.gz`, a folder with its manifest sent last, or a folder packed into
 * a `.tar.gz` as it is sent (`--tar`). Files go concurrently, and large files' parts too
 * ({@link createUploader}), in memory bounded by concurrency × part size. A drop resumes: files
 * already in the bucket with the same size and checksum are not sent again
 * ({@link remoteHolds}). The trigger object (manifest or `.tar.gz`) is sent only once
 * everything else is in place, so an interrupted or failed drop never starts a job. The same
 * code runs against the local stack and AWS; only the client's endpoint differs.
 */
import { setMaxListeners } from 'node:events';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { jobNameFor } from '../job/job-name';
import { DropInterruptedError } from './drop-errors';
import { type DropPlan, type DropPlanOptions, planDrop } from './drop-plan';
import { localBytes, localFile } from './file-checksums';
import { formatBytes } from './format';
import { MIB } from './part-size';
import { headRemote, listRemote, type RemoteObject, remoteHolds } from './resume-check';
import { createUploader, type FileToSend, type SentObject, type Uploader } from './s3-uploader';
import { tarGzStream } from './tarball';

/**
 * Defaults chosen by measurement (docs/benchmarks.md, "Drop"): requests in flight and the
 * multipart part size. Memory for part buffers is their product.
 */
export const DROP_DEFAULTS = { concurrency: 16, partSize: 16 * MIB, gzipLevel: 0 } as const;

/** Progress of a drop. Bytes found in place (skipped) count towards `dropLoaded` like sent ones. */
export interface DropProgress {
  /** The object that last progressed. */
  key: string;
  /** Sent or skipped bytes of the whole drop, and its size. */
  dropLoaded: number;
  dropTotal: number;
  /** Of `dropLoaded`: bytes sent in this run, and bytes already in place (not sent again). */
  dropSent: number;
  dropSkipped: number;
}

/** What to drop, where and how. */
export interface DropOptions extends DropPlanOptions {
  s3: S3Client;
  bucket: string;
  /** Requests in flight at most. Default {@link DROP_DEFAULTS}. */
  concurrency?: number;
  /** Multipart part size, bytes. Default {@link DROP_DEFAULTS}. */
  partSize?: number;
  /** gzip level of `tar` drops: 0 stores (model weights hardly compress), 9 compresses most. */
  gzipLevel?: number;
  /** Compare with what is in the bucket and skip what is in place. Default true. */
  resume?: boolean;
  /** Aborts the drop (Ctrl-C): it then fails with {@link DropInterruptedError}. */
  signal?: AbortSignal;
  onProgress?: (progress: DropProgress) => void;
  /** Opens local files for upload (tests pass one that fails). */
  openFile?: (path: string) => Promise<FileHandle>;
  /** Sign every payload with SHA-256, also over TLS (benchmarks compare; see s3-uploader.ts). */
  signPayload?: boolean;
}

/** What a drop did and the job it starts. */
export interface DropResult {
  /** The object whose notification starts the job. */
  triggerKey: string;
  modelId: string;
  /** The job the pipeline creates for this drop. */
  jobName: string;
  /** Every object of the drop, trigger last: all of them are in place now. */
  uploadedKeys: string[];
  /** Of those: sent in this run, and found in place with the same size and checksum. */
  sentKeys: string[];
  skippedKeys: string[];
  bytes: number;
  sentBytes: number;
  skippedBytes: number;
  /** Everything, the trigger included, was already in place: no new notification was made. */
  alreadyDropped: boolean;
}

/** Sends a drop; resolves when every object, the trigger last, is in the bucket. */
export async function dropModel(options: DropOptions): Promise<DropResult> {
  const plan = planDrop(options);
  const partSize = options.partSize ?? DROP_DEFAULTS.partSize;
  const concurrency = options.concurrency ?? DROP_DEFAULTS.concurrency;
  const controller = new AbortController();
  // Every request in flight listens to the signal (the SDK's abort): Node warns past 10.
  setMaxListeners(concurrency * 2 + 10, controller.signal);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const total = totalBytes(plan);
  let sent = 0;
  let skipped = 0;
  const report = (key: string) =>
    options.onProgress?.({
      key,
      dropLoaded: sent + skipped,
      dropTotal: total,
      dropSent: sent,
      dropSkipped: skipped,
    });
  const uploader = createUploader({
    s3: options.s3,
    bucket: options.bucket,
    concurrency,
    partSize,
    signal: controller.signal,
    onSent: (key, bytes) => {
      sent += bytes;
      report(key);
    },
    ...(options.openFile && { openFile: options.openFile }),
    ...(options.signPayload && { signPayload: true }),
  });
  const state: DropState = {
    plan,
    options,
    uploader,
    partSize,
    fail: (error) => uploader.stop(error),
    placed: [],
    sentKeys: [],
    skippedKeys: [],
  };
  const skip = (key: string, size: number) => {
    skipped += size;
    state.skippedKeys.push(key);
    state.placed.push(key);
    report(key);
  };
  try {
    const trigger = await sendDrop(state, skip);
    return {
      triggerKey: plan.triggerKey,
      modelId: plan.modelId,
      jobName: jobNameFor(plan.modelId, {
        bucket: options.bucket,
        key: plan.triggerKey,
        version: trigger.versionId ?? trigger.eTag,
      }),
      uploadedKeys: state.placed,
      sentKeys: state.sentKeys,
      skippedKeys: state.skippedKeys,
      bytes: total,
      sentBytes: sent,
      skippedBytes: skipped,
      alreadyDropped: state.sentKeys.length === 0,
    };
  } catch (error) {
    uploader.stop(error);
    await uploader.abortOpenUploads();
    if (options.signal?.aborted) {
      const files = plan.kind === 'folder' ? plan.files.length : 1;
      const inPlace = state.placed.length;
      throw new DropInterruptedError(
        `interrupted after ${formatBytes(sent + skipped)} of ${formatBytes(total)}: ${inPlace} of ${files} file(s) are in place, and nothing was triggered (${plan.triggerKey} goes last). Run the same command again to send the rest.`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

interface DropState {
  plan: DropPlan;
  options: DropOptions;
  uploader: Uploader;
  partSize: number;
  /** Starts nothing more after the first failure; what is under way lands and can be resumed. */
  fail: (error: unknown) => void;
  /** Keys in place so far, in drop order. */
  placed: string[];
  sentKeys: string[];
  skippedKeys: string[];
}

/** Bytes of the whole drop (for `tar`, of the files packed: the archive's size is known at the end). */
function totalBytes(plan: DropPlan): number {
  const sum = (files: { size: number }[]) => files.reduce((n, f) => n + f.size, 0);
  if (plan.kind === 'archive') return plan.file.size;
  if (plan.kind === 'packed') return sum(plan.files);
  return sum(plan.files) + ('file' in plan.manifest ? plan.manifest.file.size : plan.manifest.body.length);
}

/** Sends what is not in place, the trigger last; returns the trigger object. */
async function sendDrop(
  state: DropState,
  skip: (key: string, size: number) => void,
): Promise<SentObject | RemoteObject> {
  const { plan, options, uploader } = state;
  const resume = options.resume ?? true;
  const sentOne = (object: SentObject) => {
    state.sentKeys.push(object.key);
    state.placed.push(object.key);
    return object;
  };

  if (plan.kind === 'packed') {
    const archive = tarGzStream(plan.files, { level: options.gzipLevel ?? DROP_DEFAULTS.gzipLevel });
    return sentOne(await uploader.sendStream(plan.triggerKey, archive));
  }
  if (plan.kind === 'archive') {
    const remote = resume ? await headRemote(options.s3, options.bucket, plan.triggerKey) : undefined;
    if (remote && (await inPlace(state, remote, plan.file))) {
      skip(remote.key, remote.size);
      return remote;
    }
    return sentOne(await uploader.sendFile(plan.file).done);
  }

  const remote = resume
    ? await listRemote(options.s3, options.bucket, plan.prefix)
    : new Map<string, RemoteObject>();
  const toSend: FileToSend[] = [];
  for (const file of plan.files) {
    const found = remote.get(file.key);
    if (found && (await inPlace(state, found, file))) skip(file.key, file.size);
    else toSend.push(file);
  }
  await sendInOrder(state, toSend, sentOne);

  const manifest = plan.manifest;
  const manifestRemote = remote.get(manifest.key);
  if (toSend.length === 0 && manifestRemote) {
    const local =
      'file' in manifest
        ? localFile(manifest.file.path, manifest.file.size)
        : localBytes(Buffer.from(manifest.body));
    if ((await remoteHolds(options.s3, options.bucket, manifestRemote, local, state.partSize)).same) {
      skip(manifest.key, manifestRemote.size);
      // The job is named after the manifest's version (or ETag): a listing has no versions.
      return (await headRemote(options.s3, options.bucket, manifest.key)) ?? manifestRemote;
    }
  }
  if ('file' in manifest) return sentOne(await uploader.sendFile(manifest.file).done);
  return sentOne(await uploader.sendStream(manifest.key, Readable.from([Buffer.from(manifest.body)])));
}

async function inPlace(state: DropState, remote: RemoteObject, file: FileToSend): Promise<boolean> {
  const local = localFile(file.path, file.size);
  return (await remoteHolds(state.options.s3, state.options.bucket, remote, local, state.partSize)).same;
}

/**
 * Sends files, each scheduled once the previous one has all its requests under way: files
 * finish about in order, and the first failure stops the rest.
 */
async function sendInOrder(state: DropState, files: FileToSend[], sentOne: (o: SentObject) => SentObject) {
  const sending: Promise<SentObject>[] = [];
  let failure: { error: unknown } | undefined;
  for (const file of files) {
    if (failure) break;
    const { scheduled, done } = state.uploader.sendFile(file);
    const placed = done.then(sentOne);
    placed.catch((error: unknown) => {
      if (failure) return;
      failure = { error };
      state.fail(error);
    });
    sending.push(placed);
    await scheduled;
  }
  const results = await Promise.allSettled(sending);
  if (failure) throw failure.error;
  const rejected = results.find((r) => r.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
}
