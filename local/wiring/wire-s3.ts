/** Wiring step: the local S3, whose buckets notify the queues serverless.yml names. */
import { join } from 'node:path';
import { type S3Service, startS3Service } from '../s3/s3-service';
import type { LocalQueue } from '../sqs/queue';
import type { Wiring } from './wiring';

export function wireS3(w: Wiring, queueOf: (logicalId: string) => LocalQueue): Promise<S3Service> {
  return startS3Service({
    directory: join(w.dataDir, 's3'),
    buckets: w.description.buckets.map((b) => b.name),
    region: w.region,
    now: w.now,
    onInternalError: w.onInternalError,
    notifications: w.description.notifications.map((n, i) => ({
      bucket: n.bucket,
      configurationId: `notification-${i + 1}`,
      filter: { prefix: n.prefix, suffix: n.suffix },
      deliver: (body, record) => {
        queueOf(n.queueLogicalId).send(body);
        w.emit({
          kind: 'object-created',
          at: w.clock.now(),
          bucket: n.bucket,
          key: decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')),
          notified: true,
        });
      },
    })),
  });
}

/** The models bucket: the one that notifies a queue (the access-log bucket does not). */
export function modelsBucket(w: Wiring): string {
  return w.description.notifications[0]?.bucket ?? w.description.buckets[0]?.name ?? '';
}
