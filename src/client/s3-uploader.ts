/**
 * Sends files and streams to S3 for `drop`: files up to the part size in one PutObject, larger
 * ones as multipart uploads whose parts are read at their offsets (no stream chunking) and sent
 * concurrently, across files, through a fixed set of {@link UploadSlots}. Memory is bounded by
 * concurrency × part size. Checksums are the SDK's defaults: CRC32 on every request and a
 * composite CRC32 for a multipart object, as lib-storage's `Upload` sends them.
 *
 * Hand-written rather than lib-storage's `Upload` because that bounds each upload on its own
 * (`queueSize`), so a folder's files either run one at a time or multiply its memory, and it
 * reads files through a stream it re-chunks into parts.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { FileChangedError, FileReadError } from './errors';
import { findOpenUpload, type ListedPart, partHolds } from './open-upload';
import { partCount, partSizeFor } from './part-size';
import { type Slot, UploadSlots } from './upload-slots';

/** A local file as it was when the drop was planned (a change since then fails its upload). */
export interface LocalFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** A local file and the key it goes to. */
export interface FileToSend extends LocalFile {
  key: string;
}

/** An object now in place. */
export interface SentObject {
  key: string;
  eTag?: string;
  versionId?: string;
}

export interface UploaderOptions {
  s3: S3Client;
  bucket: string;
  /** Requests in flight at most (each holds one part buffer). */
  concurrency: number;
  /** Multipart part size (grown for files beyond 10,000 parts); smaller files go in one PutObject. */
  partSize: number;
  /** Aborts every request in flight and every wait (Ctrl-C). */
  signal: AbortSignal;
  /** Bytes of `key` that S3 has accepted (called per part or object). */
  onSent?: (key: string, bytes: number) => void;
  /** Opens local files (tests pass one that fails). */
  openFile?: (path: string) => Promise<FileHandle>;
  /** Sign every payload with SHA-256 even over TLS (see {@link unsignedOverTls}). */
  signPayload?: boolean;
  /**
   * Continue a large file's open multipart upload, left by an interrupted drop, sending only the
   * parts it lacks (see open-upload.ts); such uploads are then kept open by
   * {@link Uploader.abortOpenUploads} too.
   */
  resumeUploads?: boolean;
  /** Bytes of part `partNumber` of `key` found in place in an open upload (not sent). */
  onResumed?: (key: string, partNumber: number, bytes: number) => void;
}

export interface Uploader {
  /**
   * Sends a file. `scheduled` settles once its last request holds a slot (schedule the next file
   * then, so files finish in order and an interrupted drop leaves whole files behind); `done`
   * once the object is in place.
   */
  sendFile(file: FileToSend): { scheduled: Promise<void>; done: Promise<SentObject> };
  /** Sends a stream of unknown length (multipart when it exceeds one part). */
  sendStream(key: string, body: Readable): Promise<SentObject>;
  /** Starts nothing more (every later request fails with `reason`); what is under way carries on. */
  stop(reason: unknown): void;
  /**
   * Aborts the multipart uploads still open (after a failure or an interruption); best effort.
   * With `resumeUploads`, a file's upload is kept for the next drop to continue, and only
   * streams' uploads (which cannot be resumed) are aborted. Returns the keys kept open.
   */
  abortOpenUploads(): Promise<string[]>;
}

