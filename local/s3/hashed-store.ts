/**
 * s3rver's store, replaced: objects are kept under file names derived from a hash of the key,
 * never from the key itself. s3rver's own store maps a key's segments to folders and files, so
 * a key S3 allows could name no file (a 300-byte segment: ENAMETOOLONG, which killed the stack),
 * escape the bucket's folder (`..`), collide with another (`a/b` and `a/b/` share a folder), or
 * be a folder and an object at once.
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
 *   outbox/<versionId>.json        a new version's object-created event, until it is delivered
 *   config/<type>.xml              bucket subresources (cors, website)
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
 * in memory in S3's order (UTF-8 bytes), so listing is what S3 returns.
 *
 * Implements the interface s3rver's controllers call (s3rver 3.7's FilesystemStore), with
 * version ids added where its handlers are replaced (./versioned-handlers.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3Bucket from 's3rver/lib/models/bucket.js';
import { getConfigModel, type S3Config } from 's3rver/lib/models/config.js';
import S3Error from 's3rver/lib/models/error.js';
import S3Object from 's3rver/lib/models/object.js';
import { type ObjectCreatedEvent, objectCreatedRecord, type S3rverRecord } from './notifications';
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
import { KEY_MAX_BYTES } from './request-target';

/** Bytes ready to become a version: its files in order, their total size and its md5 (ETag). */
interface Staged {
  files: { path: string; size: number }[];
  size: number;
  md5: string;
}

/** What a write stored: the new version's size, md5 and id. */
export interface Written {
  size: number;
  md5: string;
  versionId: string;
}

/** What a delete did: the delete marker it added, or the version it removed for good. */
export interface Deleted {
  versionId: string;
  deleteMarker: boolean;
}

interface ListOptions {
  delimiter?: string;
  startAfter?: string;
  prefix?: string;
  maxKeys?: number;
}

const UPLOAD_ID = /^[0-9a-f]{32}$/;
const PART_NUMBER = /^\d{1,5}$/;
const MAX_PART_NUMBER = 10_000;
/** Subresources a key may have, removed with its object. */
const OBJECT_SUBRESOURCES = ['tagging'];

/** s3rver's store, keyed by hashes: see the file's comment. */
export class HashedStore {
  private readonly indexes = new Map<string, KeyIndex>();
  private readonly locks = new Map<string, Promise<void>>();

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

  async listBuckets(): Promise<S3Bucket[]> {
    if (!existsSync(this.root)) return [];
    const buckets = await Promise.all(readdirSync(this.root).map((name) => this.getBucket(name)));
    return buckets.filter((b): b is S3Bucket => b !== null);
  }

