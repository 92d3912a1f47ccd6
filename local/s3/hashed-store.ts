/**
 * The local S3's store: objects are kept under file names derived from a hash of the key,
 * never from the key itself, so any key S3 allows names a file (a 300-byte segment, `..`,
 * `a/b` beside `a/b/`, a key that is also a "folder").
 *
 * Buckets are versioned, as the models bucket is on AWS: every write (put, copy, completed
 * multipart upload) makes a new version with an id of its own, and the versions it replaced stay
 * readable by id. A delete without a version id adds a delete marker; a delete with one removes
 * that version for good.
 *
 * Layout under `<root>/<bucket>/`:
 *   objects/<h0h1>/<h>.json        the key's record: its versions, newest (current) first, each
 *                                  with its id, size, md5, time, metadata and data file
 *   objects/<h0h1>/<h>.<id>.data   the bytes of one version (h = sha256 of the key's UTF-8)
 *   objects/<h0h1>/<h>.<id>.<n>.data  part n of a version a multipart upload made
 *   uploads/<uploadId>/            a multipart upload: upload.json, <n>.json and <n>.<id>.part
 *   completed/<uploadId>.json      what a completed upload answered, for a retried Complete (a day)
 *   outbox/<versionId>.json        a new version's object-created event, until it is delivered
 *   tmp/                           uploads in progress
 *
 * A completed multipart upload keeps its parts as its bytes: each part file is hard-linked into
 * `objects/` (nothing is copied, so a model of 140 GB needs 140 GB of disk, not twice that),
 * the record names them in order, and the upload's own folder goes last. A kill before the
 * record leaves the upload whole, so completing it again works. A copy links its source's
 * files the same way: data files are never written after they are placed.
 *
 * Every new version's event goes into `outbox/` before its record is renamed into place, and
 * leaves once the service has delivered it (./s3-service.ts): a kill between the two is
 * delivered at the next start, so no stored version goes unannounced. A kill after delivery
 * and before the entry leaves delivers it twice, which S3's at-least-once notifications allow.
 *
 * An upload is written to `tmp/` and becomes visible only when its record is renamed into place,
 * once every byte has arrived: an upload whose client goes away leaves no object, no partial
 * data and no open file. A kill at any moment leaves the previous record or the new one; files
 * a kill orphaned are removed when the bucket is next opened. The keys of each bucket are kept
 * in memory in S3's order (UTF-8 bytes), so listing is what S3 returns. A version deleted for
 * good while a GET still reads it keeps its files until that GET ends (readers are counted).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ObjectCreatedEvent, objectCreatedRecord, type S3ObjectEvent } from './notifications';
import {
  currentObject,
  type DataFile,
  dataFiles,
  findVersion,
  isDeleteMarker,
  type KeyRecord,
  keyRecordOf,
  listVersions,
  newVersionId,
  type ObjectVersion,
  type StoredVersion,
  type VersionListing,
  type VersionListOptions,
} from './object-versions';
import { noSuchKey, noSuchUpload, noSuchVersion, S3ApiError } from './s3-error';
import { checkKey } from './s3-target';

/** Bytes ready to become a version: its files in order, their total size and its md5 (ETag). */
interface Staged {
  files: { path: string; size: number }[];
  size: number;
  md5: string;
}

/** What a write stored: the new version. */
export interface Written {
  size: number;
  md5: string;
  versionId: string;
  modified: number;
}

/** What a delete did: the delete marker it added, or the version it removed for good. */
export interface Deleted {
  versionId: string;
  deleteMarker: boolean;
}

export interface BucketInfo {
  name: string;
  created: Date;
}

/** ListObjects' parameters: keys after `startAfter` (and after a common prefix it names). */
export interface ObjectListOptions {
  prefix?: string;
  delimiter?: string;
  startAfter?: string;
  maxKeys: number;
}

/**
 * A page of keys: objects and common prefixes, each counting as one row against `maxKeys`, as
 * S3 counts them; `last` is the last row returned (a key or a common prefix), where the next
 * page starts.
 */
export interface ObjectListing {
  objects: { key: string; version: ObjectVersion }[];
  commonPrefixes: string[];
  isTruncated: boolean;
  last?: string;
}

/**
 * A conditional write's test, run under the key's lock with its current version (undefined
 * when the key has none, or a delete marker): throws to refuse the write.
 */
export type WriteCheck = (current: ObjectVersion | undefined) => void;

