/**
 * The object storage the SageMaker emulator reads models from and writes outputs to. In the
 * local stack it is backed by the S3 emulator (`local/s3/s3-object-store.ts`); tests use
 * {@link InMemoryObjectStore}. Every operation streams: a model of any size passes through the
 * emulator in bounded memory, and a copy need not pass through it at all.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';

/** An object as a listing shows it. */
export interface StoredObject {
  key: string;
  size: number;
  /** S3's entity tag, without quotes. */
  eTag?: string;
}

/** Where an object is. */
export interface ObjectLocation {
  bucket: string;
  key: string;
}

export interface ObjectStore {
  /** The objects in `bucket` whose keys start with `prefix`, in lexicographic order of key. */
  list(bucket: string, prefix: string): Promise<StoredObject[]>;
  /** The object's bytes as a stream, or `undefined` when there is no such object (or bucket). */
  read(bucket: string, key: string): Promise<Readable | undefined>;
  /**
   * Creates or replaces an object from `body`, which holds exactly `size` bytes. A stream is
   * consumed as it is sent, never gathered first.
   */
  write(bucket: string, key: string, body: Readable | string, size: number): Promise<{ eTag?: string }>;
  /** Copies an object inside the store (S3's CopyObject): the bytes never pass through the caller. */
  copy(source: ObjectLocation, target: ObjectLocation): Promise<{ eTag?: string }>;
}

/**
 * An {@link ObjectStore} held in memory, for tests; buckets spring into existence on first
 * write. Holding whole objects is its nature: the local stack never uses it.
 */
export class InMemoryObjectStore implements ObjectStore {
  private readonly buckets = new Map<string, Map<string, Buffer>>();

  async list(bucket: string, prefix: string): Promise<StoredObject[]> {
    return [...(this.buckets.get(bucket)?.entries() ?? [])]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, body]) => ({ key, size: body.length, eTag: md5(body) }));
  }

  async read(bucket: string, key: string): Promise<Readable | undefined> {
    const body = this.buckets.get(bucket)?.get(key);
    return body ? Readable.from([body]) : undefined;
  }

  async write(
    bucket: string,
    key: string,
    body: Readable | string,
    size: number,
  ): Promise<{ eTag?: string }> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : await buffer(body);
    if (bytes.length !== size) throw new Error(`${key}: expected ${size} bytes, got ${bytes.length}`);
    return this.put(bucket, key, bytes);
  }

  async copy(source: ObjectLocation, target: ObjectLocation): Promise<{ eTag?: string }> {
    const body = this.buckets.get(source.bucket)?.get(source.key);
    if (!body) throw new Error(`NoSuchKey: ${source.bucket}/${source.key}`);
    return this.put(target.bucket, target.key, body);
  }

  /** The object's bytes, or `undefined` (for assertions). */
  async get(bucket: string, key: string): Promise<Buffer | undefined> {
    return this.buckets.get(bucket)?.get(key);
  }

  /** Creates or replaces an object (for arranging tests). */
  async put(bucket: string, key: string, body: Buffer | string): Promise<{ eTag: string }> {
    let objects = this.buckets.get(bucket);
    if (!objects) {
      objects = new Map();
      this.buckets.set(bucket, objects);
    }
    const bytes = Buffer.from(body);
    objects.set(key, bytes);
    return { eTag: md5(bytes) };
  }

  /** Removes an object, if there is one. */
  async delete(bucket: string, key: string): Promise<void> {
    this.buckets.get(bucket)?.delete(key);
  }
}

/** The entity tag S3 gives a single-part object: the MD5 of its bytes, in hex. */
const md5 = (body: Buffer): string => createHash('md5').update(body).digest('hex');