const unquote = (eTag: string | undefined) => eTag?.replace(/"/g, '');
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/;

/**
 * Sends a part's or object's bytes with `x-amz-content-sha256: UNSIGNED-PAYLOAD` when they go
 * over HTTPS (or to this machine): S3 checks them against their CRC32 checksum, which is signed,
 * and TLS protects them on the way, so a SHA-256 of every byte (which the signer would compute
 * on the CLI's one thread) adds nothing. The SDK does the same for streamed bodies over HTTPS.
 * Over plain HTTP to another host the payload stays signed.
 */
function unsignedOverTls<T extends { middlewareStack: { addRelativeTo: (...args: never[]) => void } }>(
  command: T,
): T {
  const stack = command.middlewareStack as unknown as {
    addRelativeTo(
      middleware: (
        next: (args: { request: unknown }) => Promise<unknown>,
      ) => (args: { request: unknown }) => Promise<unknown>,
      options: { relation: 'before'; toMiddleware: string; name: string },
    ): void;
  };
  stack.addRelativeTo(
    (next) => async (args) => {
      const request = args.request as {
        protocol?: string;
        hostname?: string;
        headers?: Record<string, string>;
      };
      if (request.headers && (request.protocol === 'https:' || LOOPBACK.test(request.hostname ?? '')))
        request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'unsignedPayloadOverTls' },
  );
  return command;
}

/** Creates an uploader; see the module comment. */
export function createUploader(options: UploaderOptions): Uploader {
  const { s3, bucket, signal } = options;
  const slots = new UploadSlots(options.concurrency, signal);
  const openFile = options.openFile ?? ((path: string) => open(path, 'r'));
  /** Open multipart uploads by key, and whether a later drop may continue them (files, not streams). */
  const openUploads = new Map<string, { uploadId: string; resumable: boolean }>();
  const abortable = { abortSignal: signal };
  const payload = <T extends Parameters<typeof unsignedOverTls>[0]>(command: T) =>
    options.signPayload ? command : unsignedOverTls(command);

  /** Runs `task` with a slot; the slot is released when it settles. */
  const withSlot = async <T>(slot: Slot, task: (slot: Slot) => Promise<T>): Promise<T> => {
    try {
      return await task(slot);
    } finally {
      slots.release(slot);
    }
  };

  /** A multipart upload of `key`: a new one, or `resumed` (an open one found in the bucket). */
  const multipart = (key: string, resumable: boolean, resumed?: string) => {
    let created: Promise<string> | undefined = resumed === undefined ? undefined : Promise.resolve(resumed);
    if (resumed !== undefined) openUploads.set(key, { uploadId: resumed, resumable });
    const parts: CompletedPart[] = [];
    return {
      uploadId: () =>
        (created ??= s3
          .send(
            new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'CRC32' }),
            abortable,
          )
          .then(({ UploadId }) => {
            openUploads.set(key, { uploadId: UploadId ?? '', resumable });
            return UploadId ?? '';
          })),
      /** A part already in the open upload, completed as it is. */
      keep(part: ListedPart) {
        parts.push({
          PartNumber: part.partNumber,
          ETag: `"${part.eTag}"`,
          ...(part.checksumCRC32 && { ChecksumCRC32: part.checksumCRC32 }),
        });
        options.onResumed?.(key, part.partNumber, part.size);
      },
      async part(partNumber: number, body: Buffer) {
        const UploadId = await this.uploadId();
        const result = await s3.send(
          payload(
            new UploadPartCommand({
              Bucket: bucket,
              Key: key,
              UploadId,
              PartNumber: partNumber,
              Body: body,
              ContentLength: body.length,
              ChecksumAlgorithm: 'CRC32',
            }),
          ),
          abortable,
        );
        parts.push({
          PartNumber: partNumber,
          ETag: result.ETag,
          ...(result.ChecksumCRC32 && { ChecksumCRC32: result.ChecksumCRC32 }),
        });
        options.onSent?.(key, body.length);
      },
      async complete(): Promise<SentObject> {
        const UploadId = await this.uploadId();
        const result = await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            MultipartUpload: { Parts: [...parts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0)) },
          }),
          abortable,
        );
        openUploads.delete(key);
        return { key, eTag: unquote(result.ETag), versionId: result.VersionId };
      },
    };
  };

  const putObject = async (key: string, body: Buffer): Promise<SentObject> => {
    const result = await s3.send(
      payload(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length })),
      abortable,
    );
    options.onSent?.(key, body.length);
    return { key, eTag: unquote(result.ETag), versionId: result.VersionId };
  };

  /** Reads `length` bytes at `position` into `buffer`; a short file is a file that changed. */
  const readAt = async (
    handle: FileHandle,
    file: FileToSend,
    buffer: Buffer,
    length: number,
    position: number,
  ) => {
    let offset = 0;
    while (offset < length) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, offset, length - offset, position + offset));
      } catch (error) {
        throw new FileReadError(file.path, error);
      }
      if (bytesRead === 0) throw new FileChangedError(file.path);
      offset += bytesRead;
    }
    return buffer.subarray(0, length);
  };

  const assertUnchanged = async (handle: FileHandle, file: FileToSend) => {
    const now = await handle.stat();
    if (now.size !== file.size || now.mtimeMs !== file.mtimeMs) throw new FileChangedError(file.path);
  };

  const openForReading = async (file: FileToSend) => {
    try {
      return await openFile(file.path);
    } catch (error) {
      throw new FileReadError(file.path, error);
    }
  };

  async function sendSmallFile(file: FileToSend, scheduled: () => void): Promise<SentObject> {
    const slot = await slots.acquire();
    scheduled();
    return withSlot(slot, async () => {
      const handle = await openForReading(file);
      try {
        const body = await readAt(handle, file, slot.buffer(file.size), file.size, 0);
        await assertUnchanged(handle, file);
        return await putObject(file.key, body);
      } finally {
        await handle.close();
      }
    });
  }

  async function sendLargeFile(file: FileToSend, scheduled: () => void): Promise<SentObject> {
    const partSize = partSizeFor(file.size, options.partSize);
    const open = options.resumeUploads
      ? await findOpenUpload(s3, bucket, file.key, { size: file.size, partSize }, signal)
      : undefined;
    const upload = multipart(file.key, true, open?.uploadId);
    const handle = await openForReading(file);
    const sending: Promise<void>[] = [];
    let failed = false;
    try {
      for (let partNumber = 1; partNumber <= partCount(file.size, partSize) && !failed; partNumber++) {
        const slot = await slots.acquire();
        const position = (partNumber - 1) * partSize;
        const length = Math.min(partSize, file.size - position);
        const listed = open?.parts.get(partNumber);
        const part = withSlot(slot, async () => {
          const bytes = await readAt(handle, file, slot.buffer(length), length, position);
          // A part in place is read (to compare) but not sent; one that differs is sent again.
          if (listed && (await partHolds(listed, bytes))) upload.keep(listed);
          else await upload.part(partNumber, bytes);
        });
        // Awaited below; a failed part ends the file's loop (and is not left unhandled meanwhile).
        part.catch(() => {
          failed = true;
        });
        sending.push(part);
      }
      scheduled();
      await Promise.all(sending);
      await assertUnchanged(handle, file);
      return await upload.complete();
    } finally {
      await Promise.allSettled(sending);
      await handle.close();
    }
  }

  return {
    sendFile(file) {
      let markScheduled = () => {};
      const scheduled = new Promise<void>((resolve) => {
        markScheduled = resolve;
      });
      const done = (
        file.size <= options.partSize
          ? sendSmallFile(file, markScheduled)
          : sendLargeFile(file, markScheduled)
      ).finally(markScheduled);
      return { scheduled, done };
    },

    async sendStream(key, body) {
      const partSize = options.partSize;
      const reader = partReader(body);
      const upload = multipart(key, false);
      const sending: Promise<void>[] = [];
      try {
        for (let partNumber = 1; ; partNumber++) {
          const slot = await slots.acquire();
          const length = await reader.fill(slot.buffer(partSize), partSize);
          if (partNumber === 1 && length < partSize)
            return await withSlot(slot, () => putObject(key, slot.buffer(partSize).subarray(0, length)));
          if (length === 0) {
            slots.release(slot);
            break;
          }
          const part = withSlot(slot, () =>
            upload.part(partNumber, slot.buffer(partSize).subarray(0, length)),
          );
          part.catch(() => undefined);
          sending.push(part);
          if (length < partSize) break;
        }
        await Promise.all(sending);
        return await upload.complete();
      } finally {
        await Promise.allSettled(sending);
        body.destroy();
      }
    },

    stop(reason) {
      slots.close(reason);
    },

    async abortOpenUploads() {
      const open = [...openUploads];
      openUploads.clear();
      const kept = open.filter(([, upload]) => options.resumeUploads && upload.resumable);
      // Best effort: an abort that fails leaves the upload to the bucket's lifecycle rule on S3.
      await Promise.allSettled(
        open
          .filter((entry) => !kept.includes(entry))
          .map(([Key, { uploadId }]) =>
            s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId: uploadId })),
          ),
      );
      return kept.map(([key]) => key);
    },
  };
}

/** Reads a stream into caller-owned buffers, a part at a time, copying each byte once. */
function partReader(body: Readable) {
  const chunks = body[Symbol.asyncIterator]();
  let rest: Buffer | undefined;
  let ended = false;
  return {
    /** Fills `buffer` with up to `length` bytes; fewer only at the end of the stream. */
    async fill(buffer: Buffer, length: number): Promise<number> {
      let filled = 0;
      while (filled < length) {
        if (!rest || rest.length === 0) {
          if (ended) break;
          const next = await chunks.next();
          if (next.done) {
            ended = true;
            break;
          }
          rest = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
        }
        const take = Math.min(rest.length, length - filled);
        rest.copy(buffer, filled, 0, take);
        rest = rest.subarray(take);
        filled += take;
      }
      return filled;
    },
  };
}
