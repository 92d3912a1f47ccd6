/**
 * Turns the local S3's object events into the records real S3 sends. The handlers that store
 * objects (./operations/) announce the key as stored, its size,
 * eTag and version id, and S3's event name; the record gets what S3 adds: the key URL-encoded
 * (`+` for space), the bucket's `arn`, an ordering `sequencer`, and event version 2.1.
 */
import { encodeS3Key } from '../../src/drop';

/** The notification filter of one queue configuration: prefix and suffix on the decoded key. */
export interface NotificationFilter {
  prefix?: string;
  suffix?: string;
}

/** An object event as the local S3's handlers emit it. */
export interface S3ObjectEvent {
  eventName: string;
  eventTime: string;
  s3: {
    bucket: { name: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string };
  };
}

/** The events that announce a new version. */
export type ObjectCreatedEvent =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload';

/** The record the local S3 emits for a new version. */
export function objectCreatedRecord(
  bucket: string,
  eventName: ObjectCreatedEvent,
  object: { key: string; size: number; md5: string; versionId: string },
  eventTime: Date,
): S3ObjectEvent {
  return {
    eventName,
    eventTime: eventTime.toISOString(),
    s3: {
      bucket: { name: bucket },
      object: { key: object.key, size: object.size, eTag: object.md5, versionId: object.versionId },
    },
  };
}

/** A real-shaped S3 event record (event version 2.1). */
export interface S3EventRecord {
  eventVersion: '2.1';
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size: number; eTag?: string; versionId?: string; sequencer: string };
  };
}

/** True when a decoded key passes a queue configuration's filter rules. */
export function matchesFilter(key: string, filter: NotificationFilter): boolean {
  return key.startsWith(filter.prefix ?? '') && key.endsWith(filter.suffix ?? '');
}

/**
 * A sequencer that orders: S3 promises only that a later event on a key has a greater
 * sequencer (compared as hex strings of equal length), so a zero-padded counter does.
 */
export function createSequencer(start = BigInt(Date.now()) * 1000n): () => string {
  let next = start;
  return () => {
    next += 1n;
    return next.toString(16).toUpperCase().padStart(18, '0');
  };
}

/** The real-shaped record for an object-created event of the local S3. */
export function toS3EventRecord(
  event: S3ObjectEvent,
  options: {
    region: string;
    configurationId: string;
    sequence: () => string;
    /** The stack's (simulated) time of the event; default the real time the handler stamped. */
    eventTime?: string;
  },
): S3EventRecord {
  const { bucket, object } = event.s3;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: options.region,
    eventTime: options.eventTime ?? event.eventTime,
    eventName: event.eventName,
    userIdentity: { principalId: 'AWS:LOCALSTACKUSER' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': options.sequence(), 'x-amz-id-2': 'local' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: options.configurationId,
      bucket: {
        name: bucket.name,
        ownerIdentity: { principalId: 'LOCALOWNER' },
        arn: `arn:aws:s3:::${bucket.name}`,
      },
      object: {
        key: encodeS3Key(object.key),
        size: object.size ?? 0,
        ...(object.eTag && { eTag: object.eTag }),
        ...(object.versionId && { versionId: object.versionId }),
        sequencer: options.sequence(),
      },
    },
  };
}