/** An object's bytes as a read answers them. */
export interface ObjectRead {
  version: ObjectVersion;
  /** Bytes `start`..`end` (inclusive) of the version. */
  start: number;
  end: number;
  content: Readable;
}

/** One part of an open multipart upload. */
export interface UploadedPart {
  number: number;
  size: number;
  md5: string;
  modified: number;
}

/** An open multipart upload. */
export interface OpenUpload {
  uploadId: string;
  key: string;
  initiated: number;
  metadata: Record<string, string>;
}

/** What a completed multipart upload answered, kept for a retried Complete. */
interface CompletedUpload extends Written {
  key: string;
}

const UPLOAD_ID = /^[0-9a-f]{32}$/;
/** S3's smallest part, but for the last: 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** How long a completed upload's answer is kept for a retried Complete. */
const COMPLETED_KEPT_MS = 24 * 60 * 60 * 1000;

/** The local S3's store, keyed by hashes: see the file's comment. */
export class HashedStore {
  private readonly indexes = new Map<string, KeyIndex>();
  private readonly locks = new Map<string, Promise<void>>();
  /** Data files a GET is reading, and how many GETs; unlinked when the last one ends. */
  private readonly readers = new Map<string, { count: number; unlinkWhenDone: boolean }>();

  /** Opens the store: reads every bucket's keys, and removes what a kill left behind. */
  constructor(private readonly root: string) {
    if (!existsSync(root)) return;
    for (const bucket of readdirSync(root)) this.indexes.set(bucket, loadIndex(join(root, bucket)));
  }

  // ----- buckets -----

  reset(): void {
    if (!existsSync(this.root)) return;
    for (const name of readdirSync(this.root))
      rmSync(join(this.root, name), { recursive: true, force: true });
    this.indexes.clear();
  }

  async listBuckets(): Promise<BucketInfo[]> {
    if (!existsSync(this.root)) return [];
    const buckets = await Promise.all(readdirSync(this.root).map((name) => this.getBucket(name)));
    return buckets.filter((b): b is BucketInfo => b !== null).sort((a, b) => compareKeys(a.name, b.name));
  }

