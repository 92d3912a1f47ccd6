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
import { type FileHandle, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_MAX_MANIFEST_BYTES } from '../config';
import type { LeftOut } from '../drop/drop-filter';
import type { PlannedUpload } from '../drop/drop-plan';
import { jobNameFor, variantJobNameFor } from '../job/job-name';
import { formatBytes } from '../text-format';
import { DropInterruptedError } from './errors';
import { bytesInMemory, bytesOfFile, type LocalBytes } from './file-checksums';
import { type LocalDrop, type LocalDropOptions, planLocalDrop } from './local-drop';
import { MIB } from './part-size';
import { headRemote, listRemote, type RemoteObject, remoteHolds } from './resume-check';
import {
  createUploader,
  type FileToSend,
  type LocalFile,
  type SentObject,
  type Uploader,
} from './s3-uploader';
import { tarGzStream } from './tarball';

/**
 * Defaults chosen by measurement (docs/benchmarks.md, "Drop"): requests in flight and the
 * multipart part size. Memory for part buffers is their product.
 */
export const DROP_DEFAULTS = { concurrency: 8, partSize: 32 * MIB, gzipLevel: 0 } as const;

/** Progress of a drop. Bytes found in place (skipped) count towards the totals like sent ones. */
export interface DropProgress {
  /** The object that last progressed, its bytes sent or found in place, and its size. */
  key: string;
  loaded: number;
  total: number;
  /** Sent or skipped bytes of the whole drop, and its size. */
  dropLoaded: number;
  dropTotal: number;
  /** Of `dropLoaded`: bytes sent in this run, and bytes already in place (not sent again). */
  dropSent?: number;
  dropSkipped?: number;
}

/** What to drop, where and how. */
export interface DropOptions extends LocalDropOptions {
  s3: S3Client;
  bucket: string;
  /** Requests in flight at most. Default {@link DROP_DEFAULTS}. */
  concurrency?: number;
  /** Multipart part size, bytes. Default {@link DROP_DEFAULTS}. */
  partSize?: number;
  /** gzip level of `tar` drops: 0 stores (model weights hardly compress), 9 compresses most. */
  gzipLevel?: number;
  /**
   * Compare with what is in the bucket and skip what is in place, and continue a large file's
   * open multipart upload sending only its missing parts. Default true.
   */
  resume?: boolean;
  /** Aborts the drop (Ctrl-C): it then fails with {@link DropInterruptedError}. */
  signal?: AbortSignal;
  onProgress?: (progress: DropProgress) => void;
  /** Called once the drop is planned, before anything is sent. */
  onPlanned?: (planned: { objects: number; bytes: number; leftOut: LeftOut[] }) => void;
  /** Opens local files for upload (tests pass one that fails). */
  openFile?: (path: string) => Promise<FileHandle>;
  /** Sign every payload with SHA-256, also over TLS (benchmarks compare; see s3-uploader.ts). */
  signPayload?: boolean;
  /** The plan of these options, when the caller made it before any request (`model-opt drop`). */
  planned?: LocalDrop;
}

/** What a drop did and the job it starts. */
export interface DropResult {
  /** The object whose notification starts the job. */
  triggerKey: string;
  modelId: string;
  /** The job the pipeline creates for this drop; for a drop with variants, the drop's job name (no job has it). */
  jobName: string;
  /** A manifest with `variants`: each variant's job, manifest order (`watch <jobName>` follows them all). */
  variants?: { name: string; jobName: string }[];
  /** Every object of the drop, trigger last: all of them are in place now. */
  uploadedKeys: string[];
  /** Of those: sent in this run, and found in place with the same size and checksum. */
  sentKeys: string[];
  skippedKeys: string[];
  bytes: number;
  sentBytes: number;
  skippedBytes: number;
  /**
   * Parts found in the open multipart uploads an interrupted drop left, and their bytes: in
   * place, so not sent again (their files are in `sentKeys`: this run completed them).
   */
  resumedParts: number;
  resumedBytes: number;
  /** Everything, the trigger included, was already in place: no new notification was made. */
  alreadyDropped: boolean;
  /** What a folder drop left out, by the highest folder left out (docs/cli.md). */
  leftOut: LeftOut[];
}