  async getBucket(name: string): Promise<S3Bucket | null> {
    try {
      const info = await stat(this.bucketDir(name));
      return info.isDirectory() ? new S3Bucket(name, info.birthtime) : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async putBucket(name: string): Promise<S3Bucket | null> {
    await mkdir(join(this.bucketDir(name), 'objects'), { recursive: true });
    return this.getBucket(name);
  }

  async deleteBucket(name: string): Promise<void> {
    await rm(this.bucketDir(name), { recursive: true, force: true });
    this.indexes.delete(name);
  }

  // ----- objects -----

  async listObjects(bucket: string, options: ListOptions) {
    const { delimiter = '', startAfter = '', prefix = '', maxKeys = Number.POSITIVE_INFINITY } = options;
    const objects: S3Object[] = [];
    const commonPrefixes = new Set<string>();
    let isTruncated = false;
    const start = compareKeys(startAfter, prefix) > 0 ? startAfter : prefix;
    for (const record of this.index(bucket).from(start)) {
      if (startAfter !== '' && record.key === startAfter) continue;
      // Keys with the prefix are contiguous in this order: the first without it ends them.
      if (!record.key.startsWith(prefix)) break;
      const current = currentObject(record);
      // A key whose current version is a delete marker reads as deleted.
      if (!current) continue;
      if (delimiter) {
        const at = record.key.indexOf(delimiter, prefix.length);
        if (at !== -1) {
          commonPrefixes.add(record.key.slice(0, at + delimiter.length));
          continue;
        }
      }
      if (objects.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      objects.push(new S3Object(bucket, record.key, null, metadataOf(current)));
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(compareKeys), isTruncated };
  }

  /** ListObjectVersions: every version and delete marker, key by key, newest first. */
  listObjectVersions(bucket: string, options: VersionListOptions): VersionListing {
    const { prefix = '', keyMarker = '' } = options;
    const start = compareKeys(keyMarker, prefix) > 0 ? keyMarker : prefix;
    return listVersions(this.index(bucket).from(start), options, compareKeys);
  }

  /** True when the key's current version is an object (not a delete marker). */
  async existsObject(bucket: string, key: unknown): Promise<boolean> {
    return currentObject(this.index(bucket).get(String(key))) !== undefined;
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
   * An object's bytes (`start`..`end` when ranged) and metadata, its version id included: the
   * current version, or the one `versionId` names. Null when that is a delete marker or absent.
   */
  async getObject(
    bucket: string,
    key: string,
    options?: { start?: number; end?: number; suffix?: number; versionId?: string },
  ): Promise<S3Object | null> {
    // A concurrent delete of a version may remove its data file between reading the record and
    // opening it; the record read again then names what is there now.
    for (let attempt = 0; ; attempt++) {
      const version = findVersion(this.index(bucket).get(key), options?.versionId);
      if (!version || isDeleteMarker(version)) return null;
      const lastByte = Math.max(0, version.size - 1);
      const suffix = options?.suffix;
      let ranged =
        options !== undefined &&
        (options.start !== undefined || options.end !== undefined || suffix !== undefined);
      let start = suffix !== undefined ? Math.max(0, version.size - suffix) : (options?.start ?? 0);
      let end =
        suffix !== undefined ? lastByte : Math.min(options?.end ?? Number.POSITIVE_INFINITY, lastByte);
      // The last 0 bytes: none to answer (an empty object has no last byte to start from either).
      if (suffix === 0) start = version.size;
      if (ranged && !(Number.isSafeInteger(start) && (Number.isSafeInteger(end) || end === lastByte))) {
        // S3 ignores a Range it cannot parse.
        ranged = false;
        start = 0;
        end = lastByte;
      }
      // Satisfiable only from a first byte inside the object (RFC 9110): none is, in an empty one.
      if (ranged && (start < 0 || start >= version.size || end < start)) {
        const object = s3ObjectOf(bucket, key, null, version);
        object.range = { start, end };
        return object;
      }
      try {
        const dir = this.objectDir(bucket, key);
        const files = dataFiles(version).map((file) => ({ path: join(dir, file.data), size: file.size }));
        const content = await openForReading(files, start, end);
        const object = s3ObjectOf(bucket, key, content, version);
        if (ranged) object.range = { start, end };
        return object;
      } catch (error) {
        if (!isMissing(error) || attempt >= 2) throw error;
      }
    }
  }

  /** Stores an object as the key's new current version. */
  async putObject(object: S3Object): Promise<Written> {
    checkKey(object.key);
    const staged = await this.stage(object.bucket, object.content);
    const version = await this.commit(
      object.bucket,
      object.key,
      staged,
      storedMetadata(object.metadata),
      'ObjectCreated:Put',
    );
    return { size: staged.size, md5: staged.md5, versionId: version.versionId };
  }

  /**
   * Copies a version of an object (the current one unless `srcVersionId` names another) to a
   * new version of `destKey`. Returns the new version's metadata, its id and the source's.
   */
  async copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    replacementMetadata: Record<string, string> | null,
    srcVersionId?: string,
  ): Promise<{ metadata: Record<string, string | number>; versionId: string; sourceVersionId: string }> {
    checkKey(destKey);
    const source = this.sourceVersion(srcBucket, srcKey, srcVersionId);
    const sourceDir = this.objectDir(srcBucket, srcKey);
    const metadata = replacementMetadata
      ? storedMetadata(new S3Object(destBucket, destKey, null, replacementMetadata).metadata)
      : source.metadata;
    // A version's files are never written again, so the copy shares them (hard links): no byte
    // is copied, and deleting either version leaves the other's bytes.
    const files = dataFiles(source).map((file) => ({ path: join(sourceDir, file.data), size: file.size }));
    let version: ObjectVersion;
    try {
      version = await this.commit(
        destBucket,
        destKey,
        { files, size: source.size, md5: source.md5 },
        metadata,
        'ObjectCreated:Copy',
        'link',
      );
    } catch (error) {
      // The version was deleted for good before it was linked.
      if (isMissing(error)) throw noSuchSource(srcKey, srcVersionId);
      throw error;
    }
    return { metadata: metadataOf(version), versionId: version.versionId, sourceVersionId: source.versionId };
  }

  /**
   * Without a version id: adds a delete marker as the key's current version (the versions
   * before it stay), whether or not the key exists, as S3 does in a versioned bucket. With one:
   * removes that version for good (nothing, if there is no such version); the key goes when its
   * last version does.
   */
  async deleteObject(bucket: string, key: unknown, versionId?: string): Promise<Deleted> {
    const name = String(key);
    return this.locked(`${bucket}\n${name}`, async () => {
      const index = this.index(bucket);
      const record = index.get(name);
      const dir = this.objectDir(bucket, name);
      const hash = hashOf(name);
      if (versionId === undefined) {
        checkKey(name);
        const marker = { versionId: newVersionId(), modified: Date.now(), deleteMarker: true as const };
        await mkdir(dir, { recursive: true });
        const updated = { key: name, versions: [marker, ...(record?.versions ?? [])] };
        await writeAtomically(join(dir, `${hash}.json`), JSON.stringify(updated));
        index.set(updated);
        return { versionId: marker.versionId, deleteMarker: true };
      }
      const removed = record?.versions.find((v) => v.versionId === versionId);
      if (!record || !removed) return { versionId, deleteMarker: false };
      const versions = record.versions.filter((v) => v !== removed);
      const files = isDeleteMarker(removed) ? [] : dataFiles(removed).map((file) => file.data);
      if (versions.length > 0) {
        const updated = { key: name, versions };
        await writeAtomically(join(dir, `${hash}.json`), JSON.stringify(updated));
        index.set(updated);
      } else {
        await unlink(join(dir, `${hash}.json`)).catch(ignoreMissing);
        index.delete(name);
        files.push(...OBJECT_SUBRESOURCES.map((type) => `${hash}.${type}.xml`));
      }
      await Promise.all(files.map((file) => unlink(join(dir, file)).catch(ignoreMissing)));
      return { versionId, deleteMarker: isDeleteMarker(removed) };
    });
  }

  // ----- multipart uploads -----

  async initiateUpload(
    bucket: string,
    key: string,
    uploadId: string,
    headers: Record<string, string>,
  ): Promise<void> {
    checkKey(key);
    const dir = this.uploadDir(bucket, uploadId);
    await mkdir(dir, { recursive: true });
    const metadata = storedMetadata(new S3Object(bucket, key, null, headers).metadata);
    await writeAtomically(join(dir, 'upload.json'), JSON.stringify({ key, metadata }));
  }

  async putPart(
    bucket: string,
    uploadId: string,
    partNumber: string,
    content: Readable,
  ): Promise<{ size: number; md5: string }> {
    const dir = await this.existingUpload(bucket, uploadId);
    const number = partNumberOf(partNumber);
    const staged = await this.stage(bucket, content);
    await this.locked(`${dir}\n${number}`, async () => {
      const previous = await readJson<{ data: string }>(join(dir, `${number}.json`));
      const data = `${number}.${randomBytes(6).toString('hex')}.part`;
      try {
        await rename(stagedFile(staged), join(dir, data));
        await writeAtomically(
          join(dir, `${number}.json`),
          JSON.stringify({ data, size: staged.size, md5: staged.md5 }),
        );
      } catch (error) {
        await unlink(stagedFile(staged)).catch(() => undefined);
        // The upload was aborted while this part arrived.
        if (isMissing(error)) throw noSuchUpload(uploadId);
        throw error;
      }
      if (previous) await unlink(join(dir, previous.data)).catch(ignoreMissing);
    });
    return { size: staged.size, md5: staged.md5 };
  }

  async putObjectMultipart(
    bucket: string,
    uploadId: string,
    parts: { number: number; etag: string }[],
  ): Promise<Written> {
    const dir = await this.existingUpload(bucket, uploadId);
    const upload = await readJson<{ key: string; metadata: Record<string, string> }>(
      join(dir, 'upload.json'),
    );
    if (!upload) throw noSuchUpload(uploadId);
    const files: { path: string; size: number }[] = [];
    // S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, then `-<part count>`.
    const etagOfParts = createHash('md5');
    for (const part of [...parts].sort((a, b) => a.number - b.number)) {
      const stored = Number.isInteger(part.number)
        ? await readJson<{ data: string; size: number; md5: string }>(join(dir, `${part.number}.json`))
        : undefined;
      if (!stored || stored.md5 !== String(part.etag).replace(/"/g, '')) {
        throw new S3Error(
          'InvalidPart',
          'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\u2019s entity tag.',
          { PartNumber: String(part.number), ETag: String(part.etag) },
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
      upload.key,
      staged,
      upload.metadata,
      'ObjectCreated:CompleteMultipartUpload',
      'link',
    ).catch((error: unknown) => {
      // The upload was aborted while it was being completed.
      throw isMissing(error) ? noSuchUpload(uploadId) : error;
    });
    await rm(dir, { recursive: true, force: true });
    return { size: staged.size, md5: staged.md5, versionId: version.versionId };
  }

  /** AbortMultipartUpload: the upload and its parts go (NoSuchUpload when there is none). */
  async abortUpload(bucket: string, uploadId: string): Promise<void> {
    const dir = await this.existingUpload(bucket, uploadId);
    await rm(dir, { recursive: true, force: true });
  }

  // ----- subresources -----

  async getSubresource(bucket: string, key: string | undefined, type: string): Promise<S3Config | null> {
    const Model = getConfigModel(type);
    try {
      return new Model((await readFile(this.subresourcePath(bucket, key, type))).toString());
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async putSubresource(bucket: string, key: string | undefined, resource: S3Config): Promise<void> {
    const path = this.subresourcePath(bucket, key, resource.type);
    await mkdir(join(path, '..'), { recursive: true });
    await writeAtomically(path, resource.toXML(2));
  }

  async deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void> {
    await unlink(this.subresourcePath(bucket, key, type)).catch(ignoreMissing);
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

  private subresourcePath(bucket: string, key: string | undefined, type: string): string {
    if (!/^[a-z]+$/.test(type)) throw new Error(`unknown subresource type ${type}`);
    return key === undefined
      ? join(this.bucketDir(bucket), 'config', `${type}.xml`)
      : join(this.objectDir(bucket, key), `${hashOf(key)}.${type}.xml`);
  }

  /** The object version a copy reads: NoSuchKey, NoSuchVersion or InvalidRequest when there is none. */
  private sourceVersion(bucket: string, key: string, versionId?: string): ObjectVersion {
    const version = findVersion(this.index(bucket).get(key), versionId);
    if (isDeleteMarker(version) && versionId !== undefined) {
      throw new S3Error(
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
  private async stage(bucket: string, content: NodeJS.ReadableStream | Buffer | null): Promise<Staged> {
    // Until the pipeline below takes over, an error of the body (a browser upload's form part
    // cut short) would have no listener and end the process; the pipeline still sees it.
    if (content && !Buffer.isBuffer(content)) content.on('error', () => undefined);
    const file = await this.tempFile(bucket);
    const md5 = createHash('md5');
    let size = 0;
    try {
      if (Buffer.isBuffer(content) || content === null) {
        const body = content ?? Buffer.alloc(0);
        md5.update(body);
        size = body.length;
        await writeFile(file, body);
      } else {
        const hashing = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            md5.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        });
        await pipeline(content as Readable, hashing, createWriteStream(file));
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
  ): Promise<ObjectVersion> {
    return this.locked(`${bucket}\n${key}`, async () => {
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
  pendingEvents(): S3rverRecord[] {
    const pending: { modified: number; record: S3rverRecord }[] = [];
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

function hashOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A key S3 refuses: over 1,024 bytes (the proxy checks paths; this covers keys from bodies). */
function checkKey(key: string): void {
  if (typeof key !== 'string' || key === '')
    throw new S3Error('InvalidArgument', 'User key must have a length greater than 0.');
  const size = Buffer.byteLength(key);
  if (size > KEY_MAX_BYTES)
    throw new S3Error('KeyTooLongError', 'Your key is too long', {
      Size: size,
      MaxSizeAllowed: KEY_MAX_BYTES,
    });
}

function partNumberOf(value: string): number {
  const number = PART_NUMBER.test(String(value)) ? Number(value) : Number.NaN;
  if (!(number >= 1 && number <= MAX_PART_NUMBER)) {
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      ArgumentName: 'partNumber',
      ArgumentValue: String(value),
    });
  }
  return number;
}

function noSuchSource(key: string, versionId: string | undefined): S3Error {
  return versionId === undefined
    ? new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key })
    : new S3Error('NoSuchVersion', 'The specified version does not exist.', {
        Key: key,
        VersionId: versionId,
      });
}

function noSuchUpload(uploadId: string): S3Error {
  return new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: String(uploadId) },
  );
}

/** The metadata an object keeps: what S3Object accepted, less what is derived from the bytes. */
function storedMetadata(metadata: Record<string, string>): Record<string, string> {
  const { etag: _etag, 'last-modified': _modified, 'content-length': _length, ...kept } = metadata;
  return kept;
}

/** An object version's metadata as s3rver's controllers read it. */
function metadataOf(version: ObjectVersion): Record<string, string | number> {
  return {
    ...version.metadata,
    etag: JSON.stringify(version.md5),
    'last-modified': new Date(version.modified).toUTCString(),
    'content-length': version.size,
  };
}

/**
 * An object version as a GET answers it: its metadata, each entry answered as a header, with
 * `x-amz-version-id` added (S3Object keeps only the metadata it knows, so it is set after).
 */
function s3ObjectOf(bucket: string, key: string, content: Readable | null, version: ObjectVersion): S3Object {
  const object = new S3Object(bucket, key, content, metadataOf(version));
  object.metadata['x-amz-version-id'] = version.versionId;
  return object;
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