  async getBucket(name: string): Promise<BucketInfo | null> {
    try {
      const info = await stat(this.bucketDir(name));
      return info.isDirectory() ? { name, created: info.birthtime } : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async putBucket(name: string): Promise<void> {
    await mkdir(join(this.bucketDir(name), 'objects'), { recursive: true });
  }

  /** True when the bucket holds no key (no version, no delete marker). */
  isEmpty(bucket: string): boolean {
    return this.index(bucket).from('').next().done === true;
  }

  async deleteBucket(name: string): Promise<void> {
    await rm(this.bucketDir(name), { recursive: true, force: true });
    this.indexes.delete(name);
  }

  // ----- objects -----

  /** ListObjects: the keys whose current version is an object, in S3's order. */
  listObjects(bucket: string, options: ObjectListOptions): ObjectListing {
    const { delimiter = '', startAfter = '', prefix = '', maxKeys } = options;
    const listing: ObjectListing = { objects: [], commonPrefixes: [], isTruncated: false };
    if (maxKeys <= 0) return listing;
    let rows = 0;
    const start = compareKeys(startAfter, prefix) > 0 ? startAfter : prefix;
    for (const record of this.index(bucket).from(start)) {
      const { key } = record;
      if (startAfter !== '' && compareKeys(key, startAfter) <= 0) continue;
      // Keys with the prefix are contiguous in this order: the first without it ends them.
      if (!key.startsWith(prefix)) break;
      const current = currentObject(record);
      // A key whose current version is a delete marker reads as deleted.
      if (!current) continue;
      const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      const common = at === -1 ? undefined : key.slice(0, at + delimiter.length);
      // A common prefix already returned, here or on an earlier page (`startAfter` names it).
      if (common !== undefined && (common === listing.commonPrefixes.at(-1) || common === startAfter))
        continue;
      if (rows >= maxKeys) {
        listing.isTruncated = true;
        break;
      }
      rows += 1;
      if (common !== undefined) {
        listing.commonPrefixes.push(common);
        listing.last = common;
      } else {
        listing.objects.push({ key, version: current });
        listing.last = key;
      }
    }
    return listing;
  }

  /** ListObjectVersions: every version and delete marker, key by key, newest first. */
  listObjectVersions(bucket: string, options: VersionListOptions): VersionListing {
    const { prefix = '', keyMarker = '' } = options;
    const start = compareKeys(keyMarker, prefix) > 0 ? keyMarker : prefix;
    return listVersions(this.index(bucket).from(start), options, compareKeys);
  }

  /**
   * The version of `key` that `versionId` names (the current one when undefined): an object, a
   * delete marker, or undefined when there is none. What a GET or HEAD that finds no object
   * answers depends on which.
   */
  findVersion(bucket: string, key: string, versionId?: string): StoredVersion | undefined {
    return findVersion(this.index(bucket).get(key), versionId);
  }

  /**
   * Bytes `start`..`end` (inclusive, within the object) of a version, as a stream that holds
   * the version's files until it ends: a delete for good meanwhile waits for it. Undefined when
   * the version is gone or a delete marker.
   */
  async readObject(
    bucket: string,
    key: string,
    versionId: string | undefined,
    start: number,
    end: number,
  ): Promise<ObjectRead | undefined> {
    // A concurrent delete of a version may remove its data file between reading the record and
    // opening it; the record read again then names what is there now.
    for (let attempt = 0; ; attempt++) {
      const version = findVersion(this.index(bucket).get(key), versionId);
      if (!version || isDeleteMarker(version)) return undefined;
      const dir = this.objectDir(bucket, key);
      const files = dataFiles(version).map((file) => ({ path: join(dir, file.data), size: file.size }));
      const held = files.map((file) => file.path);
      for (const path of held) this.holdFile(path);
      try {
        const content = await openForReading(files, start, Math.min(end, version.size - 1));
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          for (const path of held) this.releaseFile(path);
        };
        content.once('close', release);
        content.once('end', release);
        content.once('error', release);
        return { version, start, end: Math.min(end, version.size - 1), content };
      } catch (error) {
        for (const path of held) this.releaseFile(path);
        if (!isMissing(error) || attempt >= 2) throw error;
      }
    }
  }

  /** Stores an object as the key's new current version; `check` may refuse it (a conditional write). */
  async putObject(
    bucket: string,
    key: string,
    content: Readable | Buffer,
    metadata: Record<string, string>,
    check?: WriteCheck,
    expectedMd5?: string,
  ): Promise<Written> {
    checkKey(key);
    const staged = await this.stage(bucket, content);
    let version: ObjectVersion;
    try {
      if (expectedMd5 !== undefined && expectedMd5 !== staged.md5) throw badDigest();
      version = await this.commit(bucket, key, staged, metadata, 'ObjectCreated:Put', 'move', check);
    } catch (error) {
      await unlink(stagedFile(staged)).catch(() => undefined);
      throw error;
    }
    return writtenOf(version);
  }

  /**
   * Copies a version of an object (the current one unless `sourceVersionId` names another) to a
   * new version of `targetKey`, sharing its files. Returns the new version and the source's id.
   */
  async copyObject(
    source: { bucket: string; key: string; versionId?: string },
    target: { bucket: string; key: string },
    replacementMetadata: Record<string, string> | undefined,
    check?: (source: ObjectVersion) => void,
  ): Promise<Written & { sourceVersionId: string }> {
    checkKey(target.key);
    const version = this.sourceVersion(source.bucket, source.key, source.versionId);
    check?.(version);
    const sourceDir = this.objectDir(source.bucket, source.key);
    // A version's files are never written again, so the copy shares them (hard links): no byte
    // is copied, and deleting either version leaves the other's bytes.
    const files = dataFiles(version).map((file) => ({ path: join(sourceDir, file.data), size: file.size }));
    let copy: ObjectVersion;
    try {
      copy = await this.commit(
        target.bucket,
        target.key,
        { files, size: version.size, md5: version.md5 },
        replacementMetadata ?? version.metadata,
        'ObjectCreated:Copy',
        'link',
      );
    } catch (error) {
      // The version was deleted for good before it was linked.
      if (isMissing(error)) throw noSuchSource(source.key, source.versionId);
      throw error;
    }
    return { ...writtenOf(copy), sourceVersionId: version.versionId };
  }

  /**
   * Without a version id: adds a delete marker as the key's current version (the versions
   * before it stay), whether or not the key exists, as S3 does in a versioned bucket. With one:
   * removes that version for good (nothing, if there is no such version); the key goes when its
   * last version does.
   */
  async deleteObject(bucket: string, key: string, versionId?: string): Promise<Deleted> {
    return this.locked(`${bucket}\n${key}`, async () => {
      const index = this.index(bucket);
      const record = index.get(key);
      const dir = this.objectDir(bucket, key);
      const hash = hashOf(key);
      if (versionId === undefined) {
        checkKey(key);
        const marker = { versionId: newVersionId(), modified: Date.now(), deleteMarker: true as const };
        await mkdir(dir, { recursive: true });
        const updated = { key, versions: [marker, ...(record?.versions ?? [])] };
        await writeAtomically(join(dir, `${hash}.json`), JSON.stringify(updated));
        index.set(updated);
        return { versionId: marker.versionId, deleteMarker: true };
      }
      const removed = record?.versions.find((v) => v.versionId === versionId);
      if (!record || !removed) return { versionId, deleteMarker: false };
      const versions = record.versions.filter((v) => v !== removed);
      const files = isDeleteMarker(removed) ? [] : dataFiles(removed).map((file) => join(dir, file.data));
      if (versions.length > 0) {
        const updated = { key, versions };
        await writeAtomically(join(dir, `${hash}.json`), JSON.stringify(updated));
        index.set(updated);
      } else {
        await unlink(join(dir, `${hash}.json`)).catch(ignoreMissing);
        index.delete(key);
      }
      await Promise.all(files.map((path) => this.unlinkWhenUnread(path)));
      return { versionId, deleteMarker: isDeleteMarker(removed) };
    });
  }

  // ----- multipart uploads -----

  async initiateUpload(bucket: string, key: string, metadata: Record<string, string>): Promise<string> {
    checkKey(key);
    const uploadId = newUploadId();
    const dir = this.uploadDir(bucket, uploadId);
    await mkdir(dir, { recursive: true });
    const upload: Omit<OpenUpload, 'uploadId'> = { key, metadata, initiated: Date.now() };
    await writeAtomically(join(dir, 'upload.json'), JSON.stringify(upload));
    return uploadId;
  }

  /** An open upload of `bucket`, or NoSuchUpload. */
  async upload(bucket: string, uploadId: string): Promise<OpenUpload> {
    const dir = await this.existingUpload(bucket, uploadId);
    const upload = await readJson<Omit<OpenUpload, 'uploadId'>>(join(dir, 'upload.json'));
    if (!upload) throw noSuchUpload(uploadId);
    return { uploadId, key: upload.key, metadata: upload.metadata ?? {}, initiated: upload.initiated ?? 0 };
  }

  async putPart(
    bucket: string,
    uploadId: string,
    number: number,
    content: Readable,
    expectedMd5?: string,
  ): Promise<UploadedPart> {
    const dir = await this.existingUpload(bucket, uploadId);
    const staged = await this.stage(bucket, content);
    if (expectedMd5 !== undefined && expectedMd5 !== staged.md5) {
      await unlink(stagedFile(staged)).catch(() => undefined);
      throw badDigest();
    }
    const modified = Date.now();
    await this.locked(`${dir}\n${number}`, async () => {
      const previous = await readJson<{ data: string }>(join(dir, `${number}.json`));
      const data = `${number}.${randomBytes(6).toString('hex')}.part`;
      try {
        await rename(stagedFile(staged), join(dir, data));
        await writeAtomically(
          join(dir, `${number}.json`),
          JSON.stringify({ data, size: staged.size, md5: staged.md5, modified }),
        );
      } catch (error) {
        await unlink(stagedFile(staged)).catch(() => undefined);
        // The upload was aborted while this part arrived.
        if (isMissing(error)) throw noSuchUpload(uploadId);
        throw error;
      }
      if (previous) await unlink(join(dir, previous.data)).catch(ignoreMissing);
    });
    return { number, size: staged.size, md5: staged.md5, modified };
  }

  /** ListParts: the upload's parts, in order of number. */
  async listParts(bucket: string, uploadId: string): Promise<UploadedPart[]> {
    const dir = await this.existingUpload(bucket, uploadId);
    const parts: UploadedPart[] = [];
    for (const name of await readdir(dir)) {
      const number = /^(\d+)\.json$/.exec(name)?.[1];
      if (number === undefined) continue;
      const part = await readJson<{ size: number; md5: string; modified?: number }>(join(dir, name));
      if (part)
        parts.push({ number: Number(number), size: part.size, md5: part.md5, modified: part.modified ?? 0 });
    }
    return parts.sort((a, b) => a.number - b.number);
  }

  /**
   * ListMultipartUploads: the bucket's open uploads, by key then by time initiated, which is
   * their ids' order (see {@link newUploadId}): S3 pages the uploads of one key by
   * `upload-id-marker`, comparing ids as text.
   */
  async listUploads(bucket: string): Promise<OpenUpload[]> {
    const dir = join(this.bucketDir(bucket), 'uploads');
    const uploads: OpenUpload[] = [];
    for (const uploadId of existsSync(dir) ? await readdir(dir) : []) {
      if (!UPLOAD_ID.test(uploadId)) continue;
      const upload = await readJson<Omit<OpenUpload, 'uploadId'>>(join(dir, uploadId, 'upload.json'));
      if (upload)
        uploads.push({
          uploadId,
          key: upload.key,
          metadata: upload.metadata ?? {},
          initiated: upload.initiated ?? 0,
        });
    }
    return uploads.sort(
      (a, b) => compareKeys(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0),
    );
  }

  /**
   * CompleteMultipartUpload, as S3 checks it: the parts listed in ascending order
   * (InvalidPartOrder), each uploaded with that ETag (InvalidPart), each but the last at least
   * 5 MiB (EntityTooSmall), the upload's own key (NoSuchUpload otherwise). A Complete retried
   * after the upload completed answers what the first did.
   */
  async completeUpload(
    bucket: string,
    uploadId: string,
    key: string,
    parts: { number: number; etag: string }[],
    check?: WriteCheck,
  ): Promise<Written & { fresh: boolean }> {
    const completed = await this.completedUpload(bucket, uploadId);
    if (completed) {
      if (completed.key !== key) throw noSuchUpload(uploadId);
      return { ...completed, fresh: false };
    }
    const upload = await this.upload(bucket, uploadId);
    if (upload.key !== key) throw noSuchUpload(uploadId);
    const dir = this.uploadDir(bucket, uploadId);
    for (const [i, part] of parts.entries()) {
      if (i > 0 && part.number <= (parts[i - 1] as { number: number }).number) {
        throw new S3ApiError(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
        );
      }
    }
    const files: { path: string; size: number }[] = [];
    // S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, then `-<part count>`.
    const etagOfParts = createHash('md5');
    for (const [i, part] of parts.entries()) {
      const stored = await readJson<{ data: string; size: number; md5: string }>(
        join(dir, `${part.number}.json`),
      );
      if (!stored || stored.md5 !== part.etag.replace(/"/g, '')) {
        throw new S3ApiError(
          'InvalidPart',
          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          { UploadId: uploadId, PartNumber: part.number, ETag: part.etag },
        );
      }
      if (i < parts.length - 1 && stored.size < MIN_PART_BYTES) {
        throw new S3ApiError(
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed object size.',
          {
            ProposedSize: stored.size,
            MinSizeAllowed: MIN_PART_BYTES,
            PartNumber: part.number,
            ETag: part.etag,
          },
        );
      }
      files.push({ path: join(dir, stored.data), size: stored.size });
      etagOfParts.update(Buffer.from(stored.md5, 'hex'));
    }
    const staged = {
      files,
      size: files.reduce((sum, file) => sum + file.size, 0),
      md5: `${etagOfParts.digest('hex')}-${files.length}`,
    };
    // Linked, not moved: until the record is in place the upload stays whole.
    const version = await this.commit(
      bucket,
      key,
      staged,
      upload.metadata,
      'ObjectCreated:CompleteMultipartUpload',
      'link',
      check,
    ).catch((error: unknown) => {
      // The upload was aborted while it was being completed.
      throw isMissing(error) ? noSuchUpload(uploadId) : error;
    });
    const written = writtenOf(version);
    const record: CompletedUpload = { key, ...written };
    const completedPath = this.completedPath(bucket, uploadId);
    await mkdir(join(completedPath, '..'), { recursive: true });
    await writeAtomically(completedPath, JSON.stringify(record));
    await rm(dir, { recursive: true, force: true });
    return { ...written, fresh: true };
  }

  /** AbortMultipartUpload: the upload and its parts go (NoSuchUpload when there is none). */
  async abortUpload(bucket: string, uploadId: string): Promise<void> {
    const dir = await this.existingUpload(bucket, uploadId);
    await rm(dir, { recursive: true, force: true });
  }

  // ----- helpers -----

  private bucketDir(bucket: string): string {
    return join(this.root, bucket);
  }

  private objectDir(bucket: string, key: string): string {
    return join(this.bucketDir(bucket), 'objects', hashOf(key).slice(0, 2));
  }

  private uploadDir(bucket: string, uploadId: string): string {
    return join(this.bucketDir(bucket), 'uploads', uploadId);
  }

  /** The object version a copy reads: NoSuchKey, NoSuchVersion or InvalidRequest when there is none. */
  private sourceVersion(bucket: string, key: string, versionId?: string): ObjectVersion {
    const version = findVersion(this.index(bucket).get(key), versionId);
    if (isDeleteMarker(version) && versionId !== undefined) {
      throw new S3ApiError(
        'InvalidRequest',
        'The source of a copy request may not specifically refer to a delete marker by version id.',
      );
    }
    if (!version || isDeleteMarker(version)) throw noSuchSource(key, versionId);
    return version;
  }

  private async existingUpload(bucket: string, uploadId: string): Promise<string> {
    if (!UPLOAD_ID.test(String(uploadId))) throw noSuchUpload(uploadId);
    const dir = this.uploadDir(bucket, uploadId);
    if (!existsSync(join(dir, 'upload.json'))) throw noSuchUpload(uploadId);
    return dir;
  }

  private completedPath(bucket: string, uploadId: string): string {
    return join(this.bucketDir(bucket), 'completed', `${uploadId}.json`);
  }

  /** What a completed upload answered, within a day of its completion. */
  private async completedUpload(bucket: string, uploadId: string): Promise<CompletedUpload | undefined> {
    if (!UPLOAD_ID.test(uploadId)) return undefined;
    const completed = await readJson<CompletedUpload>(this.completedPath(bucket, uploadId));
    return completed && Date.now() - completed.modified < COMPLETED_KEPT_MS ? completed : undefined;
  }

  private holdFile(path: string): void {
    const reader = this.readers.get(path);
    if (reader) reader.count += 1;
    else this.readers.set(path, { count: 1, unlinkWhenDone: false });
  }

  private releaseFile(path: string): void {
    const reader = this.readers.get(path);
    if (!reader) return;
    reader.count -= 1;
    if (reader.count > 0) return;
    this.readers.delete(path);
    if (reader.unlinkWhenDone) void unlink(path).catch(() => undefined);
  }

  /** Unlinks a data file now, or when the last GET reading it ends. */
  private async unlinkWhenUnread(path: string): Promise<void> {
    const reader = this.readers.get(path);
    if (reader) reader.unlinkWhenDone = true;
    else await unlink(path).catch(ignoreMissing);
  }

  private async tempFile(bucket: string): Promise<string> {
    const dir = join(this.bucketDir(bucket), 'tmp');
    await mkdir(dir, { recursive: true });
    return join(dir, randomBytes(12).toString('hex'));
  }

  /**
   * Writes a body to a temporary file of the bucket, counting and hashing it on the way. On any
   * failure of either side (a client that went away, a full disk) the file is removed and the
   * failure passed on.
   */
  private async stage(bucket: string, content: Readable | Buffer): Promise<Staged> {
    // Until the pipeline below takes over, an error of the body (a browser upload's form part
    // cut short) would have no listener and end the process; the pipeline still sees it.
    if (!Buffer.isBuffer(content)) content.on('error', () => undefined);
    const file = await this.tempFile(bucket);
    const md5 = createHash('md5');
    let size = 0;
    try {
      if (Buffer.isBuffer(content)) {
        md5.update(content);
        size = content.length;
        await writeFile(file, content);
      } else {
        const hashing = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            md5.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        });
        await pipeline(content, hashing, createWriteStream(file));
      }
    } catch (error) {
      await unlink(file).catch(() => undefined);
      throw error;
    }
    return { files: [{ path: file, size }], size, md5: md5.digest('hex') };
  }