/**
 * The variant names of a folder drop's manifest, to name their jobs. A manifest the pipeline
 * will reject names none: its rejection is the answer, not jobs.
 */
export async function variantNames(drop: LocalDrop): Promise<string[]> {
  const trigger = drop.kind === 'objects' ? drop.plan.uploads.at(-1) : undefined;
  const source = trigger?.source;
  if (!trigger || !source) return [];
  // Only a manifest names variants: a `.tar.gz` trigger (a model of many GiB) is never read
  // whole, nor a manifest over the size any stage accepts.
  if (trigger.key.endsWith('.tar.gz') || trigger.size > DEFAULT_MAX_MANIFEST_BYTES) return [];
  try {
    const text = 'text' in source ? source.text : await readFile(source.file.path, 'utf8');
    const variants = (JSON.parse(text) as { variants?: unknown }).variants;
    if (!Array.isArray(variants)) return [];
    return variants.flatMap((v) => (typeof v?.name === 'string' ? [v.name as string] : []));
  } catch {
    return [];
  }
}

/** Sends a drop; resolves when every object, the trigger last, is in the bucket. */
export async function dropModel(options: DropOptions): Promise<DropResult> {
  const drop = options.planned ?? planLocalDrop(options);
  const { modelId, triggerKey } = drop.kind === 'packed' ? drop : { ...drop.plan };
  const partSize = options.partSize ?? DROP_DEFAULTS.partSize;
  const concurrency = options.concurrency ?? DROP_DEFAULTS.concurrency;
  const controller = new AbortController();
  // Every request in flight listens to the signal (the SDK's abort): Node warns past 10.
  setMaxListeners(concurrency * 2 + 10, controller.signal);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const total = drop.kind === 'packed' ? drop.files.reduce((n, f) => n + f.size, 0) : drop.plan.bytes;
  const objects = drop.kind === 'packed' ? 1 : drop.plan.uploads.length;
  options.onPlanned?.({ objects, bytes: total, leftOut: drop.leftOut });
  let sent = 0;
  let skipped = 0;
  let resumedParts = 0;
  let resumedBytes = 0;
  const perKey = new Map<string, number>();
  const report = (key: string, bytes: number, size: number) => {
    const loaded = (perKey.get(key) ?? 0) + bytes;
    perKey.set(key, loaded);
    options.onProgress?.({
      key,
      loaded,
      total: size,
      dropLoaded: sent + skipped + resumedBytes,
      dropTotal: total,
      dropSent: sent,
      dropSkipped: skipped + resumedBytes,
    });
  };
  const sizes = new Map(
    drop.kind === 'packed' ? [[triggerKey, total]] : drop.plan.uploads.map((u) => [u.key, u.size]),
  );
  const uploader = createUploader({
    s3: options.s3,
    bucket: options.bucket,
    concurrency,
    partSize,
    signal: controller.signal,
    onSent: (key, bytes) => {
      sent += bytes;
      report(key, bytes, sizes.get(key) ?? bytes);
    },
    resumeUploads: options.resume !== false,
    onResumed: (key, _partNumber, bytes) => {
      resumedParts++;
      resumedBytes += bytes;
      report(key, bytes, sizes.get(key) ?? bytes);
    },
    ...(options.openFile && { openFile: options.openFile }),
    ...(options.signPayload && { signPayload: true }),
  });
  const state: DropState = {
    drop,
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
    report(key, size, size);
  };
  try {
    const trigger = await sendDrop(state, skip);
    const identity = { bucket: options.bucket, key: triggerKey, version: trigger.versionId ?? trigger.eTag };
    const variants = (await variantNames(drop)).map((name) => ({
      name,
      jobName: variantJobNameFor(modelId, identity, name),
    }));
    return {
      triggerKey,
      modelId,
      jobName: jobNameFor(modelId, identity),
      ...(variants.length > 0 && { variants }),
      uploadedKeys: state.placed,
      sentKeys: state.sentKeys,
      skippedKeys: state.skippedKeys,
      bytes: total,
      sentBytes: sent,
      skippedBytes: skipped,
      resumedParts,
      resumedBytes,
      alreadyDropped: state.sentKeys.length === 0,
      leftOut: drop.leftOut,
    };
  } catch (error) {
    uploader.stop(error);
    const kept = await uploader.abortOpenUploads();
    if (options.signal?.aborted) {
      const continued =
        kept.length > 0
          ? `: it continues the ${kept.length} open multipart upload(s), sending only their missing parts`
          : '';
      throw new DropInterruptedError(
        `interrupted after ${formatBytes(sent + skipped + resumedBytes)} of ${formatBytes(total)}: ${state.placed.length} of ${objects} object(s) are in place, and nothing was triggered (${triggerKey} goes last). Run the same command again to send the rest${continued}.`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

interface DropState {
  drop: LocalDrop;
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

/** The file an upload reads, with the key it goes to. */
const fileOf = (upload: PlannedUpload<LocalFile> & { source: { file: LocalFile } }): FileToSend => ({
  ...upload.source.file,
  key: upload.key,
});
const fromFile = (
  upload: PlannedUpload<LocalFile>,
): upload is PlannedUpload<LocalFile> & { source: { file: LocalFile } } => 'file' in upload.source;

/** Sends what is not in place, the trigger last; returns the trigger object. */
async function sendDrop(
  state: DropState,
  skip: (key: string, size: number) => void,
): Promise<SentObject | RemoteObject> {
  const { drop, options, uploader } = state;
  const sentOne = (object: SentObject) => {
    state.sentKeys.push(object.key);
    state.placed.push(object.key);
    return object;
  };
  if (drop.kind === 'packed') {
    // Not resumable: the archive's bytes are known only once it is written.
    const archive = tarGzStream(drop.files, { level: options.gzipLevel ?? DROP_DEFAULTS.gzipLevel });
    return sentOne(await uploader.sendStream(drop.triggerKey, archive));
  }

  const uploads = drop.plan.uploads;
  const trigger = uploads[uploads.length - 1] as PlannedUpload<LocalFile>;
  const remote = await inBucket(state, uploads);
  const toSend: FileToSend[] = [];
  for (const upload of uploads.slice(0, -1).filter(fromFile)) {
    const found = remote.get(upload.key);
    if (found && (await holds(state, found, bytesOfFile(upload.source.file.path, upload.size))))
      skip(upload.key, upload.size);
    else toSend.push(fileOf(upload));
  }
  await sendInOrder(state, toSend, sentOne);

  // The trigger goes last; when everything else was in place and it is too, nothing is sent
  // (sending it again would make a new job in a versioned bucket).
  const triggerRemote = remote.get(trigger.key);
  const triggerBytes = fromFile(trigger)
    ? bytesOfFile(trigger.source.file.path, trigger.size)
    : bytesInMemory(Buffer.from('text' in trigger.source ? trigger.source.text : ''));
  if (toSend.length === 0 && triggerRemote && (await holds(state, triggerRemote, triggerBytes))) {
    skip(trigger.key, trigger.size);
    // The job is named after the trigger's version (or ETag): a listing has no versions.
    return (await headRemote(options.s3, options.bucket, trigger.key)) ?? triggerRemote;
  }
  if (fromFile(trigger)) return sentOne(await uploader.sendFile(fileOf(trigger)).done);
  const text = 'text' in trigger.source ? trigger.source.text : '';
  return sentOne(await uploader.sendStream(trigger.key, Readable.from([Buffer.from(text)])));
}

/** What the bucket holds of the drop: its folder listed, or its one object (a `.tar.gz`). */
async function inBucket(
  state: DropState,
  uploads: PlannedUpload<LocalFile>[],
): Promise<Map<string, RemoteObject>> {
  const { s3, bucket } = state.options;
  if (state.options.resume === false) return new Map();
  const trigger = uploads[uploads.length - 1] as PlannedUpload<LocalFile>;
  if (uploads.length > 1)
    return listRemote(s3, bucket, trigger.key.slice(0, trigger.key.lastIndexOf('/') + 1));
  const one = await headRemote(s3, bucket, trigger.key);
  return new Map(one ? [[one.key, one]] : []);
}

async function holds(state: DropState, remote: RemoteObject, local: LocalBytes): Promise<boolean> {
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
