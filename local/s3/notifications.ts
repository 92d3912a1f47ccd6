/**
 * Turns s3rver's object events into the records real S3 sends. s3rver's differ: raw keys
 * (S3 URL-encodes them, `+` for space), a malformed `arn`, a timestamp `sequencer`, event
 * version 2.0, and multipart completions reported as `ObjectCreated:Post`.
 */
import { encodeS3Key } from '../../src/drop/decode-key';

/** The notification filter of one queue configuration: prefix and suffix on the decoded key. */
export interface NotificationFilter {
  prefix?: string;
  suffix?: string;
}

export interface S3rverRecord {
  eventName: string;
  eventTime: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
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

const EVENT_NAMES: Record<string, string> = {
  'ObjectCreated:Post': 'ObjectCreated:CompleteMultipartUpload',
};

/** The real-shaped record for an s3rver object-created event. */
export function toS3EventRecord(
  event: S3rverRecord,
  options: {
    region: string;
    configurationId: string;
    sequence: () => string;
    versionId?: string;
    /** The stack's (simulated) time of the event; default s3rver's real time. */
    eventTime?: string;
  },
): S3EventRecord {
  const { bucket, object } = event.s3;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: options.region,
    eventTime: options.eventTime ?? event.eventTime,
    eventName: EVENT_NAMES[event.eventName] ?? event.eventName,
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
        ...(options.versionId && { versionId: options.versionId }),
        sequencer: options.sequence(),
      },
    },
  };
}