  /**
   * Makes staged files the new current version of `key`, with an id of its own; the versions
   * before it stay. The files are moved into place (staged in `tmp/`, removed on failure) or
   * hard-linked (an upload's parts, which stay the upload's until it is removed). The
   * record's rename is the moment the version appears.
   */
  private commit(
    bucket: string,
    key: string,
    staged: Staged,
    metadata: Record<string, string>,
    event: ObjectCreatedEvent,
    how: 'move' | 'link' = 'move',
    check?: WriteCheck,
  ): Promise<ObjectVersion> {
    return this.locked(`${bucket}\n${key}`, async () => {
      check?.(currentObject(this.index(bucket).get(key)));
      const dir = this.objectDir(bucket, key);
      const hash = hashOf(key);
      const name = `${hash}.${randomBytes(6).toString('hex')}`;
      const files: DataFile[] = staged.files.map((file, i) => ({
        data: staged.files.length === 1 ? `${name}.data` : `${name}.${i + 1}.data`,
        size: file.size,
      }));
      const placed: string[] = [];
      const undo = async () => {
        await Promise.all(placed.map((path) => unlink(path).catch(() => undefined)));
        if (how === 'move') {
          await Promise.all(staged.files.map((file) => unlink(file.path).catch(() => undefined)));
        }
      };
      const version: ObjectVersion = {
        versionId: newVersionId(),
        size: staged.size,
        md5: staged.md5,
        modified: Date.now(),
        metadata,
        data: files[0]?.data ?? `${name}.data`,
        ...(files.length > 1 ? { parts: files } : {}),
      };
      const index = this.index(bucket);
      const record: KeyRecord = { key, versions: [version, ...(index.get(key)?.versions ?? [])] };
      const outbox = this.outboxEntry(bucket, version.versionId);
      try {
        await mkdir(join(outbox, '..'), { recursive: true });
        await writeAtomically(outbox, JSON.stringify({ key, versionId: version.versionId, event }));
        placed.push(outbox);
        await mkdir(dir, { recursive: true });
        for (const [i, file] of files.entries()) {
          const to = join(dir, file.data);
          const from = (staged.files[i] as { path: string }).path;
          await (how === 'move' ? rename(from, to) : link(from, to));
          placed.push(to);
        }
        await writeAtomically(join(dir, `${hash}.json`), JSON.stringify(record));
      } catch (error) {
        await undo();
        throw error;
      }
      index.set(record);
      return version;
    });
  }

