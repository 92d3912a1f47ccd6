/**
 * The object storage the SageMaker emulator reads models from and writes outputs to. In the
 * local stack it is backed by the S3 emulator; tests use {@link InMemoryObjectStore}.
 */
export interface ObjectStore {
  /** The object's bytes, or `undefined` when there is no such object (or bucket). */
  get(bucket: string, key: string): Promise<Buffer | undefined>;
  /** The keys of all objects in `bucket` that start with `prefix`, in lexicographic order. */
  list(bucket: string, prefix: string): Promise<string[]>;
  /** Creates or replaces an object. */
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
}

/** An {@link ObjectStore} held in memory; buckets spring into existence on first write. */
export class InMemoryObjectStore implements ObjectStore {
  private readonly buckets = new Map<string, Map<string, Buffer>>();

  async get(bucket: string, key: string): Promise<Buffer | undefined> {
    return this.buckets.get(bucket)?.get(key);
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    return [...(this.buckets.get(bucket)?.keys() ?? [])].filter((key) => key.startsWith(prefix)).sort();
  }

  async put(bucket: string, key: string, body: Buffer | string): Promise<void> {
    let objects = this.buckets.get(bucket);
    if (!objects) {
      objects = new Map();
      this.buckets.set(bucket, objects);
    }
    objects.set(key, Buffer.from(body));
  }

  /** Removes an object, if there is one. */
  async delete(bucket: string, key: string): Promise<void> {
    this.buckets.get(bucket)?.delete(key);
  }
}
