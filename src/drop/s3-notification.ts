/**
 * Reads the body of an upload-queue message: an S3 event notification, or S3's one-off
 * `s3:TestEvent` sent when the notification is configured. Anything else is an invalid drop.
 */
import * as z from 'zod';
import { InvalidDropError, type ValidationIssue } from '../errors';
import { decodeS3Key } from './decode-key';
import { toIssues } from './issues';

/** An object-created notification, with its key decoded. */
export interface S3ObjectRef {
  bucket: string;
  /** The decoded key. */
  key: string;
  size: number;
  eTag?: string;
  versionId?: string;
  sequencer?: string;
  eventName: string;
  eventTime: string;
}

export type UploadMessage = { kind: 'test-event' } | { kind: 'objects'; objects: S3ObjectRef[] };

const s3RecordSchema = z.object({
  eventSource: z.literal('aws:s3'),
  eventName: z.string(),
  eventTime: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().min(0).optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const notificationSchema = z.object({ Records: z.array(z.unknown()).min(1) });
const testEventSchema = z.object({ Event: z.literal('s3:TestEvent') });

/** Parses one SQS message body. Throws InvalidDropError for anything but an S3 notification. */
export function parseUploadMessage(body: string): UploadMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidDropError([{ path: '$', message: 'message body is not JSON' }]);
  }
  if (testEventSchema.safeParse(parsed).success) return { kind: 'test-event' };

  const notification = notificationSchema.safeParse(parsed);
  if (!notification.success) {
    throw new InvalidDropError([
      { path: '$', message: 'message is not an S3 event notification (no Records)' },
    ]);
  }
  const issues: ValidationIssue[] = [];
  const objects: S3ObjectRef[] = [];
  notification.data.Records.forEach((raw, index) => {
    const record = s3RecordSchema.safeParse(raw);
    if (!record.success) {
      issues.push(...toIssues(record.error, `$.Records[${index}]`));
      return;
    }
    if (!record.data.eventName.startsWith('ObjectCreated:')) return;
    const { bucket, object } = record.data.s3;
    objects.push({
      bucket: bucket.name,
      key: decodeS3Key(object.key),
      size: object.size ?? 0,
      eTag: object.eTag,
      versionId: object.versionId,
      sequencer: object.sequencer,
      eventName: record.data.eventName,
      eventTime: record.data.eventTime,
    });
  });
  if (issues.length > 0) throw new InvalidDropError(issues);
  return { kind: 'objects', objects };
}