  /**
   * The object-created events of versions whose delivery a kill interrupted, oldest first;
   * entries of versions that were never stored (a kill before their record) are removed.
   * Called once, when the service starts.
   */
  pendingEvents(): S3ObjectEvent[] {
    const pending: { modified: number; record: S3ObjectEvent }[] = [];
    for (const bucket of this.indexes.keys()) {
      const dir = join(this.bucketDir(bucket), 'outbox');
      for (const name of existsSync(dir) ? readdirSync(dir) : []) {
        const path = join(dir, name);
        let entry: { key: string; versionId: string; event: ObjectCreatedEvent } | undefined;
        try {
          entry = name.endsWith('.json') ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
        } catch {
          // Written by rename, so whole or absent; anything else is not an entry.
        }
        const version = entry && findVersion(this.index(bucket).get(entry.key), entry.versionId);
        if (!entry || !version || isDeleteMarker(version)) {
          rmSync(path, { force: true });
          continue;
        }
        pending.push({
          modified: version.modified,
          record: objectCreatedRecord(
            bucket,
            entry.event,
            { key: entry.key, size: version.size, md5: version.md5, versionId: version.versionId },
            new Date(version.modified),
          ),
        });
      }
    }
    return pending.sort((a, b) => a.modified - b.modified).map((p) => p.record);
  }

