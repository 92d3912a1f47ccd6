/**
 * The versions of a key in the local S3 store (./hashed-store.ts), as a versioning-enabled S3
 * bucket keeps them: every write adds a version with an id of its own, the newest is the
 * current one, and a delete without a version id adds a delete marker, a version with no bytes
 * that makes the key read as deleted. Plain data and pure functions; the store does the files.
 */
import { randomBytes } from 'node:crypto';
import { invalidArgument } from './s3-error';

/** One stored version of an object; its bytes are in `data`. */
export interface ObjectVersion {
  versionId: string;
  size: number;
  md5: string;
  /** Last modified, epoch ms. */
  modified: number;
  metadata: Record<string, string>;
  /** The data file's name, in the record's folder (a multipart version's first part). */
  data: string;
  /**
   * A completed multipart upload's bytes: its part files in order, in the record's folder, kept
   * as they were uploaded so that completing an upload copies nothing. Absent for one file.
   */
  parts?: DataFile[];
}

/** A file of a version's bytes and how many bytes it holds. */
export interface DataFile {
  data: string;
  size: number;
}

/** The files a version's bytes are in, in order. */
export function dataFiles(version: ObjectVersion): DataFile[] {
  return version.parts ?? [{ data: version.data, size: version.size }];
}

const isDataFile = (file: unknown): file is DataFile =>
  typeof (file as DataFile)?.data === 'string' && Number.isSafeInteger((file as DataFile).size);

/** A delete marker: the version a delete without a version id adds. */
export interface DeleteMarker {
  versionId: string;
  /** When it was added, epoch ms. */
  modified: number;
  deleteMarker: true;
}

export type StoredVersion = ObjectVersion | DeleteMarker;

/** What is kept of a key: its versions, newest (the current one) first. Never empty. */
export interface KeyRecord {
  key: string;
  versions: StoredVersion[];
}

/**
 * The version id S3 gives objects stored while a bucket was not versioned. Records written by
 * the stack before it kept versions (one object, no id) read as that version.
 */
export const NULL_VERSION_ID = 'null';

/**
 * A new version id: 32 URL-safe characters from 24 random bytes, as long as S3's and as
 * opaque. Unique per write, which is all S3 promises of them; nothing may read an order into it.
 */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

export function isDeleteMarker(version: StoredVersion | undefined): version is DeleteMarker {
  return (version as DeleteMarker | undefined)?.deleteMarker === true;
}

/** The key's current version, when it is an object (not a delete marker). */
export function currentObject(record: KeyRecord | undefined): ObjectVersion | undefined {
  const current = record?.versions[0];
  return current && !isDeleteMarker(current) ? current : undefined;
}

/** The version `versionId` names, or the current one when it is undefined. */
export function findVersion(record: KeyRecord | undefined, versionId?: string): StoredVersion | undefined {
  if (!record) return undefined;
  return versionId === undefined
    ? record.versions[0]
    : record.versions.find((v) => v.versionId === versionId);
}

/**
 * A key's record read from its file: the current format, or the one the stack wrote before it
 * kept versions (a single object with no id, read as the null version). Undefined for anything
 * else.
 */
export function keyRecordOf(json: unknown): KeyRecord | undefined {
  const value = json as Partial<KeyRecord> & Partial<Omit<ObjectVersion, 'versionId'>>;
  if (typeof value?.key !== 'string') return undefined;
  if (Array.isArray(value.versions)) {
    const versions = value.versions.filter(
      (v) =>
        typeof v?.versionId === 'string' &&
        (isDeleteMarker(v) ||
          (typeof v.data === 'string' &&
            (v.parts === undefined || (Array.isArray(v.parts) && v.parts.every(isDataFile))))),
    );
    return versions.length > 0 ? { key: value.key, versions } : undefined;
  }
  if (typeof value.data !== 'string') return undefined;
  const { key, size = 0, md5 = '', modified = 0, metadata = {}, data } = value;
  return { key, versions: [{ versionId: NULL_VERSION_ID, size, md5, modified, metadata, data }] };
}

/** ListObjectVersions' parameters, as its query carries them. */
export interface VersionListOptions {
  prefix?: string;
  delimiter?: string;
  keyMarker?: string;
  versionIdMarker?: string;
  maxKeys: number;
}

/** One row of a version listing: a version or a delete marker of `key`. */
export interface ListedVersion {
  key: string;
  version: StoredVersion;
  isLatest: boolean;
}

export interface VersionListing {
  versions: ListedVersion[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** Where the next page starts, when truncated: the last key and version id returned. */
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

/**
 * ListObjectVersions over a bucket's records in key order: every version and delete marker of
 * each key, newest first, after the markers; keys that roll up under the delimiter are one
 * common prefix each, and count against `maxKeys` as one row, as S3 counts them.
 */
export function listVersions(
  records: Iterable<KeyRecord>,
  options: VersionListOptions,
  compareKeys: (a: string, b: string) => number,
): VersionListing {
  const { prefix = '', delimiter = '', keyMarker = '', versionIdMarker = '', maxKeys } = options;
  if (versionIdMarker !== '' && keyMarker === '') {
    throw invalidArgument(
      'A version-id marker cannot be specified without a key marker.',
      'version-id-marker',
      versionIdMarker,
    );
  }
  const listing: VersionListing = { versions: [], commonPrefixes: [], isTruncated: false };
  let rows = 0;
  let last: { key: string; versionId?: string } | undefined;
  const full = () => {
    if (rows < maxKeys) return false;
    listing.isTruncated = true;
    return true;
  };
  for (const record of records) {
    const { key } = record;
    if (compareKeys(key, keyMarker) < 0) continue;
    if (!key.startsWith(prefix)) {
      if (compareKeys(key, prefix) > 0) break;
      continue;
    }
    const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (at !== -1) {
      const common = key.slice(0, at + delimiter.length);
      // A prefix at or before the key marker was returned on an earlier page.
      if (common === listing.commonPrefixes.at(-1) || compareKeys(common, keyMarker) <= 0) continue;
      if (full()) break;
      listing.commonPrefixes.push(common);
      rows += 1;
      last = { key: common };
      continue;
    }
    let versions = record.versions;
    if (key === keyMarker) {
      const after = versions.findIndex((v) => v.versionId === versionIdMarker);
      // No version id marker: the key marker's versions were all on an earlier page.
      versions = versionIdMarker === '' || after === -1 ? [] : versions.slice(after + 1);
    }
    for (const version of versions) {
      if (full()) break;
      listing.versions.push({ key, version, isLatest: version === record.versions[0] });
      rows += 1;
      last = { key, versionId: version.versionId };
    }
    if (listing.isTruncated) break;
  }
  if (listing.isTruncated && last) {
    listing.nextKeyMarker = last.key;
    if (last.versionId !== undefined) listing.nextVersionIdMarker = last.versionId;
  }
  return listing;
}
