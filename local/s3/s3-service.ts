/**
 * Local S3: the project's own S3 router (./router.ts) over the hashed store
 * (./hashed-store.ts), persisted under a directory and served on the edge's listener. Any
 * credentials are accepted (signatures are not checked locally), aws-chunked uploads are
 * decoded, and each new version becomes a real-shaped S3 notification for the queues whose
 * rules match it. The SageMaker emulator reads and writes the same store in-process
 * ({@link S3Service.objectStore}), so the stack listens on one port.
 */
import type http from 'node:http';
import type { Readable } from 'node:stream';
import type { ErrorSite } from '../diagnostics/internal-errors';
import type { ObjectStore, StoredObject } from '../sagemaker/object-store';
import { HashedStore, type Written } from './hashed-store';
import {
  createSequencer,
  matchesFilter,
  type NotificationFilter,
  type ObjectCreatedEvent,
  objectCreatedRecord,
  type S3EventRecord,
  type S3ObjectEvent,
  toS3EventRecord,
} from './notifications';
import { createS3Router, type S3RouterStats } from './router';

export interface BucketNotification {
  bucket: string;
  configurationId: string;
  filter: NotificationFilter;
  /** Receives the notification body, `{"Records":[…]}`, exactly as S3 would send it. */
  deliver: (body: string, record: S3EventRecord) => void;
}

export interface S3ServiceOptions {
  directory: string;
  buckets: string[];
  region: string;
  notifications: BucketNotification[];
  /** The stack's clock, for the notifications' eventTime. */
  now?: () => Date;
  /** A bug met serving a request (../internal-errors). */
  onInternalError?: (error: unknown, site: ErrorSite) => void;
}

export interface S3Service {
  /** Serves one edge request. Never rejects. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  /** The same buckets for in-process readers and writers (the SageMaker emulator), announced as S3 would. */
  objectStore: ObjectStore;
  /** Requests, clients gone mid-request, and object-created notifications sent. */
  stats(): S3RouterStats & { notifications: number };
  close(): Promise<void>;
}

/** Opens the store, creates the stack's buckets, and delivers what a kill left undelivered. */
export async function startS3Service(options: S3ServiceOptions): Promise<S3Service> {
  const store = new HashedStore(options.directory);
  for (const bucket of options.buckets) if (!(await store.getBucket(bucket))) await store.putBucket(bucket);
  const sequence = createSequencer();
  let notifications = 0;
  const notify = (raw: S3ObjectEvent) => {
    for (const target of options.notifications) {
      if (target.bucket !== raw.s3.bucket.name || !matchesFilter(raw.s3.object.key, target.filter)) continue;
      const record = toS3EventRecord(raw, {
        region: options.region,
        configurationId: target.configurationId,
        sequence,
        ...(options.now && { eventTime: options.now().toISOString() }),
      });
      target.deliver(JSON.stringify({ Records: [record] }), record);
      notifications += 1;
    }
  };
  // A new version's event stays in the store's outbox until it is delivered here: one a kill
  // cut off is delivered at the next start (below).
  const deliver = (record: S3ObjectEvent) => {
    try {
      notify(record);
      const { versionId } = record.s3.object;
      if (versionId) store.eventDelivered(record.s3.bucket.name, versionId);
    } catch (error) {
      // The object is stored; a notification that could not be sent is a bug, not the client's.
      options.onInternalError?.(error, 'S3 notification');
    }
  };
  const announce = (bucket: string, event: ObjectCreatedEvent, key: string, written: Written) =>
    deliver(objectCreatedRecord(bucket, event, { key, ...written }, new Date(written.modified)));
  for (const record of store.pendingEvents()) deliver(record);
  const router = createS3Router({
    store,
    announce,
    onInternalError: (error, path) => options.onInternalError?.(error, { path: `S3 ${path}` }),
  });
  return {
    handle: (req, res) => router.handle(req, res),
    objectStore: inProcessObjectStore(store, announce),
    stats: () => ({ ...router.stats, notifications }),
    async close() {},
  };
}

/** The store as the SageMaker emulator uses it: streams in, streams out, copies as links. */
function inProcessObjectStore(
  store: HashedStore,
  announce: (bucket: string, event: ObjectCreatedEvent, key: string, written: Written) => void,
): ObjectStore {
  return {
    async list(bucket, prefix) {
      const objects: StoredObject[] = [];
      let startAfter = '';
      for (;;) {
        const page = store.listObjects(bucket, { prefix, startAfter, maxKeys: 1000 });
        for (const { key, version } of page.objects)
          objects.push({ key, size: version.size, eTag: version.md5 });
        if (!page.isTruncated || page.last === undefined) return objects;
        startAfter = page.last;
      }
    },
    async read(bucket, key) {
      if (!(await store.getBucket(bucket))) return undefined;
      const read = await store.readObject(bucket, key, undefined, 0, Number.MAX_SAFE_INTEGER);
      return read?.content;
    },
    async write(bucket, key, body, size) {
      const content: Readable | Buffer = typeof body === 'string' ? Buffer.from(body) : body;
      void size;
      const written = await store.putObject(bucket, key, content, { 'content-type': 'binary/octet-stream' });
      announce(bucket, 'ObjectCreated:Put', key, written);
      return { eTag: written.md5 };
    },
    async copy(source, target) {
      const copied = await store.copyObject(source, target, undefined);
      announce(target.bucket, 'ObjectCreated:Copy', target.key, copied);
      return { eTag: copied.md5 };
    },
  };
}