  /** A version's event was delivered: its outbox entry goes. */
  eventDelivered(bucket: string, versionId: string): void {
    rmSync(this.outboxEntry(bucket, versionId), { force: true });
  }

  private outboxEntry(bucket: string, versionId: string): string {
    return join(this.bucketDir(bucket), 'outbox', `${versionId}.json`);
  }

  /** Runs `task` after every earlier task with the same lock name. */
  private locked<T>(name: string, task: () => Promise<T>): Promise<T> {
    const result = (this.locks.get(name) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(name, tail);
    void tail.then(() => {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    });
    return result;
  }

  /** The bucket's keys (empty for a bucket created since the store was opened). */
  private index(bucket: string): KeyIndex {
    let index = this.indexes.get(bucket);
    if (!index) {
      index = new KeyIndex();
      this.indexes.set(bucket, index);
    }
    return index;
  }
}

/**
 * A bucket's keys, read from its records. Only when the store opens: the files it removes
 * (uploads in progress, data no record names) are then what a kill left behind.
 */
function loadIndex(dir: string): KeyIndex {
  const index = new KeyIndex();
  rmSync(join(dir, 'tmp'), { recursive: true, force: true });
  const completed = join(dir, 'completed');
  for (const name of existsSync(completed) ? readdirSync(completed) : []) {
    const path = join(completed, name);
    if (Date.now() - statSync(path).mtimeMs >= COMPLETED_KEPT_MS) rmSync(path, { force: true });
  }
  const objects = join(dir, 'objects');
  for (const shard of existsSync(objects) ? readdirSync(objects) : []) {
    const files = readdirSync(join(objects, shard));
    const referenced = new Set<string>();
    for (const file of files.filter((f) => f.endsWith('.json'))) {
      try {
        const record = keyRecordOf(JSON.parse(readFileSync(join(objects, shard, file), 'utf8')));
        if (!record) continue;
        index.set(record);
        for (const version of record.versions) {
          if (!isDeleteMarker(version)) for (const file of dataFiles(version)) referenced.add(file.data);
        }
      } catch {
        // A record is replaced by rename, never written in place: it is whole or absent.
      }
    }
    for (const file of files) {
      const orphan = (file.endsWith('.data') && !referenced.has(file)) || file.endsWith('.tmp');
      if (orphan) rmSync(join(objects, shard, file), { force: true });
    }
  }
  return index;
}

/** A bucket's records, ordered as S3 lists keys: by their UTF-8 bytes. */
class KeyIndex {
  private readonly keys: string[] = [];
  private readonly records = new Map<string, KeyRecord>();

  get(key: string): KeyRecord | undefined {
    return this.records.get(key);
  }

  set(record: KeyRecord): void {
    if (!this.records.has(record.key)) this.keys.splice(this.lowerBound(record.key), 0, record.key);
    this.records.set(record.key, record);
  }

  delete(key: string): void {
    if (!this.records.delete(key)) return;
    this.keys.splice(this.lowerBound(key), 1);
  }

  /** The records from the first key at or after `start`, in order. */
  *from(start: string): Generator<KeyRecord> {
    for (let i = this.lowerBound(start); i < this.keys.length; i++) {
      const record = this.records.get(this.keys[i] as string);
      if (record) yield record;
    }
  }

  private lowerBound(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareKeys(this.keys[mid] as string, key) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** S3's order of keys: their UTF-8 bytes (which is code point order, not JavaScript's UTF-16). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

let uploadsStarted = 0;

/**
 * A new upload id: 32 hex digits that sort as the uploads began (the time in ms, a count, then
 * random bytes), so paging by id (`upload-id-marker`) and by time agree.
 */
function newUploadId(): string {
  uploadsStarted = (uploadsStarted + 1) % 0x10000;
  const time = Date.now().toString(16).padStart(12, '0').slice(-12);
  return `${time}${uploadsStarted.toString(16).padStart(4, '0')}${randomBytes(8).toString('hex')}`;
}

function hashOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function noSuchSource(key: string, versionId: string | undefined): S3ApiError {
  return versionId === undefined ? noSuchKey(key) : noSuchVersion(key, versionId);
}

export function badDigest(): S3ApiError {
  return new S3ApiError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
}

function writtenOf(version: ObjectVersion): Written {
  return { size: version.size, md5: version.md5, versionId: version.versionId, modified: version.modified };
}

/**
 * A read stream of bytes `start`..`end` (inclusive) of the files one after another, once the
 * first it reads is open; the others open as the stream reaches them.
 */
async function openForReading(
  files: { path: string; size: number }[],
  start: number,
  end: number,
): Promise<Readable> {
  const slices: { path: string; start: number; end: number }[] = [];
  let offset = 0;
  for (const file of files) {
    const first = Math.max(start, offset);
    const last = Math.min(end, offset + file.size - 1);
    if (first <= last) slices.push({ path: file.path, start: first - offset, end: last - offset });
    offset += file.size;
  }
  const [head, ...rest] = slices;
  // No byte to read (an empty object): the first file, opened, still says it is there.
  if (!head) return openFile(files[0]?.path ?? '', 0, 0);
  const opened = await openFile(head.path, head.start, head.end);
  if (rest.length === 0) return opened;
  async function* inOrder() {
    yield* opened;
    for (const slice of rest) yield* createReadStream(slice.path, { start: slice.start, end: slice.end });
  }
  return Readable.from(inOrder(), { objectMode: false });
}

/** A read stream of bytes `start`..`end` of a file, once it is open. */
function openFile(path: string, start: number, end: number): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path, { start, end });
    stream.once('error', reject);
    stream.once('open', () => {
      stream.off('error', reject);
      resolve(stream);
    });
  });
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

function ignoreMissing(error: unknown): void {
  if (!isMissing(error)) throw error;
}

/** The one file a single body was staged to. */
function stagedFile(staged: Staged): string {
  return (staged.files[0] as { path: string }).path;
}
